from datetime import timedelta

from odoo import api, fields, models

# Keys are kept at least this long (the IETF draft asks for a stated window).
RETENTION = timedelta(days=7)


class WoowPaasApiIdempotency(models.Model):
    """The first answer to each ``Idempotency-Key`` of a credential.

    A POST claims its key and stores its answer in the transaction of the
    change, so that the answer exists exactly when the change committed; a
    concurrent retry gets 409 (see ``_idempotent`` in the API controller).
    """

    _name = "woow.paas.api.idempotency"
    _description = "PaaS API Idempotency Key"
    _log_access = False

    credential = fields.Char(
        required=True, help="The API key or OAuth2 client that sent the request."
    )
    key = fields.Char(required=True)
    request_hash = fields.Char(required=True)
    state = fields.Selection([("running", "Running"), ("done", "Done")], required=True)
    status = fields.Integer()
    response = fields.Text()
    created_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    _key_uniq = models.Constraint(
        "UNIQUE(credential, key)", "An idempotency key is used once per credential."
    )

    @api.autovacuum
    def _gc_expired(self):
        self.search([("created_at", "<", fields.Datetime.now() - RETENTION)]).unlink()
