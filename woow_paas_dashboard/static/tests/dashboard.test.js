import { beforeEach, describe, expect, test } from "@odoo/hoot";
import { queryOne } from "@odoo/hoot-dom";
import { animationFrame, Deferred } from "@odoo/hoot-mock";
import {
    contains,
    getService,
    makeMockEnv,
    mountWebClient,
    onRpc,
    patchWithCleanup,
    preloadBundle,
} from "@web/../tests/web_test_helpers";
import { drillAction, formatKpi } from "@woow_paas_dashboard/dashboard/dashboard";
import {
    CURRENCY,
    dashboard,
    defineDashboardModels,
    kpi,
    mockDashboard,
    MONTHS,
    openDashboard,
} from "./dashboard_test_helpers";

describe.current.tags("desktop");
preloadBundle("web.chartjs_lib");
defineDashboardModels();

let calls;
beforeEach(() => {
    calls = [];
    mockDashboard(calls);
});

test("KPI values are formatted by kind", async () => {
    await makeMockEnv();
    expect(formatKpi(1260, "monetary", CURRENCY)).toBe("$\u00a01,260.00");
    expect(formatKpi(0.25, "percent", CURRENCY)).toBe("25%");
    expect(formatKpi(3, "integer", CURRENCY)).toBe("3");
    expect(formatKpi(null, "percent", CURRENCY)).toBe("—");
    // The minus sign before the currency; none on an amount that rounds to zero.
    expect(formatKpi(-7.73, "monetary", CURRENCY)).toBe("-$\u00a07.73");
    expect(formatKpi(-0.001, "monetary", CURRENCY)).toBe("$\u00a00.00");
    expect(formatKpi(-7.73, "monetary", { ...CURRENCY, symbol: "€", position: "after" })).toBe(
        "-7.73\u00a0€"
    );
    // Counts are whole numbers; a metric's figure has the metric's decimals.
    expect(formatKpi(424845, "integer", CURRENCY)).toBe("424,845");
    expect(formatKpi(424845, "number", CURRENCY, 0)).toBe("424,845");
    expect(formatKpi(58.2438227881, "number", CURRENCY, 2)).toBe("58.24");
    expect(formatKpi(58.2438227881, "number", CURRENCY)).toBe("58.24");
});

test("cards show value, change against the previous period and a sparkline", async () => {
    await openDashboard();
    expect(".o_paas_kpi_card").toHaveCount(4);
    expect(".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_value").toHaveText(/^\$\s105\.00$/);
    expect(".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_change").toHaveClass("text-success");
    expect(".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_change").toHaveText(/\+31.3%/);
    // Churn going up is bad news.
    expect(".o_paas_kpi_card[data-kpi=churned_mrr] .o_paas_kpi_change").toHaveClass("text-danger");
    expect(".o_paas_kpi_card[data-kpi=logo_churn] .o_paas_kpi_change").toHaveText(/\+15.0 pt/);
    expect(".o_paas_kpi_card[data-kpi=mrr] polyline").toHaveCount(1);
    expect(".o_paas_mrr_chart canvas").toHaveCount(1);
    expect(".o_paas_kpi_card").toHaveAttribute("type", "button");
});

test("the first load shows a skeleton, later loads keep the figures", async () => {
    const first = new Deferred();
    const second = new Deferred();
    const answers = [first, second];
    onRpc("woow.paas.dashboard", "get_dashboard", () => answers.shift());
    await mountWebClient();
    await getService("action").doAction("woow_paas_dashboard");
    expect(".o_paas_dashboard_skeleton").toHaveCount(1);
    first.resolve(dashboard());
    await animationFrame();
    expect(".o_paas_dashboard_skeleton").toHaveCount(0);
    expect(".o_paas_kpi_card").toHaveCount(4);

    await contains(".o_paas_period_prev").click();
    // While the next period loads, the cards stay (dimmed): no flicker.
    expect(".o_paas_dashboard_skeleton").toHaveCount(0);
    expect(".o_paas_kpi_card").toHaveCount(4);
    expect(".o_paas_dashboard_stale").toHaveCount(1);
    second.resolve(dashboard(50));
    await animationFrame();
    expect(".o_paas_dashboard_stale").toHaveCount(0);
    expect(".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_value").toHaveText(/^\$\s50\.00$/);
});

test("period and plan pickers ask for the right figures", async () => {
    await openDashboard();
    const [from, to, plans] = calls[0];
    expect(from.slice(8)).toBe("01");
    expect(plans).toBe(null);
    await contains(".o_paas_period_unit").select("year");
    await animationFrame();
    let last = calls.at(-1);
    expect(last[0].slice(5)).toBe("01-01");
    expect(last[1].slice(5)).toBe("12-31");
    await contains(".o_paas_period_prev").click();
    await animationFrame();
    expect(calls.at(-1)[0].slice(0, 4)).toBe(String(parseInt(last[0].slice(0, 4)) - 1));
    await contains(".o_paas_plan_filter").select("8");
    await animationFrame();
    last = calls.at(-1);
    expect(last[2]).toEqual([8]);
    expect(to.length).toBe(10);
});

/** What the browser's date picker does: a whole date at once, then "change". */
async function pickDate(selector, value) {
    const input = queryOne(selector);
    input.value = value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await animationFrame();
}

test("a custom period and a currency ask for the right figures", async () => {
    await openDashboard();
    expect(calls[0][3]).toBe(null);
    expect(".o_paas_currency_filter option").toHaveCount(2);
    await contains(".o_paas_currency_filter").select("2");
    await animationFrame();
    expect(calls.at(-1)[3]).toBe(2);

    await contains(".o_paas_period_unit").select("custom");
    await animationFrame();
    // The custom period starts as the month shown.
    const [monthFrom, monthTo] = calls[0];
    expect(calls.at(-1).slice(0, 2)).toEqual([monthFrom, monthTo]);
    await pickDate(".o_paas_custom_from", "2025-03-10");
    await pickDate(".o_paas_custom_to", "2025-03-19");
    expect(calls.at(-1).slice(0, 4)).toEqual(["2025-03-10", "2025-03-19", null, 2]);
    expect(".o_paas_period_label").toHaveText(/Mar 10, 2025 – Mar 19, 2025/);
    // Moving a custom period moves it by its own length.
    await contains(".o_paas_period_prev").click();
    await animationFrame();
    expect(calls.at(-1).slice(0, 2)).toEqual(["2025-02-28", "2025-03-09"]);
});

test("empty state when nothing has happened yet", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => dashboard(0));
    await openDashboard();
    expect(".o_paas_dashboard_empty").toHaveCount(1);
    expect(".o_paas_kpi_card").toHaveCount(0);
});

test("a period before the first payment keeps its cards, at zero", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => ({ ...dashboard(0), has_subscriptions: true }));
    await openDashboard();
    expect(".o_paas_dashboard_empty").toHaveCount(0);
    expect(".o_paas_kpi_card").toHaveCount(2);
    expect(".o_paas_kpi_card[data-kpi=mrr] .o_paas_kpi_value").toHaveText(/^\$\s0\.00$/);
});

test("clicking a card opens the records behind it", async () => {
    await openDashboard();
    await contains(".o_paas_kpi_card[data-kpi=mrr]").click();
    await animationFrame();
    expect(".o_list_view").toHaveCount(1);
    expect(".o_data_row").toHaveCount(2);
    expect(".o_breadcrumb").toHaveText(/MRR/);
});

test("a card's records open in the list view and context it names", async () => {
    const opened = [];
    onRpc("woow.paas.dashboard", "get_dashboard", () => {
        const data = dashboard();
        data.kpis[0].drill = {
            res_model: "woow.paas.subscription",
            ids: [1],
            list_view_id: 77,
            context: { default_move_type: "out_invoice" },
        };
        return data;
    });
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
    await contains(".o_paas_kpi_card[data-kpi=mrr]").click();
    await animationFrame();
    expect(opened).toHaveLength(1);
    expect(opened[0].views).toEqual([
        [77, "list"],
        [false, "form"],
    ]);
    expect(opened[0].context).toEqual({ default_move_type: "out_invoice" });
    expect(opened[0].domain).toEqual([["id", "in", [1]]]);
    expect(drillAction({ res_model: "x" }, "X", []).views[0]).toEqual([false, "list"]);
});

test("a card whose records are read on demand asks for them when opened", async () => {
    const asked = [];
    onRpc("woow.paas.dashboard", "get_dashboard", () => {
        const data = dashboard();
        data.kpis[0].drill = { res_model: "woow.paas.subscription", kpi: "mrr" };
        return data;
    });
    onRpc("woow.paas.dashboard", "get_kpi_records", ({ args, kwargs }) => {
        asked.push([...args, kwargs.plan_ids]);
        return { res_model: "woow.paas.subscription", ids: [1, 2, 3] };
    });
    await openDashboard();
    await contains(".o_paas_plan_filter").select("7");
    await animationFrame();
    await contains(".o_paas_kpi_card[data-kpi=mrr]").click();
    await animationFrame();
    expect(asked).toHaveLength(1);
    expect(asked[0][0]).toBe("mrr");
    expect(asked[0][3]).toEqual([7]);
    expect(".o_list_view .o_data_row").toHaveCount(3);
});

test("a server error is shown in place of the figures", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => {
        throw new Error("Only PaaS users can see the PaaS dashboard.");
    });
    patchWithCleanup(console, { error: () => {} });
    await openDashboard();
    expect(".o_paas_dashboard_body .alert-danger").toHaveCount(1);
});

test("the forecast shows the next months and the candidates", async () => {
    await openDashboard();
    expect(".o_paas_forecast_point").toHaveCount(3);
    expect(".o_paas_forecast_point:last").toHaveText(/108\.30/);
    expect(".o_paas_forecast_candidate").toHaveCount(1);
    expect(".o_paas_forecast_candidate").toHaveText(/\+\$\s20\.00/);
    expect(".o_paas_forecast_candidate .badge").toHaveCount(1);
});

test("a forecast row opens its record, the base opens its list", async () => {
    await openDashboard();
    await contains(".o_paas_forecast_candidate").click();
    await animationFrame();
    expect(".o_form_view").toHaveCount(1);
    expect(".o_form_view .o_field_widget[name=name] input").toHaveValue("SUB/0002");
    await contains(".o_breadcrumb .o_back_button, .o_breadcrumb a").click();
    await animationFrame();
    await contains(".o_paas_forecast_base").click();
    await animationFrame();
    expect(".o_list_view .o_data_row").toHaveCount(2);
});

test("retention cards show their opening base and movements in their help", async () => {
    onRpc("woow.paas.dashboard", "get_dashboard", () => {
        const data = dashboard();
        data.kpis.push({
            ...kpi("grr", 80 / 180, 1, "percent"),
            parts: {
                mrr_start: 180,
                base_expansion_mrr: 25,
                base_contraction_mrr: 0,
                base_churned_mrr: 100,
                retained_mrr: 105,
            },
        });
        return data;
    });
    await openDashboard();
    const card = ".o_paas_kpi_card[data-kpi=grr]";
    expect(`${card} .o_paas_kpi_label`).toHaveText(/Gross Revenue Retention/i);
    expect(`${card} .o_paas_kpi_value`).toHaveText("44.4%");
    expect(card).toHaveAttribute("title", /Opening MRR \$\s180\.00/);
    expect(card).toHaveAttribute("title", /Churn \$\s100\.00/);
    expect(".o_paas_kpi_card[data-kpi=mrr]").not.toHaveAttribute("title", /Opening MRR/);
});

test("the chart shows a currency effect only when rates moved", async () => {
    await openDashboard();
    const labels = () =>
        Chart.getChart(document.querySelector(".o_paas_mrr_chart canvas")).data.datasets.map(
            (dataset) => dataset.label
        );
    expect(labels()).not.toInclude("Currency effect");
    onRpc("woow.paas.dashboard", "get_dashboard", () => {
        const data = dashboard();
        data.movements.fx_mrr = MONTHS.map((_, i) => (i === 3 ? -50 : 0));
        return data;
    });
    await contains(".o_paas_period_prev").click();
    await animationFrame();
    expect(labels()).toInclude("Currency effect");
});

test("charts by plan and tenant state open their records", async () => {
    const asked = [];
    onRpc("woow.paas.dashboard", "get_chart_records", ({ args }) => {
        asked.push(args);
        return { res_model: "woow.paas.subscription", ids: [3] };
    });
    await openDashboard();
    // The usage and saturation charts are the bridges' (none in this data).
    expect(".o_paas_bar_chart").toHaveCount(2);
    expect(".o_paas_bar_chart[data-chart='7 8'] canvas").toHaveCount(1);
    expect(".o_paas_bar_chart[data-chart=active]").toHaveCount(1);
    // The figures are also a table of buttons (keyboard, screen readers).
    await contains(".o_paas_bar_chart[data-chart='7 8'] summary").click();
    await contains(".o_paas_bar_chart[data-chart='7 8'] tbody tr:last .o_paas_bar_chart_cell:eq(1)").click();
    await animationFrame();
    const last = MONTHS.at(-1);
    expect(asked.at(-1)).toEqual(["plan", last, "2025-12-31", 8]);
    expect(".o_list_view .o_data_row").toHaveCount(1);
    expect(".o_breadcrumb").toHaveText(/Growth · Dec 2025/);
});

test("a movement bar of the MRR chart opens the subscriptions that moved", async () => {
    const asked = [];
    onRpc("woow.paas.dashboard", "get_chart_records", ({ args }) => {
        asked.push(args);
        return { res_model: "woow.paas.subscription", ids: [1, 2] };
    });
    await openDashboard();
    const chart = Chart.getChart(document.querySelector(".o_paas_mrr_chart canvas"));
    const kinds = chart.data.datasets.map((dataset) => dataset.kind);
    expect(kinds).toEqual([undefined, "new", "reactivation", "expansion", "contraction", "churn"]);
    chart.options.onClick(new MouseEvent("click"), [], {
        ...chart,
        data: chart.data,
        getElementsAtEventForMode: () => [{ datasetIndex: 5, index: 2 }],
    });
    await animationFrame();
    expect(asked.at(-1)).toEqual(["movement", "2025-03-01", "2025-03-31", "churn"]);
    expect(".o_list_view .o_data_row").toHaveCount(2);
});
