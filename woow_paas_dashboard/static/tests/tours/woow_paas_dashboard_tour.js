import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/** A PaaS User opens the dashboard, looks at the year and opens the
 * subscriptions behind the MRR. */
registry.category("web_tour.tours").add("woow_paas_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the PaaS app",
            trigger: ".o_app[data-menu-xmlid='woow_paas_core.woow_paas_menu_root']",
            run: "click",
        },
        {
            content: "Open the dashboard",
            trigger: ".o_menu_sections [data-menu-xmlid='woow_paas_dashboard.woow_paas_dashboard_menu']",
            run: "click",
        },
        {
            content: "The figures are there",
            trigger: ".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_value:contains(42)",
        },
        {
            content: "Look at the whole year",
            trigger: "select.o_paas_period_unit",
            run: "select year",
        },
        {
            content: "The figures of the year are loaded",
            trigger: ".o_paas_dashboard_figures[data-date-from$='-01-01'][data-date-to$='-12-31']:not(.o_paas_dashboard_stale) .o_paas_kpi_card[data-kpi=customers] .o_paas_kpi_value:contains(1)",
        },
        {
            content: "Open the subscriptions behind the MRR",
            trigger: ".o_paas_kpi_card[data-kpi=mrr]",
            run: "click",
        },
        {
            content: "The subscription is listed",
            trigger: ".o_list_view .o_data_row td:contains(Dashboard Tour Customer)",
        },
    ],
});
