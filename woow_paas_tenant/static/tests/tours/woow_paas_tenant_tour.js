import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A PaaS Manager raises one tenant's API-call quota above its plan's.
 */
registry.category("web_tour.tours").add("woow_paas_tenant_quota_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            content: "Go to tenants",
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_tenant_menu"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=name]:contains(Tour Quota Tenant)",
            run: "click",
        },
        {
            content: "Open the Quotas tab",
            trigger: ".o_notebook a.nav-link:contains(Quotas)",
            run: "click",
        },
        {
            content: "The plan's limit is shown",
            trigger: ".o_field_widget[name=quota_ids] .o_data_row td[name=plan_limit]:contains(500)",
        },
        {
            trigger: ".o_field_widget[name=quota_ids] .o_data_row td[name=usage]",
            run: "click",
        },
        {
            content: "Override the plan's limit",
            trigger: ".o_field_widget[name=quota_ids] .o_selected_row .o_field_widget[name=use_override] input",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=quota_ids] .o_selected_row .o_field_widget[name=override_limit] input",
            run: "edit 2500",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "The effective limit is the override",
            trigger: ".o_field_widget[name=quota_ids] .o_data_row td[name=effective_limit]:contains(2,500)",
        },
    ],
});
