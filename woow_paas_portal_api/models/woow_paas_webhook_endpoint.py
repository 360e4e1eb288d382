from odoo import fields, models


class WoowPaasWebhookEndpoint(models.Model):
    _inherit = "woow.paas.webhook.endpoint"

    portal_nonce = fields.Char(
        readonly=True,
        copy=False,
        help="The portal form that created the endpoint: submitting that form "
        "again finds this endpoint instead of creating another.",
    )
    portal_rotation_nonce = fields.Char(
        readonly=True,
        copy=False,
        help="The last portal form that rotated the secret: submitting it again "
        "does not rotate twice (which would end the old secret's overlap).",
    )

    _portal_nonce_uniq = models.UniqueIndex(
        "(user_id, portal_nonce) WHERE portal_nonce IS NOT NULL",
        "A portal form creates one endpoint.",
    )

    def _paas_platform_fields(self):
        # The portal's forms set them (as superuser) to recognise a resubmission.
        hint = self.env._("the portal's forms set it")
        return {
            **super()._paas_platform_fields(),
            "portal_nonce": hint,
            "portal_rotation_nonce": hint,
        }
