from odoo import fields, models


class WoowPaasUsageRollup(models.Model):
    """Usage of one tenant for one metric on one UTC day, kept current by
    ``woow.paas.usage.event`` in the statement that inserts the events.

    Read-only for everyone: only ingestion (raw SQL) and the rebuild of
    ``woow.paas.usage.event._rollup_rebuild`` write it. Period figures (sum,
    count, min, max, average, last) add these rows up instead of scanning the
    raw events.

    One row per tenant, metric, day and writing database session
    (``writer_pid``), so that concurrent ingestion at REPEATABLE READ never
    updates a row another transaction changed: figures of a day add the rows
    of the day up (sum, count, min, max; the last value is the one of the
    latest ``last_timestamp``).
    """

    _name = "woow.paas.usage.rollup"
    _description = "PaaS Daily Usage"
    _order = "day desc, id desc"
    _log_access = False

    tenant_id = fields.Many2one(
        "woow.paas.tenant", required=True, readonly=True, ondelete="cascade"
    )
    metric_id = fields.Many2one(
        "woow.paas.metric", required=True, readonly=True, index=True, ondelete="cascade"
    )
    day = fields.Date(required=True, readonly=True, help="UTC day of the events.")
    company_id = fields.Many2one(related="tenant_id.company_id")
    unit = fields.Char(related="metric_id.unit")
    metric_digits = fields.Integer(related="metric_id.digits")
    event_count = fields.Integer(string="Events", readonly=True, aggregator="sum")
    quantity_sum = fields.Float(string="Sum", digits=(16, 6), readonly=True, aggregator="sum")
    quantity_min = fields.Float(string="Minimum", digits=(16, 6), readonly=True, aggregator="min")
    quantity_max = fields.Float(string="Maximum", digits=(16, 6), readonly=True, aggregator="max")
    last_quantity = fields.Float(string="Last Value", digits=(16, 6), readonly=True)
    last_timestamp = fields.Datetime(string="Last Event", readonly=True, aggregator="max")
    writer_pid = fields.Integer(
        string="Writer",
        readonly=True,
        default=0,
        aggregator=False,
        help="Database session (backend process id) that wrote the row.",
    )

    _tenant_metric_day_uniq = models.Constraint(
        "UNIQUE(tenant_id, metric_id, day, writer_pid)",
        "One rollup per tenant, metric, day and writing session.",
    )
