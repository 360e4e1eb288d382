from odoo import fields, models


class WoowPaasApiKeyShow(models.AbstractModel):
    """Shows a freshly generated key once; nothing of it is stored in clear."""

    _name = "woow.paas.api.key.show"
    _description = "Show a PaaS API Key"

    # The onchange that fills ``key`` from the context needs an id field.
    id = fields.Id()
    key = fields.Char(readonly=True)
