/* The watch page: hls.js (or native HLS on Safari) with a quality menu: Auto + each rendition. */
(function () {
  "use strict";

  var video = document.getElementById("player");
  var menu = document.getElementById("quality");
  if (!video) return;
  var source = video.dataset.src;

  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ capLevelToPlayerSize: false });
    hls.loadSource(source);
    hls.attachMedia(video);
    window.fieldcastHls = hls;  // for debugging and the end-to-end test
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
      video.dataset.levels = hls.levels.map(function (level) { return level.height; }).join(",");
    });
    if (menu) {
      menu.addEventListener("change", function () {
        if (menu.value === "auto") {
          hls.currentLevel = -1;  // back to adaptive
          return;
        }
        var wanted = parseInt(menu.value, 10);
        var index = hls.levels.findIndex(function (level) { return level.height === wanted; });
        if (index >= 0) hls.currentLevel = index;
      });
    }
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    // Safari plays HLS itself and picks the rendition; the menu cannot steer it.
    video.src = source;
    if (menu) menu.disabled = true;
  }
})();
