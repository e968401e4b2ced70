// Moderation keyboard shortcuts and the review player.
// Queue: j/k move the highlight, Enter opens, x toggles the checkbox (bulk).
// Review screen: j/k go to the next/previous item, a focuses "approve", r focuses "reject".
(function () {
  "use strict";

  function typing(event) {
    var tag = (event.target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
  }

  function setupQueue(list) {
    var rows = Array.prototype.slice.call(list.querySelectorAll("[data-case-id]"));
    var index = -1;
    function highlight(next) {
      if (!rows.length) return;
      index = Math.max(0, Math.min(rows.length - 1, next));
      rows.forEach(function (row, i) { row.classList.toggle("is-current", i === index); });
      rows[index].scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "j") { highlight(index + 1); event.preventDefault(); }
      else if (event.key === "k") { highlight(index - 1); event.preventDefault(); }
      else if (event.key === "Enter" && index >= 0) { window.location.href = rows[index].dataset.href; }
      else if (event.key === "x" && index >= 0) {
        var box = rows[index].querySelector("input[type=checkbox]");
        if (box) box.checked = !box.checked;
      }
    });
  }

  function setupReview() {
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      var link = null;
      if (event.key === "j") link = document.getElementById("next-item");
      if (event.key === "k") link = document.getElementById("previous-item");
      if (link) { window.location.href = link.href; return; }
      var target = null;
      if (event.key === "a") target = document.querySelector("#decide-approve select, #decide-approve button");
      if (event.key === "r") target = document.querySelector("#decide-reject select, #decide-reject button");
      if (target) { target.scrollIntoView({ block: "center" }); target.focus(); event.preventDefault(); }
    });
    var video = document.getElementById("review-player");
    if (!video) return;
    var src = video.dataset.hls;
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    } else if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls();
      hls.loadSource(src);
      hls.attachMedia(video);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("queue-list");
    if (list) setupQueue(list);
    if (document.querySelector("[data-testid=decision-panel]") || document.getElementById("review-player")) {
      setupReview();
    }
  });
})();
