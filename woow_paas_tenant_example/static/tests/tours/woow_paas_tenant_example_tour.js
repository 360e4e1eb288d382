import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A user of two tenants sees tenant A's projects, switches to tenant B from
 * the systray and then sees only tenant B's.
 */
registry.category("web_tour.tours").add("woow_paas_tenant_switch_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the example app",
            trigger: '.o_app[data-menu-xmlid="woow_paas_tenant_example.woow_paas_example_menu_root"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td[name=name]:contains(Alpha Roadmap)",
        },
        {
            trigger: ".o_list_view:not(:has(td[name=name]:contains(Bravo Secret)))",
        },
        {
            content: "Open the tenant switcher",
            trigger: ".o_paas_tenant_switcher_toggle:contains(Tenant-A)",
            run: "click",
        },
        {
            trigger: ".o_paas_tenant_item[data-tenant-code=tenant-b]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "After the reload, tenant B is current",
            trigger: ".o_paas_tenant_switcher_toggle:contains(Tenant-B)",
        },
        {
            trigger: ".o_data_row td[name=name]:contains(Bravo Secret)",
        },
        {
            trigger: ".o_list_view:not(:has(td[name=name]:contains(Alpha Roadmap)))",
        },
    ],
});
