import { registry } from "@web/core/registry";

/**
 * A customer pays an open invoice from the portal with a new card: Odoo's
 * own invoice page and payment form, Stripe in test mode against localstripe
 * (see static/src/js/localstripe_payment_element.js, confirmPayment).
 */
registry.category("web_tour.tours").add("woow_paas_billing_stripe_pay_invoice_tour", {
    steps: () => [
        {
            content: "Open the invoice from the list of invoices",
            trigger: "tbody a[href^='/my/invoices/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pay now",
            trigger: "a[data-bs-target='#pay_with']",
            run: "click",
        },
        {
            content: "Choose a card",
            trigger: "#pay_with input[name=o_payment_radio][data-payment-method-code=card]",
            run: "click",
        },
        {
            content: "Card number",
            trigger: "#pay_with [name=o_stripe_element_container] input[placeholder=number]",
            run: "edit 4242424242424242",
        },
        {
            trigger: "#pay_with [name=o_stripe_element_container] input[placeholder=exp_month]",
            run: "edit 12",
        },
        {
            trigger: "#pay_with [name=o_stripe_element_container] input[placeholder=exp_year]",
            run: "edit 30",
        },
        {
            trigger: "#pay_with [name=o_stripe_element_container] input[placeholder=cvc]",
            run: "edit 123",
        },
        {
            trigger: "#pay_with [name=o_stripe_element_container] input[placeholder=postal_code]",
            run: "edit 10001",
        },
        {
            content: "Pay",
            trigger: "#pay_with button[name=o_payment_submit_button]:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's payment status page goes back to the invoice once it is processed",
            trigger: "div[name=o_payment_status]",
            expectUnloadPage: true,
        },
        {
            content: "The invoice is paid",
            trigger: "div[name=invoice_paid_badge]",
        },
    ],
});
