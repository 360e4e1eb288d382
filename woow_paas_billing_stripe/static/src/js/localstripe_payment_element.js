/*
 * Woow PaaS, test mode against localstripe only (loaded after localstripe's
 * fake Stripe.js, never with the real one).
 *
 * Odoo 19's payment_stripe drives Stripe's Payment Element: stripe.elements()
 * with options, elements.update(), elements.submit(), create("payment") and
 * stripe.confirmSetup(). localstripe's Stripe.js only has the card element and
 * confirmCardSetup(). This maps the first onto the second, so that saving a
 * card from /my/payment_method runs Odoo's own code in a real browser: the
 * SetupIntent is confirmed with the card typed in localstripe's inputs, then
 * the browser goes to Odoo's return URL as Stripe would send it there.
 * Payments on session (confirmPayment) are not mapped: localstripe's
 * confirmCardPayment() cannot attach a card typed in the page.
 */
(function () {
    "use strict";
    const LocalStripe = window.Stripe;
    if (!LocalStripe || LocalStripe.woowPaymentElement) {
        return;
    }

    function withParams(url, params) {
        const target = new URL(url, window.location.href);
        for (const [key, value] of Object.entries(params)) {
            target.searchParams.set(key, value);
        }
        return target.toString();
    }

    function PaymentElementStripe(key) {
        const stripe = LocalStripe(key);
        const makeElements = stripe.elements;
        stripe.elements = function () {
            const elements = makeElements();
            elements.update = function () {};
            elements.submit = async function () {
                const card = elements.getElement("card");
                // Odoo shows a thrown error as "Incorrect payment details".
                if (!card || !card.value || !card.value.card.number) {
                    throw new Error("Enter the card number.");
                }
                return {};
            };
            return elements;
        };
        stripe.confirmSetup = async function ({ elements, clientSecret, confirmParams }) {
            const result = await stripe.confirmCardSetup(clientSecret, {
                payment_method: { card: elements.getElement("card") },
            });
            if (result.error) {
                return { error: result.error };
            }
            window.location.assign(
                withParams(confirmParams.return_url, {
                    setup_intent: result.setupIntent.id,
                    setup_intent_client_secret: clientSecret,
                    redirect_status: "succeeded",
                })
            );
            return {};
        };
        stripe.confirmPayment = async function () {
            return { error: { message: "localstripe cannot take a payment on session." } };
        };
        return stripe;
    }
    PaymentElementStripe.woowPaymentElement = true;
    window.Stripe = PaymentElementStripe;
})();
