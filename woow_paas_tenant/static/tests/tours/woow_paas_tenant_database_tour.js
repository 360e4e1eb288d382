import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A PaaS Manager creates a database-mode tenant and starts its provisioning
 * (the job then runs, as the job runner would run it) ...
 */
registry.category("web_tour.tours").add("woow_paas_tenant_database_create_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_tenant_menu"]',
            run: "click",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Database",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Customer A",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Customer A)",
            run: "click",
        },
        {
            content: "The code is suggested from the name",
            trigger: ".o_field_widget[name=code] input:value(tour-database)",
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
            content: "Provision",
            trigger: ".o_form_statusbar button[name=action_provision]:contains(Provision)",
            run: "click",
        },
        {
            content: "The tenant waits for its job",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Provisioning)",
        },
    ],
});

/**
 * ... then follows the provisioning log to Active and finds the way in.
 */
registry.category("web_tour.tours").add("woow_paas_tenant_database_follow_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_core.woow_paas_tenant_menu"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=name]:contains(Tour Database)",
            run: "click",
        },
        {
            content: "Active",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
        {
            trigger: ".o_notebook a.nav-link:contains(Database)",
            run: "click",
        },
        {
            content: "Every step of the log is done",
            trigger: ".o_field_widget[name=paas_provision_step_ids] .o_data_row:has(td[name=step]:contains(Push limits)) td[name=status]:contains(Done)",
        },
        {
            trigger: ".o_field_widget[name=paas_provision_step_ids]:not(:has(td[name=status]:contains(Failed)))",
        },
        {
            content: "The tenant's own address",
            trigger: ".o_field_widget[name=paas_url] a[href*='tour-database.localhost']",
        },
        {
            trigger: ".o_form_statusbar button[name=action_open_paas_url]",
        },
    ],
});
