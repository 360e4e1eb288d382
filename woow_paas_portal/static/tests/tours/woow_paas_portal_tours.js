import { registry } from "@web/core/registry";

/**
 * Sign-up, part one (public): the pricing page's call to action, then the
 * account form; the confirmation link comes by email.
 */
registry.category("web_tour.tours").add("woow_paas_portal_signup_account_tour", {
    url: "/paas/plans",
    steps: () => [
        {
            content: "Start the trial of the recommended plan",
            trigger: ".o_paas_recommended [data-period=month] a.o_paas_cta:contains(Start free trial)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Create your account)" },
        { trigger: "input#paas_name", run: "edit Tina Tour" },
        { trigger: "input#paas_email", run: "edit tina@tour.example.com" },
        { trigger: "input#paas_company", run: "edit Tour Shop Ltd" },
        { trigger: "button.o_paas_submit", run: "click", expectUnloadPage: true },
        {
            content: "The same answer for a new and a known address",
            trigger: ".o_paas_signup_message:contains(If tina@tour.example.com is new here)",
        },
    ],
});

/**
 * Sign-up, part two: the confirmation link sets the password (Odoo's
 * signup), the tenant is named with the live code check, the trial starts
 * and the provisioning page follows the tenant until it can be opened.
 */
registry.category("web_tour.tours").add("woow_paas_portal_signup_tenant_tour", {
    steps: () => [
        {
            content: "The password step is the sign-up's own, branded page",
            trigger: ".o_paas_signup_password h1:contains(Choose your password)",
        },
        { trigger: ".o_paas_wizard [aria-current=step]:contains(Account)" },
        { trigger: "input#password", run: "edit Tour-Pass-2026!" },
        { trigger: "input#confirm_password", run: "edit Tour-Pass-2026!" },
        {
            trigger: "form button[type=submit]:contains(Set my password and continue)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Name your tenant)" },
        { trigger: "input#paas_tenant_code", run: "edit taken-code" },
        {
            content: "A taken code is refused as it is typed, without saying whose",
            trigger: "#paas_code_status[data-status=taken]:contains(This code is taken)",
        },
        { trigger: "input#paas_tenant_code", run: "clear" },
        { trigger: "input#paas_tenant_name", run: "edit Tour Shop" },
        {
            content: "The code is suggested from the name and checked",
            trigger: "#paas_code_status[data-status=available]",
        },
        {
            trigger: "button.o_paas_submit:contains(Create my tenant)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: "h1:contains(Setting up Tour Shop)" },
        { trigger: ".o_paas_progress_steps [data-step=subscription][data-status=done]:contains(Free trial started)" },
        {
            content: "The tenant is ready: open it",
            trigger: ".o_paas_progress_steps [data-step=ready][data-status=done]",
        },
        {
            content: "A shared tenant lives on its page: the button says so",
            trigger: "a.o_paas_open:not(.d-none):contains(See your tenant)",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_portal_paas_tenant code:contains(tour-shop)" },
    ],
});

/** The pricing page's monthly/yearly toggle shows each plan's other price and the saving. */
registry.category("web_tour.tours").add("woow_paas_portal_pricing_toggle_tour", {
    url: "/paas/plans",
    steps: () => [
        {
            content: "Monthly prices first",
            trigger: "[data-plan-code=test-monthly] [data-period=month]:visible:contains(/ month)",
        },
        { trigger: "[data-plan-code=test-monthly]:not(:has([data-period=year]:visible))" },
        { trigger: "label[for=paas_period_year]", run: "click" },
        {
            content: "Yearly prices with the saving",
            trigger: "[data-plan-code=test-monthly] [data-period=year]:visible .o_paas_saving:contains(17 %)",
        },
        { trigger: "[data-plan-code=test-monthly]:not(:has([data-period=month]:visible))" },
        {
            content: "The call to action signs up to the yearly plan",
            trigger: "[data-plan-code=test-monthly] [data-period=year] a.o_paas_cta[href='/paas/signup?plan=test-monthly-y']:visible",
        },
        { trigger: "label[for=paas_period_month]", run: "click" },
        { trigger: "[data-plan-code=test-monthly] [data-period=month]:visible" },
    ],
});
