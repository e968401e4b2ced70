/* Fieldcast go-live page: camera preview, WHIP publish (RFC 9725), quality presets, live stats,
   automatic reconnect with back-off into the same live source, and the state the server pushes. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("golive-config").textContent);
  const t = JSON.parse(document.getElementById("golive-strings").textContent);
  const $ = (id) => document.getElementById(id);
  const video = $("preview"), pill = $("state"), detail = $("state-detail");
  const goButton = $("go"), stopButton = $("stop");
  const cameraSelect = $("camera"), qualitySelect = $("quality"), titleInput = $("title");

  const FINAL = new Set(["ended", "rejected", "killed"]);
  let stream = null;        // the camera's MediaStream
  let pc = null;            // the current peer connection
  let location_ = null;     // the WHIP session URL
  let sourceKey = null;     // the LiveSource this page feeds
  let socket = null;
  let wanted = false;       // the reporter wants to be live
  let serverState = null;
  let retry = 0, retryTimer = null, statsTimer = null, lastBytes = null;
  let attemptAt = 0;        // when the current connection attempt started

  function preset() {
    return config.presets.find((p) => p.id === qualitySelect.value) || config.presets[0];
  }

  function show(state, text) {
    pill.dataset.state = state;
    pill.textContent = t[state] || state;
    detail.textContent = text || t[state + "_detail"] || "";
  }

  async function startCamera() {
    show("idle", t.camera);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    const p = preset();
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: cameraSelect.value, height: { ideal: Math.max(p.height, 720) },
               frameRate: { ideal: 30 } },
      audio: true,
    });
    video.srcObject = stream;
    show(serverState || "idle", serverState ? null : "");
  }

  async function applyQuality() {
    if (!pc) return;
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === "video");
    if (!sender) return;
    const p = preset();
    const height = (sender.track.getSettings().height) || p.height;
    const params = sender.getParameters();
    if (!params.encodings || !params.encodings.length) params.encodings = [{}];
    params.encodings[0].maxBitrate = p.bitrate;
    params.encodings[0].maxFramerate = p.fps;
    params.encodings[0].scaleResolutionDownBy = Math.max(1, height / p.height);
    params.degradationPreference = "maintain-framerate";
    try { await sender.setParameters(params); } catch (e) { /* older browsers: keep defaults */ }
  }

  function waitForIce(peer) {
    // Non-trickle WHIP: send the offer with the candidates gathered within a moment.
    if (peer.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (peer.iceGatheringState === "complete") resolve(); };
      peer.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 2000);
    });
  }

  async function connect() {
    clearTimeout(retryTimer);
    if (!wanted) return;
    show("connecting", retry ? t.reconnecting : "");
    if (!stream || stream.getTracks().some((track) => track.readyState === "ended")) {
      // The camera was taken away (a call, the OS): start it again before reconnecting.
      try { await startCamera(); } catch (e) { reconnect(); return; }
    }
    const peer = new RTCPeerConnection({ iceServers: config.iceServers || [] });
    pc = peer;
    attemptAt = performance.now();
    stream.getTracks().forEach((track) => peer.addTransceiver(track, { direction: "sendonly", streams: [stream] }));
    peer.addEventListener("connectionstatechange", () => {
      if (peer !== pc) return;
      if (peer.connectionState === "failed" || peer.connectionState === "disconnected") {
        // A drop: come back into the same source (same key within the grace period).
        setTimeout(() => { if (peer === pc && peer.connectionState !== "connected") reconnect(); },
                   peer.connectionState === "failed" ? 0 : 2000);
      }
    });
    try {
      if (!config.secret) {
        // The page's stream key secret is issued on request (a POST: loading the page changes
        // nothing), once per go-live session; reconnects reuse it.
        const keyResponse = await fetch(config.keyUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": config.csrf, "Content-Type": "application/x-www-form-urlencoded" },
          body: "assignment=" + encodeURIComponent(config.assignment || ""),
        });
        if (!keyResponse.ok || keyResponse.redirected) {  // redirected: the session ended
          let message = "";
          try { message = (await keyResponse.json()).error.message; } catch (e) { /* not JSON */ }
          wanted = false;
          teardown();
          show("idle", t.refused + " " + message);
          return;
        }
        config.secret = (await keyResponse.json()).secret;
      }
      await peer.setLocalDescription(await peer.createOffer());
      await waitForIce(peer);
      const title = encodeURIComponent(titleInput.value.trim());
      // The page shows refusals in its own state line; other failures just reconnect.
      const result = await window.Fieldcast.api(config.whipUrl + (title ? "?title=" + title : ""), {
        method: "POST",
        headers: { "Authorization": "Bearer " + config.secret },
        body: peer.localDescription.sdp,
        contentType: "application/sdp",
        notify: false,
      });
      if (result.status === 401 || result.status === 403 || result.status === 400) {
        wanted = false;
        teardown();
        show("idle", t.refused + " " + (result.error.code.startsWith("http_") ? "" : result.error.message));
        return;
      }
      if (result.status !== 201) throw new Error("HTTP " + result.status);
      location_ = new URL(result.headers.get("Location"), window.location.href).href;
      const key = result.headers.get("Fieldcast-Source");
      if (key && key !== sourceKey) { sourceKey = key; openSocket(); }
      await peer.setRemoteDescription({ type: "answer", sdp: result.text });
      await applyQuality();
      retry = 0;
      if (!serverState || serverState === "connecting") show("connecting");
      else show(serverState);
    } catch (error) {
      if (peer === pc) reconnect();
    }
  }

  function reconnect() {
    if (!wanted || FINAL.has(serverState)) return;
    if (pc) { try { pc.close(); } catch (e) { /* already closed */ } pc = null; }
    retry += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(retry, 5));  // 1 s, 2 s, 4 s … 10 s
    show("connecting", t.reconnecting);
    retryTimer = setTimeout(connect, delay);
  }

  // The studio's tally: "ON AIR" while this source is on program, "Preview" on the preview bus.
  const tally = $("tally");
  function showTally(value) {
    tally.dataset.tally = value;
    tally.textContent = value === "program" ? tally.dataset.program : value === "preview" ? tally.dataset.preview : "";
    tally.hidden = value !== "program" && value !== "preview";
  }

  // The server says the source's state on every (re)connect: nothing more to catch up.
  function openSocket() {
    if (socket) socket.close();
    socket = window.Fieldcast.socket(config.wsBase + sourceKey + "/", {
      onMessage: (event) => {
        if (event.type === "source.tally" && event.source === sourceKey) showTally(event.tally);
        if (event.type === "source.state" && event.source === sourceKey) {
          serverState = event.state;
          // On air means on program (the studio keeps them in step): right after a reload too.
          if (event.state === "on_air") showTally("program");
          else if (FINAL.has(event.state) || tally.dataset.tally === "program") showTally("none");
          if (FINAL.has(event.state)) {
            wanted = false;
            teardown();
            show(event.state, event.reason ? t[event.state + "_detail"] + " " + event.reason : null);
          } else if (event.connected === false && wanted && pc && performance.now() - attemptAt > 3000) {
            // The server lost us (a stall, a replaced session) before the browser noticed.
            reconnect();
          } else if (pc && pc.connectionState !== "failed") {
            show(event.state);
          }
        }
      },
    });
  }

  async function updateStats() {
    if (!pc) return;
    const report = await pc.getStats();
    let bytes = null, rtt = null, lost = null, sent = null, width = null, height = null, fps = null;
    report.forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") {
        bytes = s.bytesSent; sent = s.packetsSent; width = s.frameWidth; height = s.frameHeight; fps = s.framesPerSecond;
      }
      if (s.type === "remote-inbound-rtp" && s.kind === "video") {
        if (s.roundTripTime !== undefined) rtt = s.roundTripTime;
        if (s.packetsLost !== undefined) lost = s.packetsLost;
      }
      if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined && rtt === null) rtt = s.currentRoundTripTime;
    });
    const now = performance.now();
    if (bytes !== null && lastBytes) {
      $("stat-bitrate").textContent = Math.round((bytes - lastBytes.bytes) * 8 / (now - lastBytes.at)) + " kbit/s";
    }
    if (bytes !== null) lastBytes = { bytes: bytes, at: now };
    if (rtt !== null) $("stat-rtt").textContent = Math.round(rtt * 1000) + " ms";
    if (lost !== null && sent) $("stat-loss").textContent = (100 * lost / (lost + sent)).toFixed(1) + " %";
    if (width) $("stat-picture").textContent = width + "×" + height + (fps ? " · " + Math.round(fps) + " fps" : "");
  }

  function teardown() {
    clearTimeout(retryTimer);
    if (pc) { try { pc.close(); } catch (e) { /* closed */ } pc = null; }
    goButton.hidden = false;
    stopButton.hidden = true;
  }

  goButton.addEventListener("click", async () => {
    if (!stream) {
      try { await startCamera(); } catch (e) { show("idle", t.camera_failed); return; }
    }
    wanted = true; retry = 0; serverState = null; sourceKey = null;
    goButton.hidden = true;
    stopButton.hidden = false;
    connect();
  });

  stopButton.addEventListener("click", async () => {
    wanted = false;
    const url = location_;
    teardown();
    if (url) {
      await window.Fieldcast.api(url, { method: "DELETE", headers: { "Authorization": "Bearer " + config.secret }, notify: false });
    }
    show("ended");
  });

  cameraSelect.addEventListener("change", async () => {
    try {
      await startCamera();
      if (pc) {
        for (const sender of pc.getSenders()) {
          const track = stream.getTracks().find((tr) => sender.track && tr.kind === sender.track.kind);
          if (track) await sender.replaceTrack(track);
        }
        await applyQuality();
      }
    } catch (e) { show(serverState || "idle", t.camera_failed); }
  });
  qualitySelect.addEventListener("change", applyQuality);
  window.addEventListener("pagehide", () => {
    if (location_ && wanted) {
      window.Fieldcast.api(location_, { method: "DELETE", keepalive: true, headers: { "Authorization": "Bearer " + config.secret }, notify: false });
    }
  });

  statsTimer = setInterval(() => { updateStats().catch(() => {}); }, 1000);
  startCamera().catch(() => show("idle", t.camera_failed));
})();
