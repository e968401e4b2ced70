// The notifications bell: keeps its unread count live over the personal /ws/me/ socket
// (Fieldcast.socket reconnects; it stops when the server says we are signed out).
(function () {
  "use strict";
  var bell = document.querySelector("[data-testid=bell]");
  if (!bell || !window.WebSocket) {
    return;
  }
  var count = bell.querySelector(".bell-count");

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = !unread;
  }

  // Whatever happened while the socket was down (a restarted web process): catch up once.
  function refresh() {
    window.Fieldcast.api(bell.dataset.countUrl, { notify: false }).then(function (result) {
      if (result.ok && result.data && typeof result.data.unread === "number") {
        show(result.data.unread);
      }
    });
  }

  window.Fieldcast.socket(bell.dataset.ws, {
    onOpen: function () {
      bell.dataset.live = "1";
      refresh();  // the first time too: an event may have come between the page and the socket
    },
    onMessage: function (event) {
      if (event.type === "notification.unread") {
        show(event.unread);
      }
    },
    onClose: function () {
      bell.dataset.live = "0";
    },
    maxMs: 30000,
  });
})();
