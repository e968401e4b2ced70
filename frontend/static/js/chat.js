// Live chat panel (community/_chat_panel_inner.html): one websocket per panel, /ws/chat/<channel>/.
// Messages are shown with textContent only: nobody's text ever becomes markup.
// On reconnect (Fieldcast.socket) it asks for what it missed (?after=<last id seen>); repeats are
// dropped by id.
(function () {
  "use strict";

  function now() {
    return Date.now();
  }

  function init(panel) {
    if (panel.dataset.ready) return;
    panel.dataset.ready = "1";
    var configNode = panel.querySelector("#chat-config");
    var config = configNode ? JSON.parse(configNode.textContent) : { strings: {}, tiers: {} };
    var s = config.strings;
    var list = panel.querySelector(".chat-list");
    var note = panel.querySelector(".chat-note");
    var slow = panel.querySelector(".chat-slow");
    var state = panel.querySelector(".chat-state");
    var form = panel.querySelector(".chat-form");
    var input = form ? form.querySelector("input[name=body]") : null;
    var slowSelect = panel.querySelector("[data-testid=chat-slow-select]");
    var me = panel.dataset.userId ? Number(panel.dataset.userId) : null;
    var editor = panel.dataset.editor === "1";
    var lastId = 0;
    var seen = {};
    var socket = null;
    var counter = 0;
    var mutedTimer = null;

    function showNote(text) {
      note.textContent = text;
      note.hidden = !text;
    }

    function nearBottom() {
      return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    }

    function showEmpty() {
      var empty = list.querySelector(".chat-empty");
      if (list.querySelector(".chat-message")) {
        if (empty) empty.remove();
      } else if (!empty) {
        var li = document.createElement("li");
        li.className = "chat-empty muted";
        li.textContent = s.empty;
        list.appendChild(li);
      }
    }

    function api(path, method, body) {
      return window.Fieldcast.api(path, {
        method: method,
        body: body,
        notify: function (message) { showNote(message || s.failed); },
      });
    }

    function render(message) {
      var li = document.createElement("li");
      li.className = "chat-message";
      li.dataset.testid = "chat-message";
      li.setAttribute("data-testid", "chat-message");
      li.dataset.id = String(message.id);
      li.dataset.author = String(message.author.id);
      li.dataset.receivedMs = String(now());
      var head = document.createElement("span");
      head.className = "chat-meta";
      var name = document.createElement("strong");
      name.className = "chat-author";
      name.textContent = message.author.name;
      head.appendChild(name);
      var tier = document.createElement("span");
      tier.className = "badge chat-tier chat-tier-" + message.author.tier;
      tier.setAttribute("data-testid", "chat-tier");
      tier.textContent = config.tiers[message.author.tier] || message.author.tier;
      head.appendChild(tier);
      if (message.author.guest_expert) {
        var expert = document.createElement("span");
        expert.className = "badge chat-expert";
        expert.setAttribute("data-testid", "chat-expert");
        expert.textContent = s.guest_expert;
        head.appendChild(expert);
      }
      var time = document.createElement("time");
      time.className = "muted chat-time";
      time.dateTime = message.created_at;
      time.textContent = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      head.appendChild(time);
      li.appendChild(head);
      var text = document.createElement("span");
      text.className = "chat-text";
      text.setAttribute("data-testid", "chat-text");
      text.textContent = message.body;
      li.appendChild(text);
      if (editor && message.author.id !== me) {
        var tools = document.createElement("span");
        tools.className = "chat-mod";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.setAttribute("data-testid", "chat-remove");
        remove.textContent = s.remove;
        remove.addEventListener("click", function () {
          if (!window.confirm(s.confirm_remove)) return;
          api(panel.dataset.api + message.id + "/", "DELETE");
        });
        var mute = document.createElement("button");
        mute.type = "button";
        mute.className = "link-button";
        mute.setAttribute("data-testid", "chat-mute");
        mute.textContent = s.mute;
        mute.addEventListener("click", function () {
          api(panel.dataset.api.replace(/messages\/$/, "mutes/"), "POST", { user: message.author.id, seconds: 600 });
        });
        tools.appendChild(remove);
        tools.appendChild(mute);
        // A mute can hold in every chat: the editor chooses.
        var muteAll = document.createElement("button");
        muteAll.type = "button";
        muteAll.className = "link-button";
        muteAll.setAttribute("data-testid", "chat-mute-everywhere");
        muteAll.textContent = s.mute_everywhere;
        muteAll.addEventListener("click", function () {
          api(panel.dataset.api.replace(/messages\/$/, "mutes/"), "POST", { user: message.author.id, seconds: 600, everywhere: true });
        });
        tools.appendChild(muteAll);
        li.appendChild(tools);
      }
      return li;
    }

    function add(message) {
      if (seen[message.id]) return;
      seen[message.id] = true;
      if (message.id > lastId) lastId = message.id;
      var stick = nearBottom();
      var li = render(message);
      // Keep id order even when a catch-up and a live event cross.
      var after = null;
      var nodes = list.querySelectorAll(".chat-message");
      for (var i = nodes.length - 1; i >= 0; i--) {
        if (Number(nodes[i].dataset.id) < message.id) { after = nodes[i]; break; }
      }
      if (after) after.after(li);
      else if (nodes.length) list.insertBefore(li, nodes[0]);
      else list.appendChild(li);
      showEmpty();
      if (stick) list.scrollTop = list.scrollHeight;
    }

    function removeIds(ids) {
      ids.forEach(function (id) {
        var node = list.querySelector('.chat-message[data-id="' + Number(id) + '"]');
        if (node) node.remove();
        seen[id] = true;
      });
      showEmpty();
    }

    function setMuted(untilIso) {
      if (!input) return;
      var until = untilIso ? new Date(untilIso) : null;
      if (mutedTimer) clearTimeout(mutedTimer);
      if (until && until.getTime() > now()) {
        showNote(s.muted_until.replace("{time}", until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
        mutedTimer = setTimeout(function () { showNote(""); }, Math.min(until.getTime() - now(), 2147483000));
      }
    }

    function setSlow(seconds) {
      seconds = Number(seconds) || 0;
      slow.hidden = seconds === 0;
      slow.textContent = seconds ? s.slow_mode.replace("{seconds}", String(seconds)) : "";
      if (slowSelect) slowSelect.value = String(seconds);
    }

    function onEvent(data) {
      if (data.type === "chat.history") {
        if (!data.catch_up) {
          list.querySelectorAll(".chat-message").forEach(function (n) { n.remove(); });
          seen = {};
        }
        data.messages.forEach(add);
        removeIds(data.removed || []);
        if (data.gap) showNote(s.gap);
        showEmpty();
        list.scrollTop = list.scrollHeight;
      } else if (data.type === "chat.message") {
        add(data.message);
      } else if (data.type === "chat.removed") {
        removeIds([data.id]);
      } else if (data.type === "chat.muted") {
        if (data.user_id === me) setMuted(data.until);
      } else if (data.type === "chat.settings") {
        setSlow(data.slow_mode_seconds);
      } else if (data.type === "chat.error") {
        showNote(data.message);
        if (input && data.client_id && !input.value && panel.dataset.lastBody) input.value = panel.dataset.lastBody;
      } else if (data.type === "chat.ack") {
        panel.dataset.lastAckMs = String(now());
      }
    }

    function connect() {
      // The query is rebuilt on every reconnect: ?after=<last id> asks for what we missed.
      socket = window.Fieldcast.socket(function () {
        return panel.dataset.ws + (lastId ? "?after=" + lastId : "");
      }, {
        baseMs: 500,
        maxMs: 5000,
        onOpen: function () {
          panel.dataset.live = "1";
          state.textContent = "";
        },
        onMessage: onEvent,
        onClose: function () {
          panel.dataset.live = "0";
          state.textContent = s.reconnecting;
        },
      });
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = input.value;
        if (!body.trim()) return;
        if (!socket || !socket.isOpen()) {
          showNote(s.reconnecting);
          return;
        }
        counter += 1;
        showNote("");
        panel.dataset.lastBody = body;
        panel.dataset.lastSentMs = String(now());
        socket.send({ type: "send", body: body, client_id: "c" + counter });
        input.value = "";
      });
    }
    if (slowSelect) {
      slowSelect.addEventListener("change", function () {
        api(panel.dataset.api.replace(/messages\/$/, "settings/"), "PUT", { slow_mode_seconds: Number(slowSelect.value) });
      });
    }
    setSlow(panel.dataset.slowMode);
    setMuted(panel.dataset.mutedUntil);
    showEmpty();
    connect();
  }

  function start() {
    document.querySelectorAll(".chat-panel[data-channel]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
