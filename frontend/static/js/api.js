/* Fieldcast.api: the one fetch helper every page uses (see docs/development.md).

   Fieldcast.api(url, options) -> Promise of {ok, status, data, text, headers, error}; it never
   rejects. It sends the CSRF token and the session cookie, JSON-encodes a plain `body` object,
   checks response.ok BEFORE reading the body, reads the API's error shape
   {"error": {"code", "message", "fields"}} and, unless told otherwise, shows the message to the
   person in one small on-page message (Fieldcast.notify). A network failure resolves with
   status 0 and error.code "network".

   options: method ("GET"), body (object → JSON; string, Blob or FormData sent as they are),
   contentType (for a string body), headers, keepalive,
   notify: false (the caller shows the error itself) or a function(message) to show it in place. */
(function () {
  "use strict";
  var Fieldcast = (window.Fieldcast = window.Fieldcast || {});
  var strings = null;

  function text(key) {
    if (!strings) {
      var node = document.getElementById("fieldcast-strings");
      try {
        strings = node ? JSON.parse(node.textContent) : {};
      } catch (error) {
        strings = {};
      }
    }
    return strings[key] || "";
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta && meta.content) return meta.content;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  var box = null;
  var hideTimer = null;

  // One message area for the whole page: role=alert so screen readers say it, gone after 8 s.
  Fieldcast.notify = function (message) {
    if (!message) return;
    if (!box || !box.isConnected) {
      box = document.createElement("div");
      box.className = "fc-notice";
      box.setAttribute("role", "alert");
      box.setAttribute("data-testid", "page-error");
      box.hidden = true;
      box.addEventListener("click", function () { box.hidden = true; });
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { box.hidden = true; }, 8000);
  };

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !(value instanceof FormData) &&
      !(value instanceof Blob) && !(value instanceof ArrayBuffer) && !(value instanceof URLSearchParams);
  }

  function readBody(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.text().then(function (raw) {
      var data = null;
      if (raw && type.indexOf("json") !== -1) {
        try {
          data = JSON.parse(raw);
        } catch (error) {
          data = null;
        }
      }
      return { raw: raw, data: data };
    }, function () {
      return { raw: "", data: null };
    });
  }

  Fieldcast.api = function (url, options) {
    options = options || {};
    var method = (options.method || "GET").toUpperCase();
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    var body = options.body;
    if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
    if (isPlainObject(body)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    } else if (typeof body === "string" && options.contentType) {
      headers["Content-Type"] = options.contentType;
    }

    function show(message) {
      if (options.notify === false) return;
      if (typeof options.notify === "function") options.notify(message);
      else Fieldcast.notify(message);
    }

    return window.fetch(url, {
      method: method,
      headers: headers,
      body: body,
      credentials: "same-origin",
      keepalive: Boolean(options.keepalive),
    }).then(function (response) {
      // Decide on the status first: an error page is HTML, not the JSON the caller expects.
      var ok = response.ok;
      return readBody(response).then(function (read) {
        var result = {
          ok: ok, status: response.status, headers: response.headers,
          data: ok ? read.data : null, text: read.raw, error: null,
        };
        if (!ok) {
          var shaped = read.data && read.data.error && typeof read.data.error === "object" ? read.data.error : null;
          result.error = {
            code: (shaped && shaped.code) || "http_" + response.status,
            message: (shaped && shaped.message) || text("failed"),
            fields: (shaped && shaped.fields) || {},
          };
          show(result.error.message);
        }
        return result;
      });
    }, function () {
      var result = {
        ok: false, status: 0, headers: null, data: null, text: "",
        error: { code: "network", message: text("network"), fields: {} },
      };
      show(result.error.message);
      return result;
    });
  };
})();
