from odoo import fields, models


class WoowPaasPlan(models.Model):
    _inherit = "woow.paas.plan"

    metric_price_ids = fields.One2many(
        "woow.paas.plan.metric", "plan_id", string="Metered Prices", copy=True
    )

    def _get_metric_price(self, metric):
        """The plan's price line for ``metric`` (empty when usage is not charged)."""
        self.ensure_one()
        return self.metric_price_ids.filtered(lambda line: line.metric_id == metric)[:1]
