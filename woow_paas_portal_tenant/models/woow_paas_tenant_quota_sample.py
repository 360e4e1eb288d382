from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Samples older than this are dropped: the trend reads the last TREND_DAYS.
KEEP_DAYS = 90


class WoowPaasTenantQuotaSample(models.Model):
    """The level of a quota line (users, storage...) on one day.

    The tenant layer keeps only the current usage of each quota line; a
    level's trend, and so the day it reaches its limit, needs its past
    values. A daily cron keeps one row per level line and day (consumptions
    such as API calls need none: they restart each period, and their trend
    is the usage since the period started).
    """

    _name = "woow.paas.tenant.quota.sample"
    _description = "PaaS Tenant Quota Daily Sample"
    _order = "quota_id, day"
    _log_access = False

    quota_id = fields.Many2one(
        "woow.paas.tenant.quota", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="quota_id.company_id")
    day = fields.Date(required=True, readonly=True)
    usage = fields.Float(readonly=True, digits=(16, 2))

    _quota_day_uniq = models.UniqueIndex("(quota_id, day)", "One sample per quota line and day.")

    @api.model
    def _cron_sample(self):
        """Record today's level of every level quota line (one statement,
        whatever the number of tenants) and drop samples past the window."""
        self.env["woow.paas.tenant.quota"].flush_model(["usage"])
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                """INSERT INTO woow_paas_tenant_quota_sample (quota_id, day, usage)
                   SELECT q.id, %(today)s, COALESCE(q.usage, 0)
                     FROM woow_paas_tenant_quota q
                     JOIN woow_paas_resource r ON r.id = q.resource_id
                     JOIN woow_paas_tenant t ON t.id = q.tenant_id
                    WHERE r.quota_reset = 'never' AND t.state NOT IN ('archived', 'failed')
                   ON CONFLICT (quota_id, day) DO UPDATE SET usage = EXCLUDED.usage""",
                today=today,
            )
        )
        self.env.cr.execute(
            SQL(
                "DELETE FROM woow_paas_tenant_quota_sample WHERE day < %s",
                today - timedelta(days=KEEP_DAYS),
            )
        )
        self.invalidate_model()
        return True
