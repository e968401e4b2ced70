/* The upload page: tus-js-client (resumable, automatic resume by fingerprint) with progress,
 * speed and time left, pause/resume; then the processing bar fed by /ws/me/; then the state. */
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form || !window.tus) return;
  var strings = JSON.parse(document.getElementById("upload-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var inputs = [$("upload-camera"), $("upload-file")];
  var chosen = null;
  var upload = null;
  var videoId = null;
  var lastState = null;
  var samples = [];  // [time, bytes] over the last few seconds, for the speed

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function humanBytes(bytes) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  function humanTime(seconds) {
    if (seconds < 90) return fmt(strings.seconds, { n: Math.max(1, Math.round(seconds)) });
    if (seconds < 5400) return fmt(strings.minutes, { n: Math.round(seconds / 60) });
    return fmt(strings.hours, { n: (seconds / 3600).toFixed(1) });
  }

  function showError(message) {
    var box = $("upload-error");
    box.textContent = message;
    box.hidden = !message;
  }

  function showStatus(message, strong) {
    var box = $("upload-status");
    box.textContent = message;
    box.hidden = !message;
    box.classList.toggle("notice-strong", !!strong);
  }

  function take(input) {
    if (!input.files.length) return;
    chosen = input.files[0];
    $("upload-chosen").textContent = chosen.name + " · " + humanBytes(chosen.size);
    if (!$("upload-title").value) {
      $("upload-title").value = chosen.name.replace(/\.[^.]+$/, "").slice(0, 200);
    }
    showError("");
  }

  inputs.forEach(function (input) {
    input.addEventListener("change", function () { take(input); });
    // A file picked while this script was still loading (a slow phone network) fired its change
    // event before anyone listened: take it now.
    take(input);
  });

  function serverMessage(error) {
    // tus-js-client keeps the server's response: our tus endpoint answers in plain text.
    var response = error && error.originalResponse;
    var body = response && response.getBody && response.getBody();
    return (body && body.trim()) || (error && error.message) || "";
  }

  function setBar(bar, label, percent) {
    bar.value = percent;
    label.textContent = percent + "%";
  }

  function onProgress(sent, total) {
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    setBar($("upload-bar"), $("upload-percent"), percent);
    var now = Date.now();
    samples.push([now, sent]);
    while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
    var first = samples[0];
    var seconds = (now - first[0]) / 1000;
    if (seconds > 0.5 && sent > first[1]) {
      var speed = (sent - first[1]) / seconds;
      $("upload-speed").textContent = fmt(strings.speed, { speed: humanBytes(speed) });
      $("upload-eta").textContent = fmt(strings.eta, { time: humanTime((total - sent) / speed) });
    }
  }

  function start() {
    upload = new tus.Upload(chosen, {
      endpoint: form.dataset.endpoint,
      // Keep trying through a weak network: about 10 minutes of back-off, then the online event.
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000, 60000, 60000, 60000, 60000],
      chunkSize: 16 * 1024 * 1024,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      metadata: {
        filename: chosen.name,
        filetype: chosen.type || "",
        title: $("upload-title").value.trim(),
        description: $("upload-description").value.trim(),
        assignment: $("upload-assignment").value.trim(),
      },
      onAfterResponse: function (_req, res) {
        var id = res.getHeader("Fieldcast-Video-Id");
        if (id) videoId = parseInt(id, 10);
      },
      onProgress: onProgress,
      onError: function (error) {
        showError(fmt(strings.failed, { reason: serverMessage(error) }));
        $("upload-pause").hidden = true;
        $("upload-resume").hidden = false;
      },
      onSuccess: function () {
        setBar($("upload-bar"), $("upload-percent"), 100);
        $("upload-pause").hidden = true;
        $("upload-resume").hidden = true;
        $("upload-eta").textContent = "";
        showStatus(strings.uploaded);
        $("processing").hidden = false;
        followVideo();
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        showStatus(strings.resumed);
      }
      upload.start();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!chosen) { showError(strings.noFile); return; }
    if (!$("upload-title").value.trim()) { showError(strings.noTitle); return; }
    var max = parseInt(form.dataset.maxBytes, 10);
    if (chosen.size > max) {
      var size = humanBytes(chosen.size), limit = humanBytes(max);
      if (size === limit) {
        // Rounded alike ("4.0 GB" twice): give both exactly.
        size = fmt(strings.bytes, { count: chosen.size.toLocaleString("en-US") });
        limit = fmt(strings.bytes, { count: max.toLocaleString("en-US") });
      }
      showError(fmt(strings.tooBig, { size: size, limit: limit }));
      return;
    }
    showError("");
    form.hidden = true;
    $("upload-progress").hidden = false;
    start();
  });

  $("upload-pause").addEventListener("click", function () {
    if (!upload) return;
    upload.abort();
    $("upload-pause").hidden = true;
    $("upload-resume").hidden = false;
    showStatus(strings.paused);
  });

  $("upload-resume").addEventListener("click", function () {
    if (!upload) return;
    $("upload-pause").hidden = false;
    $("upload-resume").hidden = true;
    showError("");
    showStatus("");
    samples = [];
    upload.start();
  });

  window.addEventListener("offline", function () { if (upload) showStatus(strings.offline); });
  window.addEventListener("online", function () {
    // tus-js-client may have given up while offline: pick up again at the stored offset.
    if (upload && $("upload-resume").hidden === false && $("upload-pause").hidden) {
      $("upload-resume").click();
    }
  });

  // --- After the upload: the processing bar and the state, live from /ws/me/ ---------------

  function applyState(state, progress, reason) {
    if (state === "uploaded" || state === "processing") {
      $("processing").hidden = false;
      if (typeof progress === "number" && state === "processing") {
        setBar($("processing-bar"), $("processing-percent"), Math.max(progress, $("processing-bar").value));
      }
      showStatus(strings.processing);
    } else if (state === "pending_review") {
      setBar($("processing-bar"), $("processing-percent"), 100);
      showStatus(strings.waiting, true);
    } else if (state === "published") {
      setBar($("processing-bar"), $("processing-percent"), 100);
      showStatus(strings.published, true);
    } else if (state === "failed") {
      showStatus("");
      showError(fmt(strings.videoFailed, { reason: reason || "" }));
    }
    lastState = state;
  }

  function onEvent(event) {
    if (!videoId || event.video_id !== videoId) return;
    if (event.type === "video.progress" && (lastState === "processing" || lastState === "uploaded" || lastState === null)) {
      setBar($("processing-bar"), $("processing-percent"), Math.max(event.percent, $("processing-bar").value));
    } else if (event.type === "video.state") {
      applyState(event.state, event.progress, event.reason);
    }
  }

  var socket = null;
  var pollTimer = null;

  function connect() {
    // Events sent while the socket was down are lost: read the video's state again on resume.
    socket = window.Fieldcast.socket(form.dataset.socket, { onMessage: onEvent, onResume: fetchState });
  }

  function fetchState() {
    if (!videoId) return;
    // Quiet: the upload itself worked; the socket or the next poll brings the state.
    window.Fieldcast.api(form.dataset.videoApi + videoId + "/", { notify: false }).then(function (result) {
      var video = result.data;
      if (result.ok && video) applyState(video.state, video.progress, video.state_reason);
    });
  }

  function followVideo() {
    fetchState();  // events sent before the socket joined are not lost
    // A slow safety net in case the socket cannot connect (a proxy without websockets).
    pollTimer = setInterval(function () {
      if (lastState === "pending_review" || lastState === "published" || lastState === "failed") {
        clearInterval(pollTimer);
        return;
      }
      if (!socket || !socket.isOpen()) fetchState();
    }, 5000);
  }

  connect();
})();
