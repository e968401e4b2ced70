/* Fieldcast.socket: the one websocket helper every page uses (see docs/development.md).

   Fieldcast.socket(path, options) opens ws(s)://<this host><path> and keeps it open:
   - reconnects after any drop with exponential back-off and jitter (capped), at once when the
     browser comes back online;
   - sends {"type": "ping"} every `pingMs`; every consumer answers {"type": "pong"}. A socket that
     hears nothing at all (pong or event) within `timeoutMs` of a ping is dead: a phone that changed
     networks keeps a half-open TCP connection for minutes, so we close it and reconnect. (Measured
     from the ping, not from the last message: a background tab's timers may run once a minute.)
   - calls options.onResume() after a reconnect (not the first connect): events sent while the
     socket was down are lost, so the page refetches or asks for what it missed.

   options: onMessage(event) (parsed JSON, pongs filtered out), onOpen(), onClose(code), onResume(),
   path may be a function (called on every connect, e.g. to add "?after=<last id>"),
   baseMs (first retry, 1000), maxMs (cap, 15000), pingMs (20000), timeoutMs (10000).
   The server's "go away" close codes (4401 signed out, 4403 forbidden, 4404 not found) stop the
   retries: trying again cannot help.
   Returns {send(object) -> bool, close(), isOpen()}. */
(function () {
  "use strict";
  var Fieldcast = (window.Fieldcast = window.Fieldcast || {});
  var FINAL_CODES = { 4401: true, 4403: true, 4404: true };

  Fieldcast.wsUrl = function (path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  };

  // Full jitter on half the delay: after a web process restarts its viewers do not all return at once.
  Fieldcast.backoff = function (attempt, baseMs, maxMs) {
    var capped = Math.min(maxMs, baseMs * Math.pow(2, Math.max(0, attempt)));
    return Math.round(capped / 2 + Math.random() * (capped / 2));
  };

  Fieldcast.socket = function (path, options) {
    options = options || {};
    var baseMs = options.baseMs || 1000;
    var maxMs = options.maxMs || 15000;
    var pingMs = options.pingMs || 20000;
    var timeoutMs = options.timeoutMs || 10000;
    var ws = null;
    var attempt = 0;
    var opened = false;       // has any connection opened yet (then the next open is a resume)
    var stopped = false;
    var retryTimer = null;
    var pingTimer = null;
    var deadTimer = null;
    var heardAt = 0;

    function call(name, value) {
      if (typeof options[name] === "function") return options[name](value);
      return undefined;
    }

    function clearTimers() {
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      clearTimeout(deadTimer);
      retryTimer = pingTimer = deadTimer = null;
    }

    function schedule() {
      if (stopped || retryTimer) return;
      retryTimer = setTimeout(function () {
        retryTimer = null;
        connect();
      }, Fieldcast.backoff(attempt, baseMs, maxMs));
      attempt += 1;
    }

    function connect() {
      if (stopped) return;
      clearTimers();
      var url = Fieldcast.wsUrl(typeof path === "function" ? path() : path);
      var socket;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        schedule();
        return;
      }
      ws = socket;
      socket.onopen = function () {
        if (ws !== socket) return;
        attempt = 0;
        heardAt = Date.now();
        pingTimer = setInterval(function () {
          var sentAt = Date.now();
          if (!send({ type: "ping" }) || deadTimer) return;  // the earlier ping's deadline stands
          deadTimer = setTimeout(function () {
            deadTimer = null;
            if (ws !== socket || heardAt >= sentAt) return;
            socket.close();  // a half-open socket may take minutes to fire onclose: go now
            drop(socket, 4000);
          }, timeoutMs);
        }, pingMs);
        var resumed = opened;
        opened = true;
        call("onOpen");
        if (resumed) call("onResume");
      };
      socket.onmessage = function (message) {
        if (ws !== socket) return;
        heardAt = Date.now();
        var event;
        try {
          event = JSON.parse(message.data);
        } catch (error) {
          return;  // not ours
        }
        if (event && event.type === "pong") return;
        call("onMessage", event);
      };
      socket.onclose = function (closing) {
        drop(socket, closing.code);
      };
    }

    function drop(socket, code) {
      if (ws !== socket) return;  // an older socket we already gave up on
      ws = null;
      clearInterval(pingTimer);
      clearTimeout(deadTimer);
      pingTimer = deadTimer = null;
      call("onClose", code);
      if (FINAL_CODES[code]) {
        stopped = true;
        return;
      }
      schedule();
    }

    function send(data) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(data));
      return true;
    }

    window.addEventListener("online", function () {
      if (stopped || ws) return;
      clearTimeout(retryTimer);
      retryTimer = null;
      attempt = 0;
      connect();
    });

    connect();
    return {
      send: send,
      isOpen: function () {
        return Boolean(ws && ws.readyState === WebSocket.OPEN);
      },
      close: function () {
        stopped = true;
        clearTimers();
        var socket = ws;
        ws = null;
        if (socket) socket.close();
      },
    };
  };
})();
