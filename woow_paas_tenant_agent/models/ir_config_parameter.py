from odoo import api, models
from odoo.exceptions import AccessError

from .const import PARAM, is_platform


class IrConfigParameter(models.Model):
    """The ``woow_paas_agent.*`` parameters are the platform's: the limits,
    the suspension and the configuration it pushes. The tenant's users,
    its administrator included, read them but never create, change, rename
    or delete them (``set_param`` goes through these methods too); the
    platform writes them with SQL."""

    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_agent_check_keys([vals.get("key") for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        self._paas_agent_check_keys(self.sudo().mapped("key") + [vals.get("key")])
        return super().write(vals)

    def unlink(self):
        self._paas_agent_check_keys(self.sudo().mapped("key"))
        return super().unlink()

    def _paas_agent_check_keys(self, keys):
        if is_platform(self.env):
            return
        owned = sorted({key for key in keys if isinstance(key, str) and key.startswith(PARAM)})
        if owned:
            raise AccessError(
                self.env._(
                    "%(keys)s: set by the platform for your plan; ask your provider to "
                    "change them.",
                    keys=", ".join(owned),
                )
            )
