(function () {
  "use strict";
  var objective = document.getElementById("f-objective");
  var status = document.getElementById("f-status");
  var count = document.getElementById("f-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#backlog tbody tr"));
  function apply() {
    var o = objective.value, s = status.value, shown = 0;
    rows.forEach(function (row) {
      var keep = (!o || row.dataset.objective === o) && (!s || row.dataset.status === s);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " open issues shown";
  }
  if (objective && status && count) {
    objective.addEventListener("change", apply);
    status.addEventListener("change", apply);
    Array.prototype.forEach.call(document.querySelectorAll("button[data-backlog]"), function (button) {
      button.addEventListener("click", function () {
        objective.value = button.dataset.backlog;
        status.value = "";
        apply();
        document.getElementById("backlog-title").scrollIntoView();
        objective.focus();
      });
    });
    apply();
  }
})();
