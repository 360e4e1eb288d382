from odoo import fields, models

# Mark the (metric, day) pairs whose rollups changed, one row per pair and
# statement (transition tables): ingestion, late events and rebuilds alike.
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION woow_paas_dashboard_mark_rollups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO woow_paas_dashboard_usage_dirty (metric_id, day)
    SELECT DISTINCT metric_id, day FROM changed;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER woow_paas_dashboard_rollup_ins AFTER INSERT ON woow_paas_usage_rollup
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rollups();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_rollup_upd AFTER UPDATE ON woow_paas_usage_rollup
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rollups();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_rollup_del AFTER DELETE ON woow_paas_usage_rollup
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rollups();
CREATE INDEX IF NOT EXISTS woow_paas_dashboard_rollup_day_idx
    ON woow_paas_usage_rollup (day, metric_id);
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS woow_paas_dashboard_rollup_ins ON woow_paas_usage_rollup;
DROP TRIGGER IF EXISTS woow_paas_dashboard_rollup_upd ON woow_paas_usage_rollup;
DROP TRIGGER IF EXISTS woow_paas_dashboard_rollup_del ON woow_paas_usage_rollup;
DROP FUNCTION IF EXISTS woow_paas_dashboard_mark_rollups();
DROP INDEX IF EXISTS woow_paas_dashboard_rollup_day_idx;
"""


class WoowPaasDashboardUsageDay(models.Model):
    """Usage per company, metric and UTC day over all tenants: the daily
    rollups summed across tenants, so that a year of usage is a few hundred
    rows. Days whose rollups changed since the last refresh
    (``woow.paas.dashboard.usage.dirty``) are read from the rollups instead."""

    _name = "woow.paas.dashboard.usage.day"
    _description = "PaaS Dashboard: Usage per Day"
    _log_access = False

    company_id = fields.Many2one("res.company", ondelete="cascade")
    metric_id = fields.Many2one("woow.paas.metric", required=True, ondelete="cascade")
    day = fields.Date(required=True)
    event_count = fields.Integer()
    quantity_sum = fields.Float(digits=(16, 6))

    _metric_day_idx = models.Index("(metric_id, day)")
