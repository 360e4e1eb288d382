from odoo import models
from odoo.exceptions import AccessError

from .const import is_platform


class IrModelData(models.Model):
    """``base.group_user`` is the group the internal-user limit counts: its
    external id may not be pointed at another group (or removed) from
    inside the tenant, which would make the limit count the wrong group."""

    _inherit = "ir.model.data"

    def write(self, vals):
        self._paas_agent_check_group_user()
        return super().write(vals)

    def unlink(self):
        self._paas_agent_check_group_user()
        return super().unlink()

    def _paas_agent_check_group_user(self):
        if is_platform(self.env):
            return
        if self.sudo().filtered(lambda data: (data.module, data.name) == ("base", "group_user")):
            raise AccessError(
                self.env._("The external id base.group_user cannot be changed or removed.")
            )
