import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/** A PaaS Manager creates an API key and sees its secret once. */
registry.category("web_tour.tours").add("woow_paas_api_key_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_core.woow_paas_menu_root"]',
            run: "click",
        },
        {
            trigger: '.o_menu_sections button[data-menu-xmlid="woow_paas_core.woow_paas_config_menu"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="woow_paas_api.woow_paas_api_key_menu"]',
            run: "click",
        },
        {
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour integration",
        },
        {
            content: "Generate the key",
            trigger: ".o_statusbar_buttons button[name=action_generate]",
            run: "click",
        },
        {
            content: "It is shown once, in a dialog",
            trigger: ".modal .o_field_widget[name=key]:contains(wpk_)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Active)",
        },
    ],
});
