from odoo import models
from odoo.tools import format_datetime


class WoowPaasSignup(models.Model):
    _inherit = "woow.paas.signup"

    def _paas_status(self):
        """Override of ``woow_paas_portal``: a ready database tenant is
        opened with its administrator's one-time sign-in link while it may
        work; afterwards the button leads to the tenant's page, where
        Sign in as administrator makes a fresh one."""
        status = super()._paas_status()
        tenant = self.sudo().tenant_id
        if not status["ready"] or tenant.paas_isolation != "database":
            return status
        url, expires = tenant._paas_first_signin_link()
        if url:
            status.update(
                open_url=url,
                open_label=self.env._("Sign in to your tenant"),
                open_note=self.env._(
                    "This link signs you in once as the administrator (%(login)s), without a "
                    "password, until %(date)s. Later, use Sign in as administrator on your "
                    "tenant's page.",
                    login=tenant.paas_admin_login,
                    date=format_datetime(self.env, expires, dt_format="medium"),
                ),
            )
        else:
            status.update(
                open_url=tenant.access_url,
                open_label=self.env._("Go to your tenant"),
                open_note=self.env._(
                    "Use Sign in as administrator there to open your tenant's own Odoo."
                ),
            )
        return status
