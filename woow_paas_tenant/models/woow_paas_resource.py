from odoo import fields, models


class WoowPaasResource(models.Model):
    _inherit = "woow.paas.resource"

    quota_reset = fields.Selection(
        [("never", "Never (a level, e.g. users)"), ("period", "Each billing period")],
        string="Usage Resets",
        required=True,
        default="never",
        help="A level (users, storage) is measured; a consumption (API calls) "
        "starts again from zero with each billing period of the subscription.",
    )
