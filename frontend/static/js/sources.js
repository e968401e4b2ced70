/* Fieldcast live sources page (editors): a grid of live sources whose previews, stats and states
   arrive over /ws/live/sources/, with approve / reject / kill. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sources-config").textContent);
  const t = JSON.parse(document.getElementById("sources-strings").textContent);
  const grid = document.getElementById("source-grid");
  const empty = document.getElementById("sources-empty");
  const template = document.getElementById("source-card-template");
  const FINAL = new Set(["ended", "rejected", "killed"]);

  function card(key) {
    return grid.querySelector('[data-source="' + key + '"]');
  }

  function ensureCard(event) {
    let element = card(event.source);
    if (element) return element;
    if (FINAL.has(event.state)) return null;
    element = template.content.firstElementChild.cloneNode(true);
    element.dataset.source = event.source;
    grid.appendChild(element);
    empty.hidden = true;
    return element;
  }

  function field(element, role) { return element.querySelector('[data-role="' + role + '"]'); }

  function applyState(event) {
    const element = ensureCard(event);
    if (!element) return;
    element.dataset.state = event.state;
    field(element, "state").textContent = event.state_label;
    if (event.title) field(element, "title").textContent = event.title;
    if (event.reporter) field(element, "reporter").textContent = event.reporter;
    if (event.protocol) field(element, "protocol").textContent = event.protocol.toUpperCase();
    field(element, "connected").textContent = FINAL.has(event.state) ? "" : (event.connected ? t.connected : t.reconnecting);
    if (FINAL.has(event.state)) {
      element.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      setTimeout(() => { element.remove(); empty.hidden = grid.children.length > 0; }, 4000);
    }
  }

  function applyPreview(event) {
    const element = card(event.source);
    if (!element) return;
    const img = field(element, "preview");
    img.src = "data:image/jpeg;base64," + event.jpeg;
    img.hidden = false;
    img.dataset.seq = event.seq;
  }

  function applyStats(event) {
    const element = card(event.source);
    if (!element) return;
    const s = event.stats;
    const parts = [];
    if (s.width) parts.push(s.width + "×" + s.height);
    parts.push(s.fps + " " + t.fps);
    if (s.bitrate_kbps !== null && s.bitrate_kbps !== undefined) parts.push(s.bitrate_kbps + " kbit/s");
    if (s.packet_loss !== null && s.packet_loss !== undefined) parts.push(t.loss + " " + (s.packet_loss * 100).toFixed(1) + " %");
    if (s.rtt_ms) parts.push("RTT " + s.rtt_ms + " ms");
    parts.push(t.freezes + " " + s.freezes);
    if (s.last_frame_age !== null && s.last_frame_age !== undefined) parts.push(t.age + " " + s.last_frame_age.toFixed(1) + " s");
    field(element, "stats").textContent = parts.join(" · ");
  }

  // States that changed while the socket was down are lost: read the running sources again.
  async function resume() {
    const result = await window.Fieldcast.api(config.api, { notify: false });
    if (!result.ok || !Array.isArray(result.data)) return;
    const running = new Set();
    result.data.forEach((s) => {
      running.add(s.id);
      applyState({ source: s.id, state: s.state, state_label: s.state_label, title: s.title,
                   reporter: s.reporter, protocol: s.protocol, connected: s.connected });
    });
    grid.querySelectorAll("[data-source]").forEach((element) => {
      if (!running.has(element.dataset.source) && !FINAL.has(element.dataset.state)) {
        element.remove();
      }
    });
    empty.hidden = grid.children.length > 0;
  }

  function connect() {
    window.Fieldcast.socket(config.ws, {
      onMessage: (event) => {
        if (event.type === "source.state") applyState(event);
        else if (event.type === "source.preview") applyPreview(event);
        else if (event.type === "source.stats") applyStats(event);
      },
      onResume: resume,
    });
  }

  grid.addEventListener("click", async (click) => {
    const button = click.target.closest("button[data-action]");
    if (!button) return;
    const element = button.closest("[data-source]");
    button.disabled = true;
    try {
      const result = await window.Fieldcast.api(
        config.api + element.dataset.source + "/" + button.dataset.action + "/",
        { method: "POST", body: {}, notify: (message) => window.Fieldcast.notify(t.failed + " " + message) },
      );
      if (!result.ok) return;
      const body = result.data;
      applyState({ source: body.id, state: body.state, state_label: body.state_label || body.state, connected: body.connected });
    } finally {
      button.disabled = false;
    }
  });

  connect();
})();
