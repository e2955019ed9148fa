// map.html: scroll to zoom around the pointer, drag to pan (the SVG's viewBox changes; nothing is fetched).
(function () {
  "use strict";
  var svg = document.getElementById("map");
  if (!svg) { return; }
  var box = svg.viewBox.baseVal;
  var full = { x: box.x, y: box.y, width: box.width, height: box.height };
  function point(event) {
    var rect = svg.getBoundingClientRect();
    return { x: box.x + (event.clientX - rect.left) / rect.width * box.width,
             y: box.y + (event.clientY - rect.top) / rect.height * box.height };
  }
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var at = point(event), factor = event.deltaY < 0 ? 0.8 : 1.25;
    var width = Math.min(full.width * 4, Math.max(full.width / 40, box.width * factor));
    var ratio = width / box.width;
    box.x = at.x - (at.x - box.x) * ratio; box.y = at.y - (at.y - box.y) * ratio;
    box.width = width; box.height = box.height * ratio;
  }, { passive: false });
  var dragging = null;
  svg.addEventListener("mousedown", function (event) { dragging = { start: point(event) }; });
  window.addEventListener("mouseup", function () { dragging = null; });
  svg.addEventListener("mousemove", function (event) {
    if (!dragging) { return; }
    var now = point(event);
    box.x -= now.x - dragging.start.x; box.y -= now.y - dragging.start.y;
  });
  svg.addEventListener("dblclick", function () {
    box.x = full.x; box.y = full.y; box.width = full.width; box.height = full.height;
  });
  var choice = document.getElementById("child"), moves = document.getElementById("moves");
  if (choice) {
    choice.addEventListener("change", function () {
      moves.classList.toggle("one", choice.value !== "");
      Array.prototype.forEach.call(moves.querySelectorAll(".move"), function (move) {
        move.classList.toggle("chosen", move.getAttribute("data-child") === choice.value);
      });
    });
  }
  window.linkageMap = { markers: document.querySelectorAll(".marker").length, moves: document.querySelectorAll(".move").length };
}());
