import { registry } from "@web/core/registry";

/**
 * A customer saves a card on Odoo's own /my/payment_method page: Stripe's
 * form is localstripe's card element in test mode (see
 * static/src/js/localstripe_payment_element.js).
 */
registry.category("web_tour.tours").add("woow_paas_billing_stripe_save_card_tour", {
    steps: () => [
        {
            content: "Choose a card",
            trigger: "input[name=o_payment_radio][data-payment-method-code=card]",
            run: "click",
        },
        {
            content: "Card number",
            trigger: "[name=o_stripe_element_container] input[placeholder=number]",
            run: "edit 4242424242424242",
        },
        {
            trigger: "[name=o_stripe_element_container] input[placeholder=exp_month]",
            run: "edit 12",
        },
        {
            trigger: "[name=o_stripe_element_container] input[placeholder=exp_year]",
            run: "edit 30",
        },
        {
            trigger: "[name=o_stripe_element_container] input[placeholder=cvc]",
            run: "edit 123",
        },
        {
            trigger: "[name=o_stripe_element_container] input[placeholder=postal_code]",
            run: "edit 10001",
        },
        {
            content: "Save the card",
            trigger: "button[name=o_payment_submit_button]:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the saved methods, the card is listed",
            trigger: "body:contains(4242)",
        },
    ],
});
