from odoo import fields, models

from .woow_paas_dashboard_usage_day import TRIGGER_SQL


class WoowPaasDashboardUsageDirty(models.Model):
    """(metric, day) pairs whose rollups changed since the usage snapshot was
    refreshed. Append-only, so that concurrent ingestion never conflicts."""

    _name = "woow.paas.dashboard.usage.dirty"
    _description = "PaaS Dashboard: Usage Days to Refresh"
    _log_access = False

    metric_id = fields.Integer(required=True)
    day = fields.Date(required=True)

    def init(self):
        self.env.cr.execute(TRIGGER_SQL)
