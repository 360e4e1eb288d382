from markupsafe import Markup

from odoo import models


class WoowPaasTenant(models.Model):
    _inherit = "woow.paas.tenant"

    def _paas_portal_open_url(self):
        """Override of ``woow_paas_portal``: a database tenant opens at
        ``<code>.<platform domain>`` (a suspended one read-only); a shared
        tenant's app lives in the platform itself and keeps the portal's
        answer unless an app built on the tenant layer overrides this."""
        self.ensure_one()
        if self.paas_url and self.state in ("active", "suspended"):
            return self.paas_url
        return super()._paas_portal_open_url()

    def _paas_provisioned(self):
        """Override of ``woow_paas_core``: a database tenant's customer gets
        the "your tenant is ready" mail with the sign-in link."""
        res = super()._paas_provisioned()
        self._paas_send_ready_mail()
        return res

    def _paas_send_ready_mail(self):
        """Send the white-labelled "your tenant is ready" mail, with the
        administrator's one-time sign-in link made at provisioning, to the
        customer of each database tenant that has one. The link travels in
        the mail only (the chatter notes that it was sent, not the link)."""
        template = self.env.ref(
            "woow_paas_portal_tenant.mail_template_paas_tenant_ready", raise_if_not_found=False
        )
        if not template:
            return
        for tenant in self.sudo():
            url, expires = tenant._paas_first_signin_link()
            if not url or not tenant.partner_id.email:
                continue
            template.sudo().with_context(
                paas_signin_url=url,
                paas_signin_expires=expires,
                paas_tenant_page=f"{tenant.get_base_url()}{tenant.access_url}",
            ).send_mail(tenant.id)
            tenant._message_log(
                body=Markup("%s")
                % self.env._(
                    "The tenant-is-ready mail with the administrator's sign-in link was sent "
                    "to %s.",
                    tenant.partner_id.email,
                )
            )
