// The notifications bell: keeps its unread count live over the personal /ws/me/ socket.
// Reconnects with a growing delay when the connection drops (a restarted web process).
(function () {
  "use strict";
  var bell = document.querySelector("[data-testid=bell]");
  if (!bell || !window.WebSocket) {
    return;
  }
  var count = bell.querySelector(".bell-count");
  var delay = 1000;

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = !unread;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + bell.dataset.ws);
    socket.onopen = function () {
      delay = 1000;
      bell.dataset.live = "1";
      // Whatever happened while the socket was down (a restarted web process): catch up once.
      window
        .fetch(bell.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (body && typeof body.unread === "number") {
            show(body.unread);
          }
        })
        .catch(function () {});
    };
    socket.onmessage = function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event.type === "notification.unread") {
        show(event.unread);
      }
    };
    socket.onclose = function (closing) {
      bell.dataset.live = "0";
      if (closing.code === 4401) {
        return; // signed out
      }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
