import { describe, expect, test } from "@odoo/hoot";
import { animationFrame } from "@odoo/hoot-mock";
import {
    contains,
    getService,
    mountWebClient,
    onRpc,
    patchWithCleanup,
    preloadBundle,
} from "@web/../tests/web_test_helpers";
import {
    dashboard,
    defineDashboardModels,
    kpi,
    MONTHS,
    openDashboard,
} from "@woow_paas_dashboard/../tests/dashboard_test_helpers";

describe.current.tags("desktop");
preloadBundle("web.chartjs_lib");
defineDashboardModels();

/** The dashboard's data with two usage cards, as this addon's provider adds them. */
function withUsage() {
    const data = dashboard();
    data.kpis.push(
        { ...kpi("usage_api_calls", 424845, 400000, "number"), label: "Usage: API Calls", digits: 0 },
        { ...kpi("usage_storage", 58.2438227881, 50, "number"), label: "Usage: Storage", digits: 2 }
    );
    for (const card of data.kpis.slice(-2)) {
        card.drill = {
            res_model: "woow.paas.subscription",
            domain: [["metric", "=", card.key], ["day", ">=", "2025-12-01"], ["day", "<=", "2025-12-31"]],
        };
    }
    return data;
}

test("usage cards of counted metrics show whole numbers", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", withUsage);
    await openDashboard();
    expect(".o_paas_kpi_card[data-kpi=usage_api_calls] .o_paas_kpi_value").toHaveText("424,845");
    expect(".o_paas_kpi_card[data-kpi=usage_api_calls] .o_paas_kpi_change").toHaveText(/vs 400,000$/);
    expect(".o_paas_kpi_card[data-kpi=usage_storage] .o_paas_kpi_value").toHaveText("58.24");
});

test("the usage chart has one series per metric, each month opening its rollups", async () => {
    const opened = [];
    onRpc("woow.paas.dashboard", "get_dashboard", withUsage);
    await mountWebClient();
    patchWithCleanup(getService("action"), {
        doAction(action) {
            if (action?.type === "ir.actions.act_window") {
                opened.push(action);
                return;
            }
            return super.doAction(...arguments);
        },
    });
    await getService("action").doAction("woow_paas_dashboard");
    await animationFrame();
    expect(".o_paas_usage_chart .o_paas_bar_chart[data-chart='usage_api_calls usage_storage']").toHaveCount(1);
    await contains(".o_paas_usage_chart summary").click();
    await contains(".o_paas_usage_chart tbody tr:first .o_paas_bar_chart_cell:eq(1)").click();
    await animationFrame();
    expect(opened).toHaveLength(1);
    expect(opened[0].domain).toEqual([
        ["metric", "=", "usage_storage"],
        ["day", ">=", MONTHS[0]],
        ["day", "<=", "2025-01-31"],
    ]);
});

test("without usage cards there is no usage chart", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => dashboard());
    await openDashboard();
    expect(".o_paas_usage_chart").toHaveCount(0);
});
