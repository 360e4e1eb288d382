import math
from datetime import datetime, time

from odoo import api, fields, models
from odoo.tools import SQL

# The plan's api_calls limit is a monthly budget; the tenant's bucket refills
# at that budget spread over a 30-day month and holds one hour of it, so a
# tenant cannot spend its month in a burst, yet a busy hour is served.
MONTH_HOURS = 30 * 24
UNLIMITED = 10**9
TENANT_PREFIX = "tenant:"


class WoowPaasApiRateBucket(models.Model):
    """Override of ``woow_paas_api``: calls of a credential that acts for a
    tenant (``paas_tenant_id`` on the key or OAuth2 client) also take a token
    from the tenant's bucket, rated from the plan's ``api_calls`` limit, and
    are counted in that bucket. The counts reach the tenant's quota line once
    a minute (:meth:`_cron_count_api_calls`): no write per request in the
    request's transaction and no contention on the quota row."""

    _inherit = "woow.paas.api.rate.bucket"

    @api.model
    def _request_buckets(self, credential):
        buckets = super()._request_buckets(credential)
        record = credential and credential.record
        has_tenant = record and "paas_tenant_id" in record._fields
        tenant_id = has_tenant and record.sudo().paas_tenant_id.id
        if tenant_id:
            buckets.append(self._paas_tenant_bucket(tenant_id))
        return buckets

    @api.model
    def _paas_tenant_bucket(self, tenant_id):
        """The bucket of a tenant's calls, from its api_calls quota line
        (plan limit or override; the plan's limit before the line exists);
        ``exhausted`` once this period's calls
        reached the limit."""
        self.env.cr.execute(
            SQL(
                """
                SELECT CASE WHEN q.id IS NULL THEN pq.limit ELSE q.effective_limit END,
                       CASE WHEN q.id IS NULL THEN pq.id IS NULL ELSE q.is_unlimited END,
                       COALESCE(q.usage, 0), q.period_start,
                       s.current_period_start, s.current_period_end
                  FROM woow_paas_tenant t
             LEFT JOIN woow_paas_subscription s ON s.id = t.subscription_id
             LEFT JOIN woow_paas_tenant_quota q
                    ON q.tenant_id = t.id AND q.resource_code = 'api_calls'
             LEFT JOIN woow_paas_plan_quota pq
                    ON pq.plan_id = s.plan_id AND pq.resource_code = 'api_calls'
                 WHERE t.id = %s
                """,
                tenant_id,
            )
        )
        row = self.env.cr.fetchone()
        bucket = {"name": f"{TENANT_PREFIX}{tenant_id}", "policy": "tenant", "window": 3600,
                  "count": True}  # fmt: skip
        limit, unlimited, usage, period, current_start, current_end = row or (None,) * 6
        if limit is None or unlimited:
            return {**bucket, "quota": UNLIMITED, "unlimited": True}
        bucket["quota"] = max(math.ceil(limit / MONTH_HOURS), 1)
        # A line still on the previous period starts again from zero.
        if usage >= limit and period == current_start:
            end = current_end and datetime.combine(current_end, time.min)
            wait = (end - fields.Datetime.now()).total_seconds() if end else 3600
            bucket["exhausted"] = max(math.ceil(wait), 1)
        return bucket

    @api.model
    def _cron_count_api_calls(self):
        """Add the calls counted by the tenants' buckets since the last run to
        their ``api_calls`` quota lines: thresholds announce ``quota.warning``
        as for any consumption. The calls were served already, so they are
        added even past the limit (the next calls get a 429)."""
        counts = self._pop_call_counts()
        by_tenant = {
            int(name[len(TENANT_PREFIX) :]): calls
            for name, calls in counts.items()
            if name.startswith(TENANT_PREFIX) and name[len(TENANT_PREFIX) :].isdigit()
        }
        # A failure rolls back the transaction, which gives the counts back.
        tenants = self.env["woow.paas.tenant"].sudo().browse(by_tenant).exists()
        if tenants:
            lines = tenants._paas_quota_lines("api_calls")
            lines._paas_lock()
            lines._paas_roll_period()
            for line in lines:
                line._paas_add_usage(by_tenant[line.tenant_id.id])
            lines._paas_notify_thresholds()
        return by_tenant
