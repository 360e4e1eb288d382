from odoo import fields, models

from odoo.addons.woow_paas_core.history import HISTORY_COLUMNS


def _changed(table):
    """Whether a row of ``table`` changed one of the columns core declares
    its history made of (``woow_paas_core.history``): no column list of
    core's tables is written here."""
    columns = [column for column in HISTORY_COLUMNS[table] if column != "id"]
    new = ", ".join(f"n.{column}" for column in columns)
    old = ", ".join(f"o.{column}" for column in columns)
    return f"({new}) IS DISTINCT FROM ({old})"


# Statement-level triggers (transition tables: one INSERT per statement, not
# per row) that mark the subscriptions and tenants whose snapshot segments may
# be stale. Triggers rather than ORM overrides so that every way of writing
# counts: the ORM, raw SQL of other layers, imports, the event purge.
TRIGGER_SQL_TEMPLATE = """
CREATE OR REPLACE FUNCTION woow_paas_dashboard_mark_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO woow_paas_dashboard_dirty (kind, res_id)
    SELECT DISTINCT CASE WHEN res_model = 'woow.paas.subscription' THEN 's' ELSE 't' END, res_id
      FROM changed
     WHERE res_model IN ('woow.paas.subscription', 'woow.paas.tenant') AND res_id IS NOT NULL;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION woow_paas_dashboard_mark_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO woow_paas_dashboard_dirty (kind, res_id)
    SELECT DISTINCT TG_ARGV[0], id FROM changed;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION woow_paas_dashboard_mark_subscriptions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO woow_paas_dashboard_dirty (kind, res_id)
    SELECT 's', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE %(subscription_changed)s;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION woow_paas_dashboard_mark_tenants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO woow_paas_dashboard_dirty (kind, res_id)
    SELECT 't', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE %(tenant_changed)s;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER woow_paas_dashboard_event_ins AFTER INSERT ON woow_paas_event
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_events();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_event_upd AFTER UPDATE ON woow_paas_event
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_events();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_event_del AFTER DELETE ON woow_paas_event
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_events();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_sub_ins AFTER INSERT ON woow_paas_subscription
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rows('s');
CREATE OR REPLACE TRIGGER woow_paas_dashboard_sub_del AFTER DELETE ON woow_paas_subscription
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rows('s');
CREATE OR REPLACE TRIGGER woow_paas_dashboard_sub_upd AFTER UPDATE ON woow_paas_subscription
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_subscriptions();
CREATE OR REPLACE TRIGGER woow_paas_dashboard_tenant_ins AFTER INSERT ON woow_paas_tenant
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rows('t');
CREATE OR REPLACE TRIGGER woow_paas_dashboard_tenant_del AFTER DELETE ON woow_paas_tenant
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_rows('t');
CREATE OR REPLACE TRIGGER woow_paas_dashboard_tenant_upd AFTER UPDATE ON woow_paas_tenant
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION woow_paas_dashboard_mark_tenants();
"""
TRIGGER_SQL = TRIGGER_SQL_TEMPLATE.replace(
    "%(subscription_changed)s", _changed("woow_paas_subscription")
).replace("%(tenant_changed)s", _changed("woow_paas_tenant"))

DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS woow_paas_dashboard_event_ins ON woow_paas_event;
DROP TRIGGER IF EXISTS woow_paas_dashboard_event_upd ON woow_paas_event;
DROP TRIGGER IF EXISTS woow_paas_dashboard_event_del ON woow_paas_event;
DROP TRIGGER IF EXISTS woow_paas_dashboard_sub_ins ON woow_paas_subscription;
DROP TRIGGER IF EXISTS woow_paas_dashboard_sub_del ON woow_paas_subscription;
DROP TRIGGER IF EXISTS woow_paas_dashboard_sub_upd ON woow_paas_subscription;
DROP TRIGGER IF EXISTS woow_paas_dashboard_tenant_ins ON woow_paas_tenant;
DROP TRIGGER IF EXISTS woow_paas_dashboard_tenant_del ON woow_paas_tenant;
DROP TRIGGER IF EXISTS woow_paas_dashboard_tenant_upd ON woow_paas_tenant;
DROP FUNCTION IF EXISTS woow_paas_dashboard_mark_events();
DROP FUNCTION IF EXISTS woow_paas_dashboard_mark_rows();
DROP FUNCTION IF EXISTS woow_paas_dashboard_mark_subscriptions();
DROP FUNCTION IF EXISTS woow_paas_dashboard_mark_tenants();
"""


class WoowPaasDashboardDirty(models.Model):
    """Subscriptions (``s``) and tenants (``t``) changed since their snapshot
    segments were last rebuilt. Append-only (no unique key, so concurrent
    writers never conflict); the dashboard computes these records live from
    the event log, and the refresh rebuilds them and deletes the rows it saw."""

    _name = "woow.paas.dashboard.dirty"
    _description = "PaaS Dashboard: Records to Refresh"
    _log_access = False

    kind = fields.Char(size=1, required=True)
    res_id = fields.Integer(required=True)

    def init(self):
        self.env.cr.execute(TRIGGER_SQL)
