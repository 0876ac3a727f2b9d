// The language menu applies the choice at once (without JavaScript its button does).
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
// Print buttons (packing slips) appear only where JavaScript can print; without it the browser's menu does.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
