// The pictures panel: draw the region to blur on the picture; it fills the "blur" field in %.
// Without JavaScript the field is typed by hand; nothing here is needed to review a picture.
(function () {
  "use strict";
  document.querySelectorAll(".picture-blur").forEach(function (box) {
    var field = box.querySelector("input.blur-region");
    var stage = document.createElement("div");
    stage.className = "blur-stage";
    var image = document.createElement("img");
    image.src = box.getAttribute("data-picture");
    image.alt = "";
    image.draggable = false;
    var mark = document.createElement("div");
    mark.className = "blur-mark";
    stage.appendChild(image);
    stage.appendChild(mark);
    box.appendChild(stage);
    var start = null;
    function at(event) {
      var r = image.getBoundingClientRect();
      return {
        x: Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)),
        y: Math.min(1, Math.max(0, (event.clientY - r.top) / r.height))
      };
    }
    function show(v) {
      mark.style.display = v ? "block" : "none";
      if (!v) { return; }
      mark.style.left = v[0] + "%"; mark.style.top = v[1] + "%";
      mark.style.width = v[2] + "%"; mark.style.height = v[3] + "%";
    }
    function parse() {
      var v = field.value.split(/[,\s]+/).filter(Boolean).map(Number);
      return v.length === 4 && v.every(isFinite) ? v : null;
    }
    show(parse());
    field.addEventListener("input", function () { show(parse()); });
    stage.addEventListener("pointerdown", function (event) {
      start = at(event);
      stage.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    stage.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      var p = at(event);
      var v = [Math.min(start.x, p.x), Math.min(start.y, p.y),
               Math.abs(p.x - start.x), Math.abs(p.y - start.y)].map(function (n) {
        return Math.round(n * 1000) / 10;
      });
      field.value = v.join(", ");
      show(v);
    });
    stage.addEventListener("pointerup", function () {
      start = null;
      var radio = box.closest("form").querySelector("input[value=blurred]");
      if (radio && parse()) { radio.checked = true; }
    });
  });
})();
