/* The viewer's live page: the program over HLS (hls.js, or Safari's own), a LIVE badge, and what
   is on air now, kept current by the public /ws/live/<slug>/ socket. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("live-config").textContent);
  const t = JSON.parse($("live-strings").textContent);
  const video = $("live-video");
  let hls = null;
  let running = $("live-badge").dataset.live === "true";
  let retry = null;

  function stopPlayer() {
    clearTimeout(retry);
    if (hls) { hls.destroy(); hls = null; }
    video.removeAttribute("src");
  }

  function startPlayer() {
    if (hls || video.getAttribute("src")) return;
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ liveSyncDurationCount: 3, manifestLoadingMaxRetry: 60, manifestLoadingRetryDelay: 1000 });
      window.fieldcastLiveHls = hls;  // for debugging and the end-to-end test
      hls.loadSource(config.hlsUrl);
      hls.attachMedia(video);
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => {}); });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        stopPlayer();
        if (running) retry = setTimeout(startPlayer, 2000);
      });
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = config.hlsUrl;
      video.play().catch(() => {});
    }
  }

  function apply(state) {
    running = state.running;
    const badge = $("live-badge");
    badge.dataset.live = running ? "true" : "false";
    badge.textContent = running ? t.live : t.off_air;
    $("live-offair").hidden = running;
    $("live-now").hidden = !running;  // nothing is on air: the off-air card says so
    let story = "", reporter = "";
    if (running && state.on_air) {
      story = state.on_air.story;
      reporter = state.on_air.reporter + (state.on_air.location ? " · " + state.on_air.location : "");
    } else if (running && state.video_title) {
      story = state.video_title;
      reporter = t.clip;
    } else if (running) {
      story = t.slate;
    }
    $("live-story").textContent = story;
    $("live-reporter").textContent = reporter;
    if (running) startPlayer(); else stopPlayer();
  }

  // The server sends the current state on every (re)connect: nothing more to catch up.
  function connect() {
    window.Fieldcast.socket(config.ws, {
      baseMs: 1500,
      onMessage: (event) => { if (event.type === "program.public") apply(event); },
    });
  }

  if (running) startPlayer();
  connect();
})();
