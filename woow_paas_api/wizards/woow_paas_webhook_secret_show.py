from odoo import fields, models


class WoowPaasWebhookSecretShow(models.AbstractModel):
    """Shows a webhook signing secret once."""

    _name = "woow.paas.webhook.secret.show"
    _description = "Show a PaaS Webhook Secret"

    # The onchange that fills ``secret`` from the context needs an id field.
    id = fields.Id()
    secret = fields.Char(readonly=True)
