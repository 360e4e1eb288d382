from odoo import models

from .const import PARAM


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Override of ``web`` to tell the web client that the database is
        suspended (it shows a banner)."""
        info = super().session_info()
        if self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}suspended"):
            info["paas_suspended"] = self.env["res.users"]._paas_agent_suspended_message()
        return info
