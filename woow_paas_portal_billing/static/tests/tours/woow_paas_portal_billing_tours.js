import { registry } from "@web/core/registry";

/**
 * A customer upgrades from the subscription page: chooses the dearer plan,
 * reads the proration (charged now), confirms, and the page says so.
 */
registry.category("web_tour.tours").add("woow_paas_portal_billing_upgrade_tour", {
    steps: () => [
        {
            content: "Choose the dearer plan",
            trigger: "#paas_plan_select",
            run: "selectByLabel Test Scale",
        },
        {
            content: "Preview the change",
            trigger: "button[name=paas_preview_plan]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The proration is charged now",
            trigger: "#paas_plan_preview_total:contains(Charged now)",
        },
        {
            trigger: "#paas_plan_preview:contains(Unused time on Test Monthly)",
        },
        {
            content: "Confirm",
            trigger: "button[name=paas_confirm_plan]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#paas_billing_message:contains(Your plan was changed)",
        },
        {
            trigger: "#paas_subscription_summary:contains(Test Scale)",
        },
    ],
});

/**
 * A customer cancels at the end of the period: reads that nothing is
 * credited, confirms, then keeps renewing after all.
 */
registry.category("web_tour.tours").add("woow_paas_portal_billing_cancel_tour", {
    steps: () => [
        {
            content: "Cancel at the end of the period",
            trigger: "a[name=paas_cancel_period_end]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#paas_cancel_preview:contains(Nothing is credited)",
        },
        {
            content: "Confirm",
            trigger: "button[name=paas_confirm_cancel]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#paas_billing_message:contains(ends with the current period)",
        },
        {
            trigger: "button[name=paas_keep_renewing]",
        },
    ],
});
