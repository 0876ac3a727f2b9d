// The payment page: Stripe's Payment Element, or (localstripe only) a Card Element whose token this service
// confirms. A static file, so the page's Content-Security-Policy needs no inline script.
(function () {
  const config = JSON.parse(document.getElementById("stripe-config").textContent);
  const stripe = Stripe(config.publishableKey);
  const form = document.getElementById("payment-form");
  const button = document.getElementById("pay");
  const errorBox = document.getElementById("payment-error");
  function showError(message) {  // declined or invalid details: the buyer may correct them and pay again
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }
  if (document.getElementById("card-element")) {
    const card = stripe.elements().create("card");
    card.mount("#card-element");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;
      errorBox.hidden = true;
      const { token, error } = await stripe.createToken(card);
      if (error) { showError(error.message); return; }
      document.getElementById("card-token").value = token.id;
      form.submit();
    });
  } else {
    const elements = stripe.elements({ clientSecret: config.clientSecret });
    elements.create("payment").mount("#payment-element");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;  // one confirmation at a time; the PaymentIntent itself can succeed only once
      errorBox.hidden = true;
      const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: config.returnUrl } });
      if (error) { showError(error.message); }
    });
  }
})();
