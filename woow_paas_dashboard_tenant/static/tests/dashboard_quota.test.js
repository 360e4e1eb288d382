import { describe, expect, test } from "@odoo/hoot";
import { animationFrame } from "@odoo/hoot-mock";
import { contains, onRpc, preloadBundle } from "@web/../tests/web_test_helpers";
import {
    dashboard,
    defineDashboardModels,
    openDashboard,
} from "@woow_paas_dashboard/../tests/dashboard_test_helpers";

describe.current.tags("desktop");
preloadBundle("web.chartjs_lib");
defineDashboardModels();

/** The dashboard's data with the quotas this addon adds to the forecast. */
function withQuotas() {
    const data = dashboard();
    data.forecast.quotas = [
        { tenant_id: 5, tenant: "acme", resource: "Users", usage: 9, limit: 10, ratio: 0.9, runs_out: "2026-01-20" },
        { tenant_id: 6, tenant: "globex", resource: "Storage", usage: 12, limit: 10, ratio: 1.2, runs_out: null },
    ];
    data.forecast.saturation = [
        { key: "low", label: "Under 50 %", count: 3 },
        { key: "full", label: "At or over the limit", count: 1 },
    ];
    return data;
}

test("the forecast shows the quotas nearest their limit", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", withQuotas);
    await openDashboard();
    expect(".o_paas_forecast_quota_col").toHaveCount(1);
    expect(".o_paas_forecast_quota").toHaveCount(2);
    expect(".o_paas_forecast_quota:last .progress-bar").toHaveClass("bg-danger");
    expect(".o_paas_forecast_quota:last").toHaveText(/Not at this trend/);
    // Between the MRR forecast and the expansion candidates.
    expect(".o_paas_forecast > div:eq(1)").toHaveClass("o_paas_forecast_quota_col");
});

test("without quotas the panel says so", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => dashboard());
    await openDashboard();
    expect(".o_paas_forecast_no_quota").toHaveCount(1);
    expect(".o_paas_bar_chart[data-chart=saturation]").toHaveCount(0);
});

test("the quota saturation chart opens its tenants", async () => {
    const asked = [];
    onRpc("woow.paas.dashboard", "get_dashboard", withQuotas);
    onRpc("woow.paas.dashboard", "get_chart_records", ({ args }) => {
        asked.push(args);
        return { res_model: "woow.paas.subscription", ids: [3] };
    });
    await openDashboard();
    expect(".o_paas_bar_chart").toHaveCount(3);
    await contains(".o_paas_bar_chart[data-chart=saturation] summary").click();
    await contains(".o_paas_bar_chart[data-chart=saturation] .o_paas_bar_chart_cell:last").click();
    await animationFrame();
    expect(asked.at(-1)[0]).toBe("saturation");
    expect(asked.at(-1)[3]).toBe("full");
});
