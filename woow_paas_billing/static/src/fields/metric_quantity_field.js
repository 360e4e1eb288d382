import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { FloatField, floatField } from "@web/views/fields/float/float_field";
import { formatFloat } from "@web/views/fields/formatters";

/**
 * A quantity of a metric, shown with the metric's decimals (``digits`` on
 * ``woow.paas.metric``, read from the record's ``metric_digits``): 2,200
 * calls, 58.24 GB-days, rather than the six decimals the column stores.
 * An editable value keeps every stored decimal it has, so that saving the
 * form never rounds it.
 */
export class MetricQuantityField extends FloatField {
    get formattedValue() {
        const digits = this.props.record.data.metric_digits;
        if (!this.props.formatNumber || !Number.isInteger(digits)) {
            return super.formattedValue;
        }
        if (this.props.readonly) {
            return formatFloat(this.value, { digits: [16, digits] });
        }
        return formatFloat(this.value, { digits: [16, 6], minDigits: digits });
    }
}

export const metricQuantityField = {
    ...floatField,
    component: MetricQuantityField,
    displayName: _t("Metric quantity"),
    fieldDependencies: [{ name: "metric_digits", type: "integer" }],
};

registry.category("fields").add("paas_metric_quantity", metricQuantityField);

/** Totals of a column of quantities (list footers, groups): the metrics of
 * the rows may differ, so at most two decimals, none when they are zeros. */
registry
    .category("formatters")
    .add("paas_metric_quantity", (value, options = {}) =>
        formatFloat(value, { ...options, digits: [16, 2], trailingZeros: false })
    );
