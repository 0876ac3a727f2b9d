// Suggestions under the search box as one types (words of the catalogue, then products).
// Progressive enhancement: without this script the form still submits to the search page.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) return;
  var url = input.getAttribute("data-suggest");
  var timer = null;
  var latest = 0;
  var active = -1;

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
  }

  function item(text, href, kind, index) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    li.id = "q-suggestion-" + index;
    li.className = kind;
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.tabIndex = -1;
    li.appendChild(a);
    return li;
  }

  function show(data) {
    list.textContent = "";
    var index = 0;
    (data.terms || []).forEach(function (t) { list.appendChild(item(t.term, t.url, "term", index++)); });
    (data.products || []).forEach(function (p) { list.appendChild(item(p.name, p.url, "product", index++)); });
    list.hidden = index === 0;
    active = -1;
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); return; }
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { terms: [], products: [] }; })
      .then(function (data) { if (ticket === latest) show(data); })
      .catch(close);
  }

  function move(step) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    if (active >= 0) options[active].removeAttribute("aria-selected");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = list.querySelectorAll("[role=option] a")[active].href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
