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
 * Paying on session (an invoice's Pay Now: confirmPayment) confirms the
 * PaymentIntent the way Stripe.js does, with the publishable key, the
 * intent's client secret and the card typed (scripts/localstripe_launcher.py
 * teaches localstripe that call); a card asking for authentication gets
 * localstripe's 3-D Secure dialog.
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

    // localstripe serves its Stripe.js under <its base URL>/js.stripe.com/v3/.
    const localStripeScript = [...document.querySelectorAll("script[src]")].find((script) =>
        /\/js\.stripe\.com\/v3\/$/.test(script.src)
    );
    const localStripeBase = localStripeScript
        ? localStripeScript.src.replace(/\/js\.stripe\.com\/v3\/$/, "")
        : "";

    function cardOf(elements) {
        const card = elements.getElement("card");
        return card && card.value && card.value.card.number ? card : null;
    }

    function PaymentElementStripe(key) {
        const stripe = LocalStripe(key);
        const makeElements = stripe.elements;
        stripe.elements = function () {
            const elements = makeElements();
            elements.update = function () {};
            elements.submit = async function () {
                // Odoo shows a thrown error as "Incorrect payment details".
                if (!cardOf(elements)) {
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
        stripe.confirmPayment = async function ({ elements, clientSecret, confirmParams }) {
            const card = cardOf(elements);
            const intentId = /^(pi_\w+)_secret_/.exec(clientSecret || "");
            if (!card || !intentId) {
                return { error: { message: "Enter the card number." } };
            }
            let intent;
            try {
                const response = await fetch(
                    `${localStripeBase}/v1/payment_intents/${intentId[1]}/confirm`,
                    {
                        method: "POST",
                        body: JSON.stringify({
                            key,
                            client_secret: clientSecret,
                            payment_method_data: {
                                type: "card",
                                card: card.value.card,
                                billing_details: {
                                    address: { postal_code: card.value.postal_code },
                                },
                            },
                        }),
                    }
                );
                intent = await response.json().catch(() => ({}));
                if (!response.ok || intent.error) {
                    return { error: intent.error || { message: response.statusText } };
                }
            } catch (error) {
                return { error: { message: error.message } };
            }
            if (intent.status === "requires_action") {
                // localstripe's 3-D Secure dialog, then its answer.
                const result = await stripe.confirmCardPayment(clientSecret);
                if (result.error) {
                    return { error: result.error };
                }
                intent = result.paymentIntent;
            }
            if (!["succeeded", "processing", "requires_capture"].includes(intent.status)) {
                const reason = intent.last_payment_error && intent.last_payment_error.message;
                return { error: { message: reason || `The payment is ${intent.status}.` } };
            }
            window.location.assign(
                withParams(confirmParams.return_url, {
                    payment_intent: intent.id,
                    payment_intent_client_secret: clientSecret,
                    redirect_status: "succeeded",
                })
            );
            return {};
        };
        return stripe;
    }
    PaymentElementStripe.woowPaymentElement = true;
    window.Stripe = PaymentElementStripe;
})();
