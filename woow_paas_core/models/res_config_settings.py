from odoo import fields, models

from .woow_paas_event import DEFAULT_RETENTION_DAYS, RETENTION_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    paas_event_retention_days = fields.Integer(
        string="Keep Platform Events (days)",
        config_parameter=RETENTION_PARAM,
        default=DEFAULT_RETENTION_DAYS,
        help="Events older than this are purged once a day (the purge is itself an event).",
    )
