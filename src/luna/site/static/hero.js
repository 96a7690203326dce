// Replays the landing page's recorded run: each node and edge of the graph appears at its
// time in the recording (data-at, in milliseconds), then the replay starts again. Without
// this script, or for a reader who prefers less motion, the graph is drawn whole.
(function () {
  "use strict";
  var graph = document.querySelector("svg.graph[data-duration]");
  if (!graph || window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
  var parts = Array.prototype.slice.call(graph.querySelectorAll("[data-at]"));
  var duration = Number(graph.getAttribute("data-duration"));
  var HOLD_MS = 2500;
  var timers = [];

  function play() {
    parts.forEach(function (part) { part.classList.remove("shown"); });
    graph.setAttribute("data-replay", "playing");
    parts.forEach(function (part) {
      timers.push(setTimeout(function () {
        part.classList.add("shown");
      }, Number(part.getAttribute("data-at"))));
    });
    timers.push(setTimeout(function () {
      graph.setAttribute("data-replay", "done");
      timers.push(setTimeout(play, HOLD_MS));
    }, duration + 50));
  }

  // Played only while the graph is on screen; from the start each time it comes back.
  new IntersectionObserver(function (entries) {
    timers.forEach(clearTimeout);
    timers = [];
    if (entries[entries.length - 1].isIntersecting) play();
    else parts.forEach(function (part) { part.classList.add("shown"); });
  }).observe(graph);
})();
