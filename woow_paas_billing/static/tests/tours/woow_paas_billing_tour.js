import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A PaaS Manager defines a new metric from PaaS > Usage > Metrics, looks at
 * the usage events (list, pivot, graph) and the daily usage, then at the
 * metered prices of a plan.
 */
registry.category("web_tour.tours").add("woow_paas_billing_metric_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Usage menu",
            trigger: 'button[data-menu-xmlid="woow_paas_billing.woow_paas_usage_menu"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_billing.woow_paas_metric_menu"]',
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Metrics)",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour Logins",
        },
        {
            trigger: ".o_field_widget[name=code] input",
            run: "edit tour_logins",
        },
        {
            trigger: ".o_field_widget[name=aggregation] .o_select_menu_toggler",
            run: "click",
        },
        {
            trigger: ".o_select_menu_item:contains(Unique Count)",
            run: "click",
        },
        {
            content: "A unique count asks which property it counts",
            trigger: ".o_field_widget[name=property_key] input",
            run: "edit user_id",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "The usage events of the last days",
            trigger: 'button[data-menu-xmlid="woow_paas_billing.woow_paas_usage_menu"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_billing.woow_paas_usage_event_menu"]',
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=tenant_id]:contains(Tour Tenant)",
        },
        {
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot table tbody tr:has(th:contains(Tour Tenant))",
        },
        {
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Daily usage, by tenant and metric",
            trigger: 'button[data-menu-xmlid="woow_paas_billing.woow_paas_usage_menu"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_billing.woow_paas_usage_rollup_menu"]',
            run: "click",
        },
        {
            trigger: ".o_pivot table tbody tr:has(th:contains(Tour Tenant))",
        },
        {
            content: "The metered prices of a plan",
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_plan_menu"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=name]:contains(Tour Metered Plan)",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link:contains(Metered Prices)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=metric_price_ids] .o_data_row:contains(Tour Calls)",
        },
    ],
});
