import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A PaaS Manager who also invoices opens a running subscription, reads the
 * next invoice preview on its Billing tab, opens its invoices and the
 * period invoice, then starts a billing run from PaaS > Billing.
 */
registry.category("web_tour.tours").add("woow_paas_billing_invoicing_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            content: "Open the subscriptions",
            trigger: 'button[data-menu-xmlid="woow_paas_core.woow_paas_subscription_menu"], a[data-menu-xmlid="woow_paas_core.woow_paas_subscription_menu"]',
            run: "click",
        },
        {
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_data_row .o_data_cell:contains(Tour Invoicing Customer)",
            run: "click",
        },
        {
            content: "The Billing tab previews the next invoice",
            trigger: ".o_notebook .nav-link:contains(Billing)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=paas_billing_preview]:contains(Next invoice on)",
        },
        {
            trigger: ".o_field_widget[name=paas_billing_preview]:contains(Tour Calls)",
        },
        {
            content: "Open the subscription's invoices",
            trigger: ".oe_stat_button:contains(Invoices)",
            run: "click",
        },
        {
            trigger: ".o_data_row .o_data_cell:contains(INV/)",
            run: "click",
        },
        {
            content: "The invoice links back to its subscription and period",
            trigger: ".o_notebook .nav-link[name=other_info]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=paas_subscription_id]:contains(SUB/)",
        },
        {
            trigger: ".o_field_widget[name=paas_period_start]",
        },
        {
            content: "Open the billing runs",
            trigger: 'button[data-menu-xmlid="woow_paas_billing.woow_paas_billing_menu"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_billing.woow_paas_billing_run_menu"]',
            run: "click",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The run is queued as background jobs",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Running)",
        },
    ],
});
