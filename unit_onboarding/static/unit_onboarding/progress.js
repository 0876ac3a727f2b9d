// Follows a long job the worker runs (a settlement batch's execution, a CSV import, a statement export): polls
// its progress ({state, done, total, percent}, and a label, the state in words, for [data-progress-state])
// and reloads the page once the job is over, to show its outcome.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-progress-count]");
  var label = document.querySelector("[data-progress-state]");  // optional: the job's state in words
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        count.textContent = count.textContent.replace(/\d+(\D+)\d+/, p.done + "$1" + p.total);
        if (label && p.label) label.textContent = p.label;
        if (p.state === "running") setTimeout(poll, 1500);
        else window.location.reload();  // done or stopped: the page shows the outcome and its actions
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
