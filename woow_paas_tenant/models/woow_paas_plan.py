from odoo import fields, models


class WoowPaasPlan(models.Model):
    _inherit = "woow.paas.plan"

    config_value_ids = fields.One2many(
        "woow.paas.config.plan.value", "plan_id", string="Configuration Defaults", copy=True
    )
