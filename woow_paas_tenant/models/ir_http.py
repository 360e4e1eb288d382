from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Override of ``web`` to give the tenant switcher the user's tenants."""
        info = super().session_info()
        user = self.env.user.sudo()
        if user._is_internal() and user.paas_tenant_ids:
            info["paas_tenants"] = {
                "current_id": user.paas_tenant_id.id,
                "allowed": [
                    {"id": tenant.id, "name": tenant.name, "code": tenant.code}
                    for tenant in user.paas_tenant_ids
                ],
            }
        return info
