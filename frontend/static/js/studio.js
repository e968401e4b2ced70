/* Fieldcast studio (editors): multiview of live sources with tally lights, preview and program
   monitors, the switcher's buttons and keys (1–9 preview, space cut, f fade, s slate, k kill),
   the automatic cut-away state and the on-air log.

   Two websockets: /ws/studio/<slug>/ carries the program's state (on every change), the engine's
   stats and our commands; /ws/live/sources/ carries every source's state, preview and stats. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("studio-config").textContent);
  const t = JSON.parse($("studio-strings").textContent);
  let state = JSON.parse($("studio-state").textContent);
  const FINAL = new Set(["ended", "rejected", "killed"]);
  const CUTTABLE = new Set(["approved", "on_air"]);

  const sources = new Map();   // key -> source data (state from the studio, refreshed by source events)
  const previews = new Map();  // key -> data URL of the latest JPEG
  let socket = null;
  let commandId = 0;
  const pending = new Map();

  const grid = $("multiview"), template = $("tile-template");

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_m, name) => (values[name] === undefined ? "" : values[name]));
  }

  function holds() {
    return Boolean(state.switcher_holder && state.switcher_holder.id === config.userId);
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message ? t.refused + " " + message : "";
    box.hidden = !message;
    if (message) {
      clearTimeout(showError.timer);
      showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
    }
  }

  // --- Commands ---------------------------------------------------------------------------------
  async function command(action, params) {
    params = params || {};
    showError("");
    if (socket && socket.isOpen()) {
      const id = ++commandId;
      socket.send(Object.assign({ type: "command", id: id, action: action }, params));
      return new Promise((resolve) => pending.set(id, resolve));
    }
    const result = await window.Fieldcast.api("/api/v1/programs/" + config.slug + "/" + action + "/", {
      method: "POST", body: params, notify: showError,
    });
    if (!result.ok) return false;
    applyState(result.data);
    return true;
  }

  async function approve(key) {
    const result = await window.Fieldcast.api(config.sourcesApi + key + "/approve/", {
      method: "POST", body: {}, notify: showError,
    });
    if (!result.ok) return;
    updateSource(key, { state: result.data.state, state_label: result.data.state_label });
  }

  function killSource(key) {
    const source = sources.get(key);
    if (!source) return;
    if (!window.confirm(format(t.kill_confirm, { title: source.title }))) return;
    command("kill", { source: key });
  }

  // --- Multiview ---------------------------------------------------------------------------------
  function ordered() {
    return Array.from(sources.values()).filter((s) => !s.gone);
  }

  function tallyOf(key) {
    if (state.mode === "source" && state.program_source === key) return "program";
    if (state.preview_source === key) return "preview";
    return "none";
  }

  function field(element, role) { return element.querySelector('[data-role="' + role + '"]'); }

  function statsText(s) {
    if (!s) return "";
    const parts = [];
    if (s.width) parts.push(s.width + "×" + s.height);
    if (s.fps !== undefined) parts.push(s.fps + " " + t.fps);
    if (s.bitrate_kbps !== null && s.bitrate_kbps !== undefined) parts.push(s.bitrate_kbps + " kbit/s");
    if (s.last_frame_age !== null && s.last_frame_age !== undefined) parts.push(s.last_frame_age.toFixed(1) + " s");
    return parts.join(" · ");
  }

  function renderTiles() {
    const list = ordered();
    $("sources-empty").hidden = list.length > 0;
    const seen = new Set();
    list.forEach((source, index) => {
      seen.add(source.key);
      let tile = grid.querySelector('[data-source="' + source.key + '"]');
      if (!tile) {
        tile = template.content.firstElementChild.cloneNode(true);
        tile.dataset.source = source.key;
        grid.appendChild(tile);
      }
      if (grid.children[index] !== tile) grid.insertBefore(tile, grid.children[index]);
      const tally = tallyOf(source.key);
      tile.dataset.tally = tally;
      tile.dataset.state = source.state;
      field(tile, "number").textContent = index < 9 ? String(index + 1) : "";
      const light = field(tile, "tally");
      light.dataset.tally = tally;
      light.textContent = tally === "program" ? t.on_air : tally === "preview" ? t.preview : "";
      field(tile, "title").textContent = source.title;
      field(tile, "reporter").textContent = source.reporter || "";
      const badge = field(tile, "state");
      badge.textContent = source.state_label || source.state;
      badge.title = CUTTABLE.has(source.state) ? "" : t.not_cuttable;
      field(tile, "connected").textContent = source.connected === false ? "⚠" : "";
      field(tile, "stats").textContent = statsText(source.stats);
      const img = field(tile, "preview");
      if (previews.has(source.key) && img.src !== previews.get(source.key)) {
        img.src = previews.get(source.key);
        img.hidden = false;
      }
      tile.querySelector('[data-tile="approve"]').hidden = source.state !== "live";
      tile.querySelector('[data-tile="preview"]').disabled = !holds();
    });
    grid.querySelectorAll("[data-source]").forEach((tile) => {
      if (!seen.has(tile.dataset.source)) tile.remove();
    });
    renderStandby();
    renderPreviewMonitor();
  }

  function updateSource(key, changes) {
    const source = sources.get(key) || { key: key, title: "", reporter: "", state: "connecting" };
    Object.assign(source, changes);
    sources.set(key, source);
    if (FINAL.has(source.state)) {
      setTimeout(() => { source.gone = true; renderTiles(); }, 3000);
    }
    renderTiles();
  }

  function renderStandby() {
    const select = $("standby");
    const wanted = state.standby_source || "";
    const options = [select.options[0]];
    ordered().filter((s) => CUTTABLE.has(s.state)).forEach((s) => {
      const option = document.createElement("option");
      option.value = s.key;
      option.textContent = s.title + " · " + (s.reporter || "");
      options.push(option);
    });
    select.replaceChildren(...options);
    select.value = wanted;
  }

  function renderPreviewMonitor() {
    const key = state.preview_source;
    const source = key ? sources.get(key) : null;
    const img = $("preview-image");
    $("preview-name").textContent = source ? source.title + " · " + (source.reporter || "") + (CUTTABLE.has(source.state) ? "" : " · " + t.not_cuttable) : "";
    if (key && previews.has(key)) {
      img.src = previews.get(key);
      img.hidden = false;
      $("preview-empty").hidden = true;
    } else {
      img.hidden = true;
      $("preview-empty").hidden = false;
    }
  }

  // --- Program state -------------------------------------------------------------------------------
  function applyState(next) {
    if (next.seq !== undefined && next.seq < state.seq) return;  // an older state arrived late
    state = next;
    (next.sources || []).forEach((s) => {
      const known = sources.get(s.key) || {};
      sources.set(s.key, Object.assign(known, s, { gone: false }));
    });
    render();
  }

  function render() {
    const mine = holds();
    const running = $("running");
    running.dataset.running = state.running ? "true" : "false";
    running.textContent = state.running ? t.running : t.stopped;
    $("holder").textContent = mine ? t.you_hold : state.switcher_holder ? format(t.held_by, { name: state.switcher_holder.name }) : t.nobody_holds;
    $("take").hidden = mine;
    $("hand-over").hidden = !mine;
    $("start").hidden = !mine || state.running;
    $("stop").hidden = !mine || !state.running;
    document.querySelectorAll("[data-command]").forEach((button) => {
      button.disabled = button.dataset.command === "kill" ? false : !mine || !state.running;
    });
    $("lower-third").checked = state.lower_third_visible;
    $("lower-third").disabled = !mine;
    $("standby").disabled = !mine;
    let onProgram = t.none;
    if (!state.running) onProgram = t.stopped;
    else if (state.mode === "slate") onProgram = t.slate;
    else if (state.mode === "video" && state.video) onProgram = t.video + ": " + state.video.title;
    else if (state.mode === "source" && state.program_source) {
      const source = sources.get(state.program_source);
      onProgram = source ? source.title + " · " + (source.reporter || "") : "";
    }
    $("program-name").textContent = onProgram;
    const away = state.auto_cutaway_active && state.cutaway_from ? sources.get(state.cutaway_from) : null;
    const cutaway = $("cutaway");
    cutaway.dataset.active = state.auto_cutaway_active ? "true" : "false";
    cutaway.textContent = state.auto_cutaway_active
      ? format(t.cutaway_active, { source: away ? away.title : "?" })
      : t.cutaway_idle + " (" + state.cutaway_after_seconds + " s" + (state.cutaway_min_kbps ? ", " + state.cutaway_min_kbps + " kbit/s" : "") + ")";
    renderTiles();
    renderLog();
    ensureMonitor();
  }

  function renderLog() {
    const items = (state.log || []).map((entry) => {
      const li = document.createElement("li");
      li.dataset.action = entry.action;
      const time = document.createElement("time");
      time.dateTime = entry.at;
      time.textContent = new Date(entry.at).toLocaleTimeString();
      const what = document.createElement("strong");
      what.textContent = entry.action_label;
      li.append(time, " ", what);
      const bits = [];
      if (entry.source_title) bits.push(entry.source_title + (entry.reporter ? " (" + entry.reporter + ")" : ""));
      if (entry.video_title) bits.push(entry.video_title);
      if (entry.detail) bits.push(entry.detail);
      bits.push(entry.automatic ? t.automatic : entry.actor);
      li.append(" " + bits.join(" · "));
      if (entry.automatic) li.classList.add("log-auto");
      return li;
    });
    $("log").replaceChildren(...items);
  }

  // --- Program monitor: WHEP when the engine offers it, else the program HLS --------------------
  const monitor = $("program-video");
  let monitorKind = null, peer = null, hls = null, whepLocation = null, retry = null;

  function stopMonitor() {
    if (peer) { peer.close(); peer = null; }
    if (whepLocation) {
      window.Fieldcast.api(whepLocation, { method: "DELETE", notify: false });
      whepLocation = null;
    }
    if (hls) { hls.destroy(); hls = null; }
    monitor.removeAttribute("src");
    monitor.srcObject = null;
    monitorKind = null;
    $("program-output").textContent = "";
  }

  function iceGathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 1500);
    });
  }

  async function startWhep() {
    if (!window.RTCPeerConnection) return false;
    const pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.ontrack = (event) => {
      if (!monitor.srcObject) monitor.srcObject = event.streams[0] || new MediaStream();
      if (!event.streams[0]) monitor.srcObject.addTrack(event.track);
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc);
      // No WHEP here is not an error for the editor: the monitor falls back to HLS.
      const result = await window.Fieldcast.api(config.whepUrl, {
        method: "POST", body: pc.localDescription.sdp, contentType: "application/sdp", notify: false,
      });
      if (result.status !== 201) { pc.close(); return false; }
      whepLocation = result.headers.get("Location");
      await pc.setRemoteDescription({ type: "answer", sdp: result.text });
    } catch (error) {
      pc.close();
      return false;
    }
    pc.addEventListener("connectionstatechange", () => {
      if (peer === pc && (pc.connectionState === "failed" || pc.connectionState === "closed")) {
        stopMonitor();
        scheduleMonitor();
      }
    });
    peer = pc;
    return true;
  }

  function startHls() {
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 30, manifestLoadingRetryDelay: 1000 });
      hls.loadSource(config.hlsUrl);
      hls.attachMedia(monitor);
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) { stopMonitor(); scheduleMonitor(); }
      });
    } else {
      monitor.src = config.hlsUrl;
    }
    monitor.play().catch(() => {});
    return true;
  }

  function scheduleMonitor() {
    clearTimeout(retry);
    retry = setTimeout(ensureMonitor, 2000);
  }

  async function ensureMonitor() {
    if (!state.running) { stopMonitor(); return; }
    if (monitorKind) return;
    monitorKind = "starting";
    if (await startWhep()) {
      monitorKind = "whep";
      $("program-output").textContent = "WHEP";
      return;
    }
    startHls();
    monitorKind = "hls";
    $("program-output").textContent = "HLS";
  }

  function applyEngineStats(event) {
    const parts = [];
    const value = (...names) => { for (const n of names) if (event[n] !== undefined && event[n] !== null) return event[n]; return undefined; };
    const fps = value("fps");
    if (fps !== undefined) parts.push(Number(fps).toFixed(1) + " " + t.fps);
    const dropped = value("dropped_frames", "dropped");
    if (dropped !== undefined) parts.push(t.dropped + " " + dropped);
    const lag = value("encoder_lag_ms", "lag_ms");
    if (lag !== undefined) parts.push(t.lag + " " + Math.round(lag) + " ms");
    const segments = value("segments_written", "segments");
    if (segments !== undefined) parts.push(t.segments + " " + segments);
    const viewers = value("whep_viewers", "viewers");
    if (viewers !== undefined) parts.push(t.viewers + " " + viewers);
    $("engine-stats").textContent = parts.join(" · ");
  }

  // --- Sockets ---------------------------------------------------------------------------------------
  // Both sockets: the server sends the program's whole state on every (re)connect; a source's
  // state missed while away is read again (onResume).
  function connectStudio() {
    socket = window.Fieldcast.socket(config.ws, {
      baseMs: 1500,
      onOpen: () => { document.body.dataset.studioSocket = "open"; },
      onMessage: (event) => {
        if (event.type === "program.state") applyState(event);
        else if (event.type === "program.stats") applyEngineStats(event);
        else if (event.type === "command.ok" || event.type === "command.error") {
          if (event.type === "command.error") showError(event.message);
          const resolve = pending.get(event.id);
          pending.delete(event.id);
          if (resolve) resolve(event.type === "command.ok");
        }
      },
      onClose: () => {
        document.body.dataset.studioSocket = "closed";
        // Commands sent on the dropped socket get no answer: settle them as not done.
        pending.forEach((resolve) => resolve(false));
        pending.clear();
      },
    });
  }

  async function resumeSources() {
    const result = await window.Fieldcast.api(config.sourcesApi, { notify: false });
    if (!result.ok || !Array.isArray(result.data)) return;
    result.data.forEach((s) => updateSource(s.id, {
      state: s.state, state_label: s.state_label, title: s.title, reporter: s.reporter, connected: s.connected,
    }));
  }

  function connectSources() {
    window.Fieldcast.socket(config.sourcesWs, {
      baseMs: 1500,
      onResume: resumeSources,
      onMessage: (event) => {
        if (event.type === "source.state") {
          updateSource(event.source, {
            state: event.state, state_label: event.state_label, title: event.title,
            reporter: event.reporter, connected: event.connected,
          });
        } else if (event.type === "source.preview") {
          previews.set(event.source, "data:image/jpeg;base64," + event.jpeg);
          const tile = grid.querySelector('[data-source="' + event.source + '"]');
          if (tile) { const img = field(tile, "preview"); img.src = previews.get(event.source); img.hidden = false; }
          if (event.source === state.preview_source) renderPreviewMonitor();
        } else if (event.type === "source.stats") {
          const source = sources.get(event.source);
          if (source) {
            source.stats = event.stats;
            const tile = grid.querySelector('[data-source="' + event.source + '"]');
            if (tile) field(tile, "stats").textContent = statsText(event.stats);
          }
        }
      },
    });
  }

  // --- Buttons and keys ------------------------------------------------------------------------------
  function fadeMs() {
    const value = parseInt($("fade-ms").value, 10);
    return Number.isFinite(value) ? value : 1000;
  }

  function killTarget() {
    if (state.mode === "source" && state.program_source) return state.program_source;
    return state.preview_source;
  }

  function run(action) {
    if (action === "cut") command("cut");
    else if (action === "fade") command("fade", { duration_ms: fadeMs() });
    else if (action === "slate") command("slate");
    else if (action === "kill") { const key = killTarget(); if (key) killSource(key); }
    else if (action === "video") {
      const clip = parseInt($("clip").value, 10);
      if (clip) command("video", { video: clip });
    }
  }

  document.querySelectorAll("[data-command]").forEach((button) => {
    button.addEventListener("click", () => run(button.dataset.command));
  });
  $("take").addEventListener("click", () => command("take"));
  $("release").addEventListener("click", () => {
    const to = parseInt($("hand-to").value, 10);
    command("hand_over", { to_user: Number.isFinite(to) ? to : null });
  });
  $("start").addEventListener("click", () => command("start"));
  $("stop").addEventListener("click", () => command("stop"));
  $("lower-third").addEventListener("change", (e) => command("lower_third", { visible: e.target.checked }));
  $("standby").addEventListener("change", (e) => command("standby", { source: e.target.value || null }));
  const slateForm = $("slate-form");
  async function sendSlate(method, file) {
    const options = { method: method, notify: showError };
    if (file) { options.body = new FormData(); options.body.append("image", file); }
    const result = await window.Fieldcast.api("/api/v1/programs/" + config.slug + "/slate-image/", options);
    if (!result.ok) return;
    showError("");
    slateForm.dataset.saved = "true";
    slateForm.title = t.slate_saved;
  }
  if (slateForm) {
    slateForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = $("slate-file").files[0];
      if (file) sendSlate("POST", file);
    });
    $("slate-reset").addEventListener("click", () => sendSlate("DELETE", null));
  }
  const channel = $("channel");
  if (channel) channel.addEventListener("change", () => { window.location.href = channel.value; });

  grid.addEventListener("click", (click) => {
    const tile = click.target.closest("[data-source]");
    if (!tile) return;
    const button = click.target.closest("button[data-tile]");
    const key = tile.dataset.source;
    if (!button) { if (holds()) command("preview", { source: key }); return; }
    if (button.dataset.tile === "preview") command("preview", { source: key });
    else if (button.dataset.tile === "approve") approve(key);
    else if (button.dataset.tile === "kill") killSource(key);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName))) return;
    if (/^[1-9]$/.test(event.key)) {
      const source = ordered()[parseInt(event.key, 10) - 1];
      if (source) command("preview", { source: source.key });
    } else if (event.key === " ") { event.preventDefault(); run("cut"); }
    else if (event.key === "f" || event.key === "F") run("fade");
    else if (event.key === "s" || event.key === "S") run("slate");
    else if (event.key === "k" || event.key === "K") run("kill");
    else return;
  });

  window.addEventListener("beforeunload", stopMonitor);
  applyState(state);
  connectStudio();
  connectSources();
})();
