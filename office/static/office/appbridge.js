// Inside the Saleor Dashboard: take the token its AppBridge hands this frame and sign in with it.
// The Dashboard (3.23) sends the same `handshake` twice: when the frame loads (AppFrame.tsx, onLoad) and again
// in reply to our `notifyReady` (appActionsHandler.ts); the form is sent once, or a second sign-in could race
// the first (whose response already rotated the session and CSRF token).
(function () {
  "use strict";
  var box = document.getElementById("appbridge");
  var form = document.getElementById("appbridge-form");
  var origins = (box.dataset.origins || "").split(" ").filter(Boolean);
  var framed = window.parent !== window;
  var sent = false;
  document.getElementById(framed ? "appbridge-outside" : "appbridge-waiting").hidden = true;
  if (!framed) return;
  window.addEventListener("message", function (event) {
    if (sent || origins.indexOf(event.origin) === -1) return;  // only a configured Dashboard may hand a token
    var data = event.data || {};
    if (data.type === "handshake" && data.payload && data.payload.token) {
      sent = true;
      form.elements.token.value = data.payload.token;
      form.submit();
    }
  });
  // Tell the Dashboard this page is ready (it answers with the handshake: needed where the frame loaded before the
  // Dashboard listened); nothing secret is sent.
  window.parent.postMessage({ type: "notifyReady", payload: { actionId: String(Date.now()) } }, "*");
})();
