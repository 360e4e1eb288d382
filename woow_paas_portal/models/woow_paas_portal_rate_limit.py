from odoo import api, fields, models
from odoo.tools import SQL

from .const import RATE_LIMITS


class WoowPaasPortalRateLimit(models.Model):
    """Fixed-window hit counters of the public portal routes (sign-up and
    the tenant code check), per IP address, shared by every Odoo worker and
    server on the database.

    :meth:`_hit` counts and answers in one atomic statement on a cursor of
    its own: counts survive the request's rollback and lock a row for
    microseconds. The table is UNLOGGED: counters are disposable; the
    autovacuum drops windows that ended.
    """

    _name = "woow.paas.portal.rate.limit"
    _description = "PaaS Portal Rate Limit Counter"
    _log_access = False

    key = fields.Char(required=True)
    window_start = fields.Datetime(required=True)
    window_end = fields.Datetime(required=True, index=True)
    hits = fields.Integer(required=True)

    _key_window_uniq = models.Constraint(
        "UNIQUE(key, window_start)", "One counter per key and window."
    )

    def init(self):
        self.env.cr.execute("ALTER TABLE woow_paas_portal_rate_limit SET UNLOGGED")

    @api.model
    def _limit(self, bucket):
        """``(max hits, window seconds)`` of ``bucket``; the operator may
        change the number through its system parameter."""
        param, default, window = RATE_LIMITS[bucket]
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            return (int(value) if int(value) > 0 else default), window
        except (TypeError, ValueError):
            return default, window

    @api.model
    def _hit(self, bucket, address):
        """Count one hit of ``address`` on ``bucket``; return
        ``(allowed, retry_after_seconds)``."""
        limit, window = self._limit(bucket)
        with self.env.registry.cursor() as cr:
            cr.execute("SET LOCAL synchronous_commit TO OFF")
            cr.execute(
                SQL(
                    """
                    WITH w AS (
                        SELECT to_timestamp(floor(extract(epoch FROM now()) / %(w)s) * %(w)s)
                               at time zone 'utc' AS start
                    )
                    INSERT INTO woow_paas_portal_rate_limit AS r
                        (key, window_start, window_end, hits)
                    SELECT %(key)s, w.start, w.start + make_interval(secs => %(w)s), 1 FROM w
                    ON CONFLICT (key, window_start) DO UPDATE SET hits = r.hits + 1
                    RETURNING hits,
                        ceil(extract(epoch FROM r.window_end - (now() at time zone 'utc')))
                    """,
                    w=window,
                    key=f"{bucket}:{address}",
                )
            )
            hits, retry_after = cr.fetchone()
        return hits <= limit, max(int(retry_after or 1), 1)

    @api.autovacuum
    def _gc_ended_windows(self):
        self.env.cr.execute(
            "DELETE FROM woow_paas_portal_rate_limit WHERE window_end < now() at time zone 'utc'"
        )
