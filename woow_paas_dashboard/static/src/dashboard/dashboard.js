import { Component, onWillStart, onWillUnmount, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { serializeDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { formatFloat, formatInteger, formatPercentage } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

/** The cards' titles and help, by KPI key (providers bring their own label). */
export const KPI_LABELS = {
    mrr: [_t("MRR"), _t("Monthly recurring revenue of active and past-due subscriptions at the end of the period (yearly plans ÷ 12, trials excluded)")],
    arr: [_t("ARR"), _t("Annual recurring revenue: MRR × 12")],
    new_mrr: [_t("New MRR"), _t("MRR of subscriptions that started paying in the period")],
    churned_mrr: [_t("Churned MRR"), _t("MRR lost to cancellations and suspensions in the period")],
    nrr: [_t("Net Revenue Retention"), _t("(Opening MRR + expansion − contraction − churn) ÷ opening MRR, of the customers paying at the start of the period")],
    grr: [_t("Gross Revenue Retention"), _t("(Opening MRR − contraction − churn) ÷ opening MRR, of the customers paying at the start of the period")],
    customers: [_t("Active Customers"), _t("Customers with a paying subscription at the end of the period")],
    arpu: [_t("ARPU"), _t("Average MRR per active customer")],
    tenants: [_t("Active Tenants"), _t("Tenants running at the end of the period")],
    trials: [_t("Trials"), _t("Trials started in the period")],
    trial_conversion: [_t("Trial Conversion"), _t("Share of the trials ended in the period that became active")],
    logo_churn: [_t("Logo Churn"), _t("Share of the customers at the start who no longer pay at the end")],
    revenue_churn: [_t("Revenue Churn"), _t("(Contraction + churn) ÷ opening MRR, of the customers paying at the start of the period")],
};

export const PERIOD_UNITS = {
    month: _t("Month"),
    quarter: _t("Quarter"),
    year: _t("Year"),
    custom: _t("Custom"),
};

/** Format ``value`` as a KPI of ``format`` with the dashboard's currency;
 * ``digits``: the decimals of a ``number`` (a metric's, 2 by default).
 * Amounts put the minus sign before the currency: "-$ 7.73". */
export function formatKpi(value, format, currency, digits) {
    if (value === null || value === undefined) {
        return "—";
    }
    if (format === "percent") {
        return formatPercentage(value, { digits: [69, 1] });
    }
    if (format === "integer") {
        return formatInteger(Math.round(value));
    }
    if (format === "monetary" && currency) {
        const amount = formatFloat(Math.abs(value), { digits: [69, currency.digits] });
        const text =
            currency.position === "after"
                ? `${amount}\u00a0${currency.symbol}`
                : `${currency.symbol}\u00a0${amount}`;
        return value < 0 && /[1-9]/.test(amount) ? `-${text}` : text;
    }
    return formatFloat(value, { digits: [69, Number.isInteger(digits) ? digits : 2] });
}

/**
 * The window action that opens the records behind a figure: ``drill`` names
 * the model, and may name the list view (``list_view_id``) and the context
 * (``context``) the records read best in.
 */
export function drillAction(drill, name, domain) {
    return {
        type: "ir.actions.act_window",
        name,
        res_model: drill.res_model,
        domain,
        context: drill.context || {},
        views: [
            [drill.list_view_id || false, "list"],
            [false, "form"],
        ],
        target: "current",
    };
}

/** A trend as an inline SVG line: cheap, crisp, no canvas per card. */
export class Sparkline extends Component {
    static template = "woow_paas_dashboard.Sparkline";
    static props = { values: Array, width: { type: Number, optional: true }, height: { type: Number, optional: true } };
    static defaultProps = { width: 120, height: 28 };

    get points() {
        const values = this.props.values.map((v) => v ?? 0);
        if (values.length < 2) {
            return "";
        }
        const { width, height } = this.props;
        const min = Math.min(...values);
        const max = Math.max(...values);
        const span = max - min || 1;
        return values
            .map((v, i) => {
                const x = (i * width) / (values.length - 1);
                const y = height - 2 - ((v - min) * (height - 4)) / span;
                return `${x.toFixed(1)},${y.toFixed(1)}`;
            })
            .join(" ");
    }
}

export class KpiCard extends Component {
    static template = "woow_paas_dashboard.KpiCard";
    static components = { Sparkline };
    static props = { kpi: Object, currency: Object, onOpen: Function };

    get label() {
        return this.props.kpi.label || KPI_LABELS[this.props.kpi.key]?.[0] || this.props.kpi.key;
    }
    get help() {
        const help = this.props.kpi.help || KPI_LABELS[this.props.kpi.key]?.[1] || "";
        const parts = this.props.kpi.parts;
        if (!parts) {
            return help;
        }
        const money = (value) => formatKpi(value, "monetary", this.props.currency);
        return [
            help,
            `${_t("Opening MRR")} ${money(parts.mrr_start)}`,
            `${_t("Expansion")} ${money(parts.base_expansion_mrr)}`,
            `${_t("Contraction")} ${money(parts.base_contraction_mrr)}`,
            `${_t("Churn")} ${money(parts.base_churned_mrr)}`,
            `${_t("Retained MRR")} ${money(parts.retained_mrr)}`,
        ].join("\n");
    }
    format(value) {
        const { format, digits } = this.props.kpi;
        return formatKpi(value, format, this.props.currency, digits);
    }
    get value() {
        return this.format(this.props.kpi.value);
    }
    get previous() {
        return this.format(this.props.kpi.previous);
    }
    /** ``{text, trend: "up"|"down"|"flat", good: bool}`` or null without a comparison. */
    get change() {
        const { value, previous, format, higher_is_better } = this.props.kpi;
        if (value === null || value === undefined || previous === null || previous === undefined) {
            return null;
        }
        const diff = value - previous;
        let text;
        if (format === "percent") {
            text = `${diff >= 0 ? "+" : ""}${formatFloat(diff * 100, { digits: [69, 1] })} pt`;
        } else if (previous) {
            text = `${diff >= 0 ? "+" : ""}${formatPercentage(diff / Math.abs(previous), { digits: [69, 1] })}`;
        } else {
            text = diff ? `+${this.format(diff)}` : "0";
        }
        const trend = diff > 0 ? "up" : diff < 0 ? "down" : "flat";
        return { text, trend, good: trend === "flat" || (trend === "up") === higher_is_better };
    }
    onClick() {
        this.props.onOpen(this.props.kpi, this.label);
    }
}

/** Draw ``getConfig()`` with Odoo's Chart.js on the ``canvas`` ref; later
 * renders replace the data in place: no flash of an empty canvas when the
 * period changes. Options read the props when called, so they stay current. */
function useChart(getConfig) {
    const canvasRef = useRef("canvas");
    let chart = null;
    onWillStart(() => loadBundle("web.chartjs_lib"));
    useEffect(() => {
        const config = getConfig();
        if (chart) {
            chart.data = config.data;
            chart.update("none");
        } else {
            chart = new Chart(canvasRef.el, config);
        }
    });
    onWillUnmount(() => chart?.destroy());
}

/** MRR per month (line) and its movements (bars), drawn with Odoo's Chart.js. */
export class MrrChart extends Component {
    static template = "woow_paas_dashboard.MrrChart";
    static props = { months: Array, movements: Object, currency: Object, onSegment: { type: Function, optional: true } };

    setup() {
        useChart(() => this.chartConfig);
    }

    get labels() {
        return this.props.months.map((m) => DateTime.fromISO(m).toFormat("MMM yyyy"));
    }

    get chartData() {
        const moves = this.props.movements;
        const style = getComputedStyle(document.documentElement);
        const color = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
        const datasets = [
            {
                type: "line",
                label: _t("MRR"),
                data: moves.mrr,
                borderColor: color("--primary", "#714B67"),
                backgroundColor: color("--primary", "#714B67"),
                tension: 0.25,
                yAxisID: "y",
                order: 0,
            },
            // The five movements, gains above the axis and losses below.
            ...[
                ["new", _t("New"), moves.new_mrr, 1, "rgba(40, 167, 69, 0.6)"],
                ["reactivation", _t("Reactivation"), moves.reactivation_mrr, 1, "rgba(32, 201, 151, 0.6)"],
                ["expansion", _t("Expansion"), moves.expansion_mrr, 1, "rgba(23, 162, 184, 0.6)"],
                ["contraction", _t("Contraction"), moves.contraction_mrr, -1, "rgba(253, 126, 20, 0.6)"],
                ["churn", _t("Churn"), moves.churned_mrr, -1, "rgba(220, 53, 69, 0.6)"],
            ].map(([kind, label, values, sign, backgroundColor]) => ({
                type: "bar",
                label,
                kind,
                data: values.map((v) => sign * v),
                backgroundColor,
                stack: "moves",
                yAxisID: "y",
                order: 1,
            })),
        ];
        // Only with several currencies: the change that no movement explains.
        if (moves.fx_mrr?.some(Boolean)) {
            datasets.push({
                type: "bar",
                label: _t("Currency effect"),
                data: moves.fx_mrr,
                backgroundColor: "rgba(108, 117, 125, 0.55)",
                stack: "moves",
                yAxisID: "y",
                order: 1,
            });
        }
        return { labels: this.labels, datasets };
    }

    money(value) {
        return formatKpi(value, "monetary", this.props.currency);
    }

    get chartConfig() {
        return {
            data: this.chartData,
            options: {
                maintainAspectRatio: false,
                animation: false,
                interaction: { mode: "index", intersect: false },
                onClick: (event, elements, chart) => openSegment(event, chart, this.props.onSegment),
                scales: {
                    x: { stacked: true },
                    y: {
                        stacked: true,
                        ticks: { callback: (v) => this.money(v) },
                    },
                },
                plugins: {
                    legend: { position: "bottom" },
                    tooltip: {
                        callbacks: {
                            label: (ctx) => `${ctx.dataset.label}: ${this.money(ctx.parsed.y)}`,
                        },
                    },
                },
            },
        };
    }
}

/** Open what is behind the bar under the pointer: ``onSegment(dataset, index)``. */
function openSegment(event, chart, onSegment) {
    const [element] = chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true);
    const dataset = element && chart.data.datasets[element.datasetIndex];
    if (dataset?.kind && onSegment) {
        onSegment(dataset, element.index);
    }
}

const PALETTE = [
    "rgba(113, 75, 103, 0.7)", "rgba(23, 162, 184, 0.7)", "rgba(255, 193, 7, 0.7)",
    "rgba(40, 167, 69, 0.7)", "rgba(220, 53, 69, 0.7)", "rgba(108, 117, 125, 0.7)",
    "rgba(0, 123, 255, 0.7)", "rgba(253, 126, 20, 0.7)",
];

/** A bar chart (stacked when asked) drawn with Odoo's Chart.js, each bar
 * opening the records behind it, with the same figures in a table for
 * screen readers and keyboards. ``series``: ``[{key, label, values}]``. */
export class BarChart extends Component {
    static template = "woow_paas_dashboard.BarChart";
    static props = {
        title: String,
        labels: Array,
        series: Array,
        format: String,
        currency: Object,
        stacked: { type: Boolean, optional: true },
        onSegment: Function,
    };

    setup() {
        useChart(() => this.chartConfig);
    }

    /** ``value`` of ``line`` (a series may carry its own ``digits``), or an
     * axis tick (the most decimals of the series). */
    format(value, line = null) {
        const digits = line ? line.digits : Math.max(0, ...this.props.series.map((s) => s.digits ?? 0));
        return formatKpi(value, this.props.format, this.props.currency, digits);
    }

    get chartData() {
        return {
            labels: this.props.labels,
            datasets: this.props.series.map((line, i) => ({
                label: line.label,
                kind: line.key,
                data: line.values,
                backgroundColor: PALETTE[i % PALETTE.length],
                stack: this.props.stacked ? "all" : undefined,
            })),
        };
    }

    get chartConfig() {
        return {
            type: "bar",
            data: this.chartData,
            options: {
                maintainAspectRatio: false,
                animation: false,
                onClick: (event, elements, chart) =>
                    openSegment(event, chart, (dataset, index) =>
                        this.props.onSegment(dataset.kind, index, dataset.label)
                    ),
                scales: {
                    x: { stacked: Boolean(this.props.stacked) },
                    y: {
                        stacked: Boolean(this.props.stacked),
                        ticks: { callback: (v) => this.format(v) },
                    },
                },
                plugins: {
                    legend: { position: "bottom" },
                    tooltip: {
                        callbacks: {
                            label: (ctx) =>
                                `${ctx.dataset.label}: ${this.format(ctx.parsed.y, this.props.series[ctx.datasetIndex])}`,
                        },
                    },
                },
            },
        };
    }
}

/** The forecast: MRR of the next three months, the quotas nearest their
 * limit and the largest expansion candidates, each row opening its record. */
export class ForecastPanel extends Component {
    static template = "woow_paas_dashboard.ForecastPanel";
    static props = { forecast: Object, currency: Object, onOpenDomain: Function, onOpenRecord: Function };

    money(value) {
        return formatKpi(value, "monetary", this.props.currency);
    }
    percent(value) {
        return formatKpi(value, "percent", this.props.currency);
    }
    number(value) {
        return formatFloat(value, { digits: [69, 0] });
    }
    date(value) {
        return value ? DateTime.fromISO(value).toLocaleString(DateTime.DATE_MED) : _t("Not at this trend");
    }
    openBase() {
        this.props.onOpenDomain(this.props.forecast.drill.base, _t("Paying subscriptions"));
    }
    openTrials() {
        this.props.onOpenDomain(this.props.forecast.drill.trials, _t("Trials"));
    }
}

export class PaasDashboard extends Component {
    static template = "woow_paas_dashboard.Dashboard";
    static components = { Layout, KpiCard, MrrChart, BarChart, ForecastPanel };
    static props = { ...standardActionServiceProps };
    static displayName = _t("PaaS Dashboard");

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.keepLast = new KeepLast();
        this.units = PERIOD_UNITS;
        this.state = useState({
            unit: "month",
            anchor: DateTime.local().startOf("month"),
            planId: false,
            currencyId: false,
            // The custom period, both days included.
            customFrom: null,
            customTo: null,
            data: null,
            loading: true,
            error: null,
        });
        onWillStart(() => {
            // Not awaited: the skeleton shows until the first figures arrive.
            this.load();
        });
    }

    get period() {
        if (this.state.unit === "custom") {
            return { start: this.state.customFrom, end: this.state.customTo };
        }
        const start = this.state.anchor.startOf(this.state.unit);
        return { start, end: start.endOf(this.state.unit).startOf("day") };
    }

    get periodLabel() {
        const { start, end } = this.period;
        if (this.state.unit === "custom") {
            return `${start.toLocaleString(DateTime.DATE_MED)} – ${end.toLocaleString(DateTime.DATE_MED)}`;
        }
        if (this.state.unit === "year") {
            return start.toFormat("yyyy");
        }
        if (this.state.unit === "quarter") {
            return `Q${start.quarter} ${start.toFormat("yyyy")}`;
        }
        return start.toFormat("MMMM yyyy");
    }

    /** Nothing to show yet: no subscription ever started. A period before
     * the first one keeps its cards, at zero. */
    get isEmpty() {
        const data = this.state.data;
        return Boolean(data) && data.has_subscriptions === false;
    }

    async load() {
        const { start, end } = this.period;
        this.state.loading = true;
        this.state.error = null;
        try {
            const data = await this.keepLast.add(
                this.orm.call("woow.paas.dashboard", "get_dashboard", [
                    serializeDate(start),
                    serializeDate(end),
                ], {
                    plan_ids: this.state.planId ? [this.state.planId] : null,
                    currency_id: this.state.currencyId || null,
                })
            );
            this.state.data = data;
        } catch (error) {
            // Shown in place of the figures, rather than an error dialog.
            this.state.error = error.data?.message || error.message || String(error);
        } finally {
            this.state.loading = false;
        }
    }

    onUnitChange(ev) {
        const unit = ev.target.value;
        if (unit === "custom") {
            // A custom period starts as the period shown, to be edited.
            const { start, end } = this.period;
            Object.assign(this.state, { customFrom: start, customTo: end });
        } else {
            this.state.anchor = this.period.start.startOf(unit);
        }
        this.state.unit = unit;
        this.load();
    }

    get customDays() {
        return Math.round(this.state.customTo.diff(this.state.customFrom, "days").days) + 1;
    }

    shift(step) {
        if (this.state.unit === "custom") {
            // The same number of days before or after.
            const days = step * this.customDays;
            this.state.customFrom = this.state.customFrom.plus({ days });
            this.state.customTo = this.state.customTo.plus({ days });
        } else {
            this.state.anchor = this.period.start.plus({ [`${this.state.unit}s`]: step });
        }
        this.load();
    }

    onToday() {
        if (this.state.unit === "custom") {
            // The same number of days, ending today.
            const today = DateTime.local().startOf("day");
            this.state.customFrom = today.minus({ days: this.customDays - 1 });
            this.state.customTo = today;
        } else {
            this.state.anchor = DateTime.local().startOf(this.state.unit);
        }
        this.load();
    }

    onCustomChange(bound, ev) {
        const day = DateTime.fromISO(ev.target.value);
        if (!day.isValid) {
            return;
        }
        this.state[bound] = day.startOf("day");
        // The server explains a period that ends before it starts.
        this.load();
    }

    onCurrencyChange(ev) {
        this.state.currencyId = parseInt(ev.target.value) || false;
        this.load();
    }

    onPlanChange(ev) {
        this.state.planId = parseInt(ev.target.value) || false;
        this.load();
    }

    get monthLabels() {
        return this.state.data.months.map((m) => DateTime.fromISO(m).toFormat("MMM yyyy"));
    }

    /** The first and last day of trend month ``index``. */
    monthBounds(index) {
        const start = DateTime.fromISO(this.state.data.months[index]);
        return [serializeDate(start), serializeDate(start.endOf("month").startOf("day"))];
    }

    /** Open the records behind a chart segment, asked to the server. */
    async openChart(chart, key, from, to, label) {
        const drill = await this.orm.call("woow.paas.dashboard", "get_chart_records", [
            chart,
            from,
            to,
            key,
        ], { plan_ids: this.state.planId ? [this.state.planId] : null });
        this.openDomain({ res_model: drill.res_model, domain: [["id", "in", drill.ids]] }, label);
    }

    onMovement(dataset, index) {
        const [from, to] = this.monthBounds(index);
        this.openChart("movement", dataset.kind, from, to, `${dataset.label} · ${this.monthLabels[index]}`);
    }

    onMonthSegment(chart, key, index, label) {
        const [from, to] = this.monthBounds(index);
        this.openChart(chart, key, from, to, `${label} · ${this.monthLabels[index]}`);
    }

    openDomain(drill, label) {
        this.action.doAction(drillAction(drill, label, drill.domain));
    }

    openRecord(resModel, resId) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: resModel,
            res_id: resId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    async openKpi(kpi, label) {
        let drill = kpi.drill;
        if (!drill) {
            return;
        }
        if (drill.kpi) {
            // The core cards' records are read on demand: the answer stays small.
            const { start, end } = this.period;
            drill = await this.orm.call("woow.paas.dashboard", "get_kpi_records", [
                drill.kpi,
                serializeDate(start),
                serializeDate(end),
            ], { plan_ids: this.state.planId ? [this.state.planId] : null });
        }
        this.action.doAction(
            drillAction(drill, `${label} · ${this.periodLabel}`, drill.domain || [["id", "in", drill.ids]])
        );
    }
}

registry.category("actions").add("woow_paas_dashboard", PaasDashboard);
