"""Constants of the billing layer (readable by other addons)."""

AGGREGATIONS = [
    ("sum", "Sum"),
    ("count", "Count"),
    ("min", "Minimum"),
    ("max", "Maximum"),
    ("average", "Average"),
    ("unique_count", "Unique Count"),
    ("last", "Last Value"),
    ("time_weighted_sum", "Time-Weighted Sum"),
]

# Aggregations whose figures are whole numbers: their metrics show no decimals
# unless the operator says otherwise (``woow.paas.metric.digits``).
INTEGER_AGGREGATIONS = ("count", "unique_count")
# Aggregations whose period figure reads the daily rollups alone.
ROLLUP_AGGREGATIONS = ("sum", "count", "min", "max", "average")
# Aggregations whose figures add up over days and tenants from the rollups'
# daily sums, and the rollup column that does.
ADDITIVE_AGGREGATIONS = {"sum": "quantity_sum", "count": "event_count"}
MAX_METRIC_DIGITS = 6

PRICING_MODELS = [
    ("flat", "Flat (per unit)"),
    ("graduated", "Graduated Tiers"),
    ("volume", "Volume Tiers"),
]

# Tenants that may still report usage: a suspended tenant reports what it used
# before it stopped, a provisioning one what its set-up consumed.
USAGE_TENANT_STATES = ("provisioning", "active", "suspended")

PARAM_LATE_WINDOW = "woow_paas_billing.usage_late_window_days"
PARAM_FUTURE_TOLERANCE = "woow_paas_billing.usage_future_tolerance_seconds"
PARAM_MAX_BATCH = "woow_paas_billing.usage_max_batch"
DEFAULT_LATE_WINDOW_DAYS = 35
DEFAULT_FUTURE_TOLERANCE_SECONDS = 300
DEFAULT_MAX_BATCH = 10000
MAX_IDEMPOTENCY_KEY_LENGTH = 255

# Payments and dunning.
PARAM_DUNNING_DAYS = "woow_paas_billing.dunning_days"
DEFAULT_DUNNING_DAYS = (1, 3, 5, 7)
# Subscriptions whose posted invoices are charged when posted.
CHARGEABLE_STATES = ("trial", "active", "past_due")
# A charge job that finds the invoice locked by another one tries again then.
CHARGE_LOCKED_RETRY_SECONDS = 30
# A charge job whose provider cannot be reached tries again then.
PROVIDER_DOWN_RETRY_SECONDS = 300
