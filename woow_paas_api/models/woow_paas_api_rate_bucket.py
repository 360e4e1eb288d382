import math

from odoo import api, fields, models
from odoo.tools import SQL

DEFAULT_PER_MINUTE = 600
LIMIT_PARAM = "woow_paas_api.rate_limit_per_minute"
ANONYMOUS_PARAM = "woow_paas_api.anonymous_rate_limit_per_minute"


class WoowPaasApiRateBucket(models.Model):
    """Token buckets of the API's rate limits, shared by every Odoo worker
    and server on the database.

    One row per bucket (a credential, or an address for calls without one).
    :meth:`_take` refills and takes a token in one atomic statement on a
    cursor of its own, so that a bucket's row is locked for microseconds, not
    for the whole request. The table is UNLOGGED: buckets are disposable.
    """

    _name = "woow.paas.api.rate.bucket"
    _description = "PaaS API Rate Limit Bucket"
    _log_access = False

    bucket = fields.Char(required=True)
    tokens = fields.Float(required=True)
    allowed = fields.Boolean(help="Whether the last call was let through.")
    updated_at = fields.Datetime(required=True)

    _bucket_uniq = models.Constraint("UNIQUE(bucket)", "One row per bucket.")

    def init(self):
        self.env.cr.execute("ALTER TABLE woow_paas_api_rate_bucket SET UNLOGGED")

    @api.model
    def _limit_per_minute(self, key=None):
        if key and key.rate_limit:
            return key.rate_limit
        param = LIMIT_PARAM if key else ANONYMOUS_PARAM
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            if int(value) > 0:
                return int(value)
        except (TypeError, ValueError):
            pass
        return DEFAULT_PER_MINUTE if key else DEFAULT_PER_MINUTE // 10

    @api.model
    def _take(self, bucket, per_minute):
        """Take one token from ``bucket`` (capacity ``per_minute``, refilled
        continuously); return ``(allowed, remaining, seconds_to_full,
        retry_after)``."""
        rate = per_minute / 60.0
        cap = float(per_minute)
        elapsed = SQL("EXTRACT(EPOCH FROM (now() at time zone 'utc') - b.updated_at)")
        refill = SQL("LEAST(%s, b.tokens + %s * %s)", cap, rate, elapsed)
        with self.env.registry.cursor() as cr:
            # Buckets are disposable: no need to wait for the disk at commit.
            cr.execute("SET LOCAL synchronous_commit TO OFF")
            cr.execute(
                SQL(
                    """
                    INSERT INTO woow_paas_api_rate_bucket AS b (bucket, tokens, allowed, updated_at)
                    VALUES (%s, %s - 1, TRUE, now() at time zone 'utc')
                    ON CONFLICT (bucket) DO UPDATE SET
                        tokens = CASE WHEN %s >= 1 THEN %s - 1 ELSE %s END,
                        allowed = %s >= 1,
                        updated_at = now() at time zone 'utc'
                    RETURNING tokens, allowed
                    """,
                    bucket, cap, refill, refill, refill, refill,
                )
            )  # fmt: skip
            tokens, allowed = cr.fetchone()
        remaining = max(int(tokens), 0)
        seconds_to_full = math.ceil((per_minute - max(tokens, 0)) / rate)
        retry_after = 0 if allowed else math.ceil((1 - tokens) / rate)
        return allowed, remaining, seconds_to_full, retry_after
