"""Constants of the dashboard's figures, cards and charts."""

TREND_MONTHS = 12
FORECAST_MONTHS = 3
# The MRR per month and its movements, for the chart.
# ``fx_mrr`` is the currency effect: the change of MRR that no movement
# explains, since the stocks are converted at the rate of their own day.
MOVEMENTS = (
    "mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
    "fx_mrr",
)  # fmt: skip

# The movements of the MRR chart's bars, for their drill-down.
MOVEMENT_KINDS = ("new", "reactivation", "expansion", "contraction", "churn")

FIGURE_COLUMNS = (
    "new_mrr", "new_count", "reactivation_mrr", "churned_mrr", "churned_count",
    "expansion_mrr", "contraction_mrr", "trials", "trials_ended", "trials_converted",
    "mrr_start", "mrr", "customers_start", "customers", "customers_lost", "retained_mrr",
    "base_churned_mrr", "base_expansion_mrr", "base_contraction_mrr", "tenants",
)  # fmt: skip
# The cards, in display order: (key, format, higher is better, drill-down model, ids column).
KPIS = (
    ("mrr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("arr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("new_mrr", "monetary", True, "woow.paas.subscription", "new_ids"),
    ("churned_mrr", "monetary", False, "woow.paas.subscription", "churned_ids"),
    ("nrr", "percent", True, "res.partner", "cohort_ids"),
    ("grr", "percent", True, "res.partner", "cohort_ids"),
    ("customers", "integer", True, "res.partner", "customer_ids"),
    ("arpu", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("tenants", "integer", True, "woow.paas.tenant", "tenant_ids"),
    ("trials", "integer", True, "woow.paas.subscription", "trial_ids"),
    ("trial_conversion", "percent", True, "woow.paas.subscription", "trial_ended_ids"),
    ("logo_churn", "percent", False, "res.partner", "lost_customer_ids"),
    ("revenue_churn", "percent", False, "res.partner", "revenue_churn_ids"),
)
# The parts of the retention figures, shown with their cards.
RETENTION_PARTS = (
    "mrr_start", "base_expansion_mrr", "base_contraction_mrr", "base_churned_mrr", "retained_mrr",
)  # fmt: skip


def _ratio(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else None
