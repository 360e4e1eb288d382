import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A PaaS User's first day: a customer, a subscription on a plan, a tenant,
 * then the subscription activated from its form.
 */
registry.category("web_tour.tours").add("woow_paas_core_backoffice_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            content: "Go to the customers (the app may open on another page, e.g. a dashboard)",
            trigger: '.o_menu_sections [data-menu-xmlid="woow_paas_core.woow_paas_customer_menu"]',
            run: "click",
        },
        {
            content: "Create a customer",
            trigger: ".o_breadcrumb:contains(Customers)",
        },
        {
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour Customer Inc",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Go to subscriptions",
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_subscription_menu"]',
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Subscriptions)",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Customer Inc)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=plan_id] input",
            run: "edit Tour Plan",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Plan)",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved .o_field_widget[name=name]:contains(SUB/)",
        },
        {
            content: "Create its tenant",
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_tenant_menu"]',
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Tenants)",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Tenant",
        },
        {
            content: "The code is suggested from the name",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Customer Inc)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=code] input:value(tour-tenant)",
        },
        {
            trigger: ".o_field_widget[name=subscription_id] input",
            run: "edit SUB",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(SUB/)",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Back to the subscription, through the list",
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_subscription_menu"]',
            run: "click",
        },
        {
            trigger: ".o_searchview .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=partner_id]:contains(Tour Customer Inc)",
            run: "click",
        },
        {
            content: "Activate it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_activate]:contains(Activate)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
        {
            trigger: ".o_field_widget[name=tenant_count]:contains(1)",
        },
    ],
});
