from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.woow_paas_core.models.const import RESOURCE_CODE_RE

from .const import AGGREGATIONS


class WoowPaasMetric(models.Model):
    """Something a tenant consumes and reports as usage events.

    A metric says how its events add up over a period (:attr:`aggregation`).
    Linked to a core :class:`woow.paas.resource`, it counts the same thing as
    the plan quotas of that resource, so quotas and billing never disagree.
    """

    _name = "woow.paas.metric"
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
