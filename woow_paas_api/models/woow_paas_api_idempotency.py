from datetime import timedelta

from odoo import api, fields, models

# Keys are kept at least this long (the IETF draft asks for a stated window).
RETENTION = timedelta(days=7)


class WoowPaasApiIdempotency(models.Model):
    """The first answer to each ``Idempotency-Key`` of a credential.

    A POST claims its key and stores its answer in the transaction of the
    change, so that the answer exists exactly when the change committed; a
    concurrent retry gets 409. The REST framework (``tools/api_request.py``)
    calls :meth:`_paas_begin` before a POST runs and :meth:`_paas_finish`
    after.
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

    @api.model
    def _paas_begin(self, credential, key, digest):
        """Claim ``key`` of ``credential`` for a request of body ``digest``,
        in the request's own transaction, so that the stored answer exists
        exactly when the change committed and a failed request frees its key.

        A transaction-scoped advisory lock answers at once instead of waiting
        behind the running request; a retry whose snapshot predates the first
        request's commit hits a serialization failure, which Odoo retries
        with a fresh snapshot that sees the stored answer.

        Returns ``("busy", None)`` while the key's first request still runs,
        ``("mismatch", None)`` for the key used with another body,
        ``("replay", (status, response))`` for the stored answer, or
        ``("claimed", claim_id)`` to run the request.
        """
        cr = self.env.cr
        cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
            (f"woow_paas_api:{credential}:{key}",),
        )
        if not cr.fetchone()[0]:
            return "busy", None
        cr.execute(
            "INSERT INTO woow_paas_api_idempotency (credential, key, request_hash, state,"
            " created_at) VALUES (%s, %s, %s, 'running', now() at time zone 'utc')"
            " ON CONFLICT (credential, key) DO NOTHING RETURNING id",
            (credential, key, digest),
        )
        claimed = cr.fetchone()
        if claimed:
            return "claimed", claimed[0]
        cr.execute(
            "SELECT request_hash, status, response FROM woow_paas_api_idempotency"
            " WHERE credential = %s AND key = %s",
            (credential, key),
        )
        request_hash, status, response = cr.fetchone()
        if request_hash != digest:
            return "mismatch", None
        return "replay", (status, response)

    @api.model
    def _paas_finish(self, claim_id, status, response):
        """Store the answer (JSON text) of the request that claimed ``claim_id``."""
        self.env.cr.execute(
            "UPDATE woow_paas_api_idempotency SET state = 'done', status = %s, response = %s"
            " WHERE id = %s",
            (status, response, claim_id),
        )

    @api.autovacuum
    def _gc_expired(self):
        self.search([("created_at", "<", fields.Datetime.now() - RETENTION)]).unlink()
