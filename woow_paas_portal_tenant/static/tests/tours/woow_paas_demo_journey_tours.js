import { registry } from "@web/core/registry";

/**
 * The customer journeys on the demo as scripts/run.sh builds it (demo data,
 * the demo Stripe provider against localstripe, the Dedicated plan's
 * template): see tests/test_demo_journeys.py.
 */

const CARD_STEPS = (scope = "") => [
    {
        content: "Choose a card",
        trigger: `${scope} input[name=o_payment_radio][data-payment-method-code=card]`,
        run: "click",
    },
    {
        content: "Card number",
        trigger: `${scope} [name=o_stripe_element_container] input[placeholder=number]`,
        run: "edit 4242424242424242",
    },
    {
        trigger: `${scope} [name=o_stripe_element_container] input[placeholder=exp_month]`,
        run: "edit 12",
    },
    {
        trigger: `${scope} [name=o_stripe_element_container] input[placeholder=exp_year]`,
        run: "edit 30",
    },
    {
        trigger: `${scope} [name=o_stripe_element_container] input[placeholder=cvc]`,
        run: "edit 123",
    },
    {
        trigger: `${scope} [name=o_stripe_element_container] input[placeholder=postal_code]`,
        run: "edit 10001",
    },
];

/**
 * (a) Anonymous: the pricing page, Subscribe to Dedicated, the account form,
 * the confirmation link read in the demo mailbox, the password, the tenant,
 * Pay now with 4242, the tenant's own database provisioned, then Sign in as
 * administrator into it (the test follows that link on the tenant's host).
 */
registry.category("web_tour.tours").add("woow_paas_demo_journey_signup_tour", {
    url: "/paas/plans",
    steps: () => [
        {
            content: "Subscribe to the Dedicated plan (no trial: pay)",
            trigger: "[data-plan-code=dedicated] a.o_paas_cta:contains(Subscribe)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Create your account)" },
        { trigger: "input#paas_name", run: "edit Dana Journey" },
        { trigger: "input#paas_email", run: "edit dana@journey.example.com" },
        { trigger: "input#paas_company", run: "edit Journey Labs" },
        { trigger: "button.o_paas_submit", run: "click", expectUnloadPage: true },
        { trigger: ".o_paas_signup_message:contains(dana@journey.example.com)" },
        {
            content: "A demo sends no mail: its mailbox has the link",
            trigger: ".o_paas_demo_notice a.o_paas_demo_mailbox_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation mail, to the address signed up with",
            trigger: ".o_paas_demo_mail[open]:contains(dana@journey.example.com) .o_paas_demo_mail_body a[href*='/web/signup?']",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_paas_signup_password h1:contains(Choose your password)" },
        { trigger: "input#password", run: "edit Journey-Pass-2026!" },
        { trigger: "input#confirm_password", run: "edit Journey-Pass-2026!" },
        {
            trigger: "form button[type=submit]:contains(Set my password and continue)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Name your tenant)" },
        { trigger: "p:contains(Plan Dedicated)" },
        { trigger: "input#paas_tenant_name", run: "edit Journey Dedicated" },
        {
            content: "The code is suggested from the name and checked",
            trigger: "#paas_code_status[data-status=available]",
        },
        {
            trigger: "button.o_paas_submit:contains(Continue to payment)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_paas_signup_pay h1:contains(Start your subscription)" },
        {
            trigger: "a.o_paas_signup_pay_add:contains(Add a payment method)",
            run: "click",
            expectUnloadPage: true,
        },
        ...CARD_STEPS(),
        {
            content: "Save the card",
            trigger: "button[name=o_payment_submit_button]:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the sign-up with the card saved",
            trigger: ".o_paas_signup_pay:contains(4242)",
        },
        {
            trigger: "button.o_paas_signup_pay_confirm:contains(Start my subscription)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Setting up Journey Dedicated)" },
        {
            content: "The tenant's own database is ready",
            trigger: ".o_paas_progress_steps [data-step=ready][data-status=done]",
        },
        {
            content: "Its own database: the administrator's one-time sign-in link",
            trigger: ".o_paas_open_note:not(.d-none):contains(dana@journey.example.com)",
        },
        {
            content: "Sign in to the tenant, at its own address",
            trigger: "a.o_paas_open:not(.d-none)[href*='//journey-dedicated.'][href*='/woow_paas_agent/signin?token=']:contains(Sign in to your tenant)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back from the tenant's own database, signed in there",
            trigger: ".o_portal_paas_tenant",
            run() {
                const uid = new URLSearchParams(window.location.search).get("tour_signed_in");
                if (!uid || uid === "0") {
                    throw new Error(`Not signed in to the tenant: ${window.location.href}`);
                }
            },
        },
    ],
});

/**
 * (b) Northwind's portal user on /my/usage switches to its Starter
 * subscription: that subscription's period totals, formatted.
 */
registry.category("web_tour.tours").add("woow_paas_demo_journey_usage_tour", {
    url: "/my/usage",
    steps: () => [
        { trigger: "select#paas_usage_subscription:not(:has(option[selected]:contains(Starter)))" },
        {
            content: "Switch subscription",
            trigger: "select#paas_usage_subscription",
            run: "selectByLabel (Starter)",
        },
        {
            trigger: "#paas_usage_filters button[type=submit]:contains(Show)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The Starter subscription is shown",
            trigger: "select#paas_usage_subscription:has(option[selected]:contains(Starter))",
        },
        {
            content: "Its figures, in the reader's format",
            trigger: "#paas_usage_totals tbody tr:contains(API Calls)",
            run() {
                const cells = [...document.querySelectorAll("#paas_usage_totals tbody td.text-end")];
                if (!cells.length) {
                    throw new Error("No usage figures");
                }
                for (const cell of cells) {
                    const figure = cell.firstChild.textContent.trim();
                    if (!/^\d{1,3}(,\d{3})*(\.\d+)?$/.test(figure)) {
                        throw new Error(`Not a formatted figure: "${figure}"`);
                    }
                }
            },
        },
        { trigger: "#paas_usage_chart svg[role=img]" },
    ],
});

/** (c) Northwind's portal user pays an open invoice with 4242. */
registry.category("web_tour.tours").add("woow_paas_demo_journey_pay_invoice_tour", {
    url: "/my/invoices",
    steps: () => [
        {
            content: "Open an invoice waiting for payment",
            trigger: "tbody tr:has([name=invoice_status_waiting_for_payment]) a[href^='/my/invoices/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pay now",
            trigger: "a[data-bs-target='#pay_with']",
            run: "click",
        },
        ...CARD_STEPS("#pay_with"),
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
