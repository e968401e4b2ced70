"""Live chat of a program channel: websocket, API, the page of its own, the process's hub."""
