from odoo import models
from odoo.exceptions import UserError

from .const import PARAM


class Base(models.AbstractModel):
    """A suspended tenant database is read-only for its users.

    The platform sets ``woow_paas_agent.suspended`` when it suspends the
    tenant and removes it on reactivation. Users keep signing in and reading
    (a banner says why); every create, write and delete they attempt is
    refused. Superuser work (sign-in bookkeeping, the platform) goes on.
    """

    _inherit = "base"

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or operation == "read" or self._transient:
            return result
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param(f"{PARAM}suspended"):
            return None
        return self, lambda: UserError(self.env["res.users"]._paas_agent_suspended_message())
