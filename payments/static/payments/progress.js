// Follows a settlement batch's execution: polls its progress and reloads the page once the worker is done.
(function () {
  "use strict";
  var box = document.getElementById("execution");
  if (!box) return;
  var bar = document.getElementById("execution-bar");
  var count = document.getElementById("execution-count");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        count.textContent = count.textContent.replace(/\d+(\D+)\d+/, p.sent + "$1" + p.total);
        if (p.state === "running") setTimeout(poll, 1500);
        else window.location.reload();  // done or stopped: the page shows the outcome and its actions
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
