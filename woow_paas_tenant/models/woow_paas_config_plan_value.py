from odoo import api, fields, models


class WoowPaasConfigPlanValue(models.Model):
    """A plan's default for one configuration key."""

    _name = "woow.paas.config.plan.value"
    _description = "PaaS Configuration Default per Plan"
    _order = "key_id, plan_id"

    key_id = fields.Many2one("woow.paas.config.key", required=True, index=True, ondelete="cascade")
    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    value = fields.Char(required=True)

    _key_plan_uniq = models.Constraint(
        "UNIQUE(key_id, plan_id)", "A plan sets each configuration key only once."
    )

    @api.constrains("key_id", "value")
    def _check_value(self):
        for line in self:
            line.key_id._paas_parse(line.value)
