import { _t } from "@web/core/l10n/translation";
import { serializeDate } from "@web/core/l10n/dates";
import { patch } from "@web/core/utils/patch";
import { PaasDashboard } from "@woow_paas_dashboard/dashboard/dashboard";

/** The quota saturation chart of the dashboard: tenants by their fullest
 * quota today, each bar opening its tenants. */
patch(PaasDashboard.prototype, {
    get saturationSeries() {
        const buckets = this.state.data.forecast?.saturation || [];
        if (!buckets.some((bucket) => bucket.count)) {
            return [];
        }
        return [{ key: "saturation", label: _t("Tenants"), values: buckets.map((b) => b.count) }];
    },

    onSaturation(key, index) {
        const bucket = this.state.data.forecast.saturation[index];
        const { start, end } = this.period;
        this.openChart("saturation", bucket.key, serializeDate(start), serializeDate(end), bucket.label);
    },
});
