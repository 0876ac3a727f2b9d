// Inside the Saleor Dashboard: take the token its AppBridge hands this frame and sign in with it.
(function () {
  "use strict";
  var box = document.getElementById("appbridge");
  var form = document.getElementById("appbridge-form");
  var origins = (box.dataset.origins || "").split(" ").filter(Boolean);
  var framed = window.parent !== window;
  document.getElementById(framed ? "appbridge-outside" : "appbridge-waiting").hidden = true;
  if (!framed) return;
  window.addEventListener("message", function (event) {
    if (origins.indexOf(event.origin) === -1) return;  // only a configured Dashboard may hand a token
    var data = event.data || {};
    if (data.type === "handshake" && data.payload && data.payload.token) {
      form.elements.token.value = data.payload.token;
      form.submit();
    }
  });
  // Newer Dashboards wait for the app to say it is ready before the handshake; nothing secret is sent.
  window.parent.postMessage({ type: "notifyReady", payload: { actionId: String(Date.now()) } }, "*");
})();
