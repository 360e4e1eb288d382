from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WoowPaasPlanMetricTier(models.Model):
    """One tier of a metered price: the units up to ``up_to`` cost ``unit_price``.

    The last tier has no upper bound (``up_to`` = 0). ``flat_amount`` is added
    once when usage reaches the tier (graduated) or falls in it (volume).
    """

    _name = "woow.paas.plan.metric.tier"
    _description = "PaaS Metered Price Tier"
    _order = "plan_metric_id, up_to_order, id"

    plan_metric_id = fields.Many2one(
        "woow.paas.plan.metric", required=True, index=True, ondelete="cascade"
    )
    up_to = fields.Float(
        digits=(16, 6),
        help="Last unit of the tier (billable units, after the included quantity); "
        "0 means no upper bound.",
    )
    up_to_order = fields.Float(compute="_compute_up_to_order", store=True, digits=(16, 6))
    unit_price = fields.Float(digits=(16, 6), required=True, default=0.0)
    flat_amount = fields.Float(digits=(16, 6), default=0.0)
    currency_id = fields.Many2one(related="plan_metric_id.currency_id")
    metric_digits = fields.Integer(related="plan_metric_id.metric_id.digits")

    _amounts_check = models.Constraint(
        "CHECK(up_to >= 0 AND unit_price >= 0 AND flat_amount >= 0)",
        "Tier bounds and prices cannot be negative.",
    )

    @api.depends("up_to")
    def _compute_up_to_order(self):
        for tier in self:
            # The open-ended tier (0) sorts last.
            tier.up_to_order = tier.up_to or 1e15

    @api.constrains("up_to", "plan_metric_id")
    def _check_single_open_tier(self):
        for line in self.plan_metric_id:
            if len(line.tier_ids.filtered(lambda t: not t.up_to)) > 1:
                raise ValidationError(
                    self.env._(
                        "The price of %(metric)s on plan %(plan)s has more than one tier "
                        "without an upper bound.",
                        metric=line.metric_id.name,
                        plan=line.plan_id.name,
                    )
                )
            bounds = [t.up_to for t in line.tier_ids if t.up_to]
            if len(bounds) != len(set(bounds)):
                raise ValidationError(
                    self.env._(
                        "Two tiers of %(metric)s on plan %(plan)s end at the same quantity.",
                        metric=line.metric_id.name,
                        plan=line.plan_id.name,
                    )
                )
