(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings tbody.finding"));
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");
  function matches(row, name) {
    var wanted = form.elements[name].value;
    return !wanted || row.getAttribute("data-" + name) === wanted;
  }
  function apply() {
    var count = 0;
    rows.forEach(function (row) {
      var visible = matches(row, "severity") && matches(row, "rule") && matches(row, "status");
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = String(count);
    none.hidden = count !== 0;
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
