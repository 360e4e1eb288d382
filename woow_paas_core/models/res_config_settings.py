from odoo import fields, models

from .const import PARAM_ALLOW_REPEAT_TRIALS
from .woow_paas_event import DEFAULT_RETENTION_DAYS, RETENTION_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    paas_event_retention_days = fields.Integer(
        string="Keep Platform Events (days)",
        config_parameter=RETENTION_PARAM,
        default=DEFAULT_RETENTION_DAYS,
        help="Events older than this are purged once a day (the purge is itself an event).",
    )
    paas_allow_repeat_trials = fields.Boolean(
        string="Repeat Free Trials",
        config_parameter=PARAM_ALLOW_REPEAT_TRIALS,
        help="Customers may start the free trial of a plan again. Off: one trial per "
        "customer and plan (operators still start any trial from the back office).",
    )
