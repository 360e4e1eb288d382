from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.woow_paas_core.formatting import format_number
from odoo.addons.woow_paas_core.models.const import RESOURCE_CODE_RE

from .const import AGGREGATIONS, INTEGER_AGGREGATIONS, MAX_METRIC_DIGITS


class WoowPaasMetric(models.Model):
    """Something a tenant consumes and reports as usage events.

    A metric says how its events add up over a period (:attr:`aggregation`).
    Linked to a core :class:`woow.paas.resource`, it counts the same thing as
    the plan quotas of that resource, so quotas and billing never disagree.
    :meth:`_paas_aggregate` is the one reader of usage over periods.
    """

    _name = "woow.paas.metric"
    _inherit = ["woow.paas.metric.aggregate.mixin"]
    _description = "PaaS Usage Metric"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical name that usage events carry, e.g. api_calls: lowercase "
        "letters, digits and underscores, starting with a letter.",
    )
    unit = fields.Char(translate=True, help="Unit of one event's quantity, e.g. GB or calls.")
    description = fields.Text(translate=True)
    aggregation = fields.Selection(
        AGGREGATIONS,
        required=True,
        default="sum",
        help="How the events of a period add up:\n"
        "- Sum, Count, Minimum, Maximum, Average of the quantities;\n"
        "- Unique Count: distinct values of a property (e.g. user ids);\n"
        "- Last Value: the latest quantity reported;\n"
        "- Time-Weighted Sum: for gauges (seats, storage), each reported value "
        "multiplied by the days it held (e.g. GB-days).",
    )
    property_key = fields.Char(
        string="Unique Property",
        help="For Unique Count: the key of the event properties whose distinct values "
        "are counted, e.g. user_id.",
    )
    digits = fields.Integer(
        string="Decimals",
        compute="_compute_digits",
        store=True,
        readonly=False,
        precompute=True,
        help="Decimals shown for this metric's quantities on the portal, invoices and "
        "dashboard (at most 6; counts default to 0, other aggregations to 2). "
        "Quantities are stored and billed exactly whatever this shows.",
    )
    billable = fields.Boolean(default=True, help="Usage of this metric may be charged.")
    resource_id = fields.Many2one(
        "woow.paas.resource",
        ondelete="restrict",
        index="btree_not_null",
        help="The core resource this metric measures: plan quotas on that resource "
        "are checked against this usage.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoicing Product",
        domain=[("type", "=", "service")],
        ondelete="restrict",
        copy=False,
        help="Service product of the metric's usage lines on invoices (taxes, income "
        "account). Made from the metric when left empty.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "A metric code must be unique.")
    _unique_key_check = models.Constraint(
        "CHECK(aggregation != 'unique_count' OR property_key IS NOT NULL)",
        "A unique count metric needs the property whose distinct values it counts.",
    )

    _digits_check = models.Constraint(
        f"CHECK(digits BETWEEN 0 AND {MAX_METRIC_DIGITS})",
        f"A metric shows between 0 and {MAX_METRIC_DIGITS} decimals.",
    )

    @api.depends("aggregation")
    def _compute_digits(self):
        for metric in self:
            metric.digits = 0 if metric.aggregation in INTEGER_AGGREGATIONS else 2

    @api.constrains("code")
    def _check_code(self):
        for metric in self:
            if not RESOURCE_CODE_RE.fullmatch(metric.code or ""):
                raise ValidationError(
                    self.env._(
                        "The metric code %(code)r is invalid: use lowercase letters, "
                        "digits and underscores, starting with a letter (at most 64).",
                        code=metric.code,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        metrics = super().create(vals_list)
        metrics.filtered(lambda m: not m.product_id)._paas_create_products()
        return metrics

    def _paas_create_products(self):
        """One service product per metric for its invoice lines, in one create."""
        self.env["product.product"]._paas_create_services(
            self,
            [
                {
                    "name": self.env._("Usage: %s", metric.name),
                    "default_code": f"PAAS-USAGE-{metric.code.upper()}",
                    "list_price": 0.0,
                }
                for metric in self
            ],
        )

    @api.onchange("resource_id")
    def _onchange_resource_id(self):
        resource = self.resource_id
        if resource:
            self.code = self.code or resource.code
            self.name = self.name or resource.name
            self.unit = self.unit or resource.unit

    def _paas_format_quantity(self, value, unit=True):
        """A quantity of this metric as customers read it: in their language,
        with the metric's decimals (``digits``) and, unless ``unit`` is
        false, its unit: "58.24 GB-days", "2,200 calls"."""
        self.ensure_one()
        number = format_number(self.env, value or 0, self.digits)
        return f"{number} {self.unit}" if unit and self.unit else number

    def _paas_customer_aggregation(self):
        """How a period's figure of this metric is counted, in the words of
        a customer (the usage page), rather than the aggregation's name."""
        self.ensure_one()
        return {
            "sum": self.env._("Total of the period"),
            "count": self.env._("Number of events"),
            "min": self.env._("Lowest value"),
            "max": self.env._("Highest value"),
            "average": self.env._("Average value"),
            "unique_count": self.env._("Distinct values"),
            "last": self.env._("Latest value"),
            "time_weighted_sum": self.env._("Value × days it held"),
        }.get(self.aggregation, "")
