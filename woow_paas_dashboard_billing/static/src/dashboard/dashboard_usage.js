import { PaasDashboard } from "@woow_paas_dashboard/dashboard/dashboard";
import { patch } from "@web/core/utils/patch";

/** The usage chart of the dashboard: the usage cards' trends, one series
 * per metric, each bar opening the rollups of its month. */
patch(PaasDashboard.prototype, {
    get usageSeries() {
        return this.state.data.kpis
            .filter((kpi) => kpi.key.startsWith("usage_"))
            .map((kpi) => ({ key: kpi.key, label: kpi.label, values: kpi.trend, digits: kpi.digits }));
    },

    onUsage(key, index, label) {
        // The usage cards carry their rollups' domain for the period: narrowed to the month.
        const kpi = this.state.data.kpis.find((k) => k.key === key);
        const [from, to] = this.monthBounds(index);
        const domain = kpi.drill.domain
            .filter((leaf) => leaf[0] !== "day")
            .concat([["day", ">=", from], ["day", "<=", to]]);
        this.openDomain({ res_model: kpi.drill.res_model, domain }, `${label} · ${this.monthLabels[index]}`);
    },
});
