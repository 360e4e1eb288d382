from odoo import fields, models


class WoowPaasOauthClient(models.Model):
    _inherit = "woow.paas.oauth.client"

    portal_nonce = fields.Char(
        readonly=True,
        copy=False,
        help="The portal form that registered the client: submitting that form "
        "again finds this client instead of registering another.",
    )

    _portal_nonce_uniq = models.UniqueIndex(
        "(user_id, portal_nonce) WHERE portal_nonce IS NOT NULL",
        "A portal form registers one client.",
    )

    def _paas_platform_fields(self):
        # The portal's forms set them (as superuser) to recognise a resubmission.
        hint = self.env._("the portal's forms set it")
        return {
            **super()._paas_platform_fields(),
            "portal_nonce": hint,
        }
