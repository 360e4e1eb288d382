"""Each Woow PaaS addon installs alone on a new database (with and without
demo data), upgrades and uninstalls, with no warning or error in its log.

These run real ``odoo-bin`` processes on throw-away databases (see
``odoo_process``: each starts from a copy of a template holding the addon's
Odoo dependencies, built and log-checked once per run).
"""

import ast
import hashlib
import re

import pytest
from odoo_process import (
    ADDONS,
    DB_PREFIX,
    ROOT,
    _env,
    _odoo,
    _psql,
    _server,
    drop_database,
    new_database,
)

# Addons that only extend Odoo's models (the agent installed in tenant databases).
ADDONS_WITHOUT_MODELS = {"woow_paas_tenant_agent"}


@pytest.fixture(name="fresh_db")
def _fresh_db(request):
    # Unique per test even when cut to PostgreSQL's 63 characters.
    test = f"{request.node.cls.addon}_{request.node.name}"
    digest = hashlib.sha1(test.encode()).hexdigest()[:8]
    name = re.sub(r"[^a-z0-9_]", "_", f"{DB_PREFIX}_{test}".lower())[:50]
    name = f"{name}_{digest}"
    drop_database(name)
    yield name
    drop_database(name)


def _state(db, addon):
    return _psql(db, f"select state from ir_module_module where name = '{addon}'")


class InstallChecks:
    """The checks of one addon (``addon``); a class per addon below, so that
    pytest-xdist (``--dist loadscope``) spreads the addons over its workers."""

    addon = None

    def test_install_upgrade_uninstall(self, fresh_db):
        _install_upgrade_uninstall(self.addon, fresh_db)

    def test_install_with_demo(self, fresh_db):
        _install_with_demo(self.addon, fresh_db)


for _addon in ADDONS:
    globals()[f"TestInstall_{_addon}"] = type(
        f"TestInstall_{_addon}", (InstallChecks,), {"addon": _addon}
    )


def _install_upgrade_uninstall(addon, fresh_db):
    """Without demo data: install alone, upgrade, then uninstall cleanly."""
    new_database(fresh_db, [addon])
    assert _state(fresh_db, addon) == "installed"
    _server(fresh_db, "-u", addon)
    assert _state(fresh_db, addon) == "installed"
    own_tables = _psql(
        fresh_db,
        "select string_agg(replace(m.model, '.', '_'), ' ') from ir_model m"
        " join ir_model_data d on d.model = 'ir.model' and d.res_id = m.id"
        f" where d.module = '{addon}' and not exists (select 1 from ir_model_data o"
        f" where o.model = 'ir.model' and o.res_id = m.id and o.module != '{addon}')",
    ).split()
    if addon in ADDONS_WITHOUT_MODELS:
        # It goes into tenant databases, which have no Woow PaaS platform.
        assert not own_tables
        assert _state(fresh_db, "woow_paas_core") in ("uninstalled", "")
        own_tables = ["-"]
    if not own_tables:
        # Only a bridge may be made of overrides alone.
        manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())
        assert manifest.get("auto_install"), "the addon declares no model"
        own_tables = ["-"]  # matches no table name (a placeholder for the SQL below)
    # Columns it adds to other addons' tables must go too.
    own_columns = _psql(
        fresh_db,
        "select string_agg(replace(f.model, '.', '_') || '.' || f.name, ' ')"
        " from ir_model_fields f join ir_model_data d"
        " on d.model = 'ir.model.fields' and d.res_id = f.id"
        f" where d.module = '{addon}' and f.store and f.ttype not in ('one2many', 'many2many')"
        " and not exists (select 1 from ir_model_data o where o.model = 'ir.model.fields'"
        f" and o.res_id = f.id and o.module != '{addon}')"
        " and replace(f.model, '.', '_') not in"
        f" ({', '.join(repr(t) for t in own_tables)})",
    ).split()
    if addon == "woow_paas_core":
        assert "res_partner.is_paas_customer" in own_columns
    if addon == "woow_paas_billing":
        assert "payment_token.paas_card_expiry" in own_columns
    _odoo(
        "shell", "-c", _env("WOOW_ODOO_CONF"), "-d", fresh_db, "--log-level=warn",
        stdin=(
            f"env['ir.module.module'].search([('name', '=', '{addon}')])"
            ".button_immediate_uninstall()\n"
        ),
    )  # fmt: skip
    assert _state(fresh_db, addon) == "uninstalled"
    leftovers = _psql(
        fresh_db,
        "select string_agg(table_name, ',') from information_schema.tables"
        f" where table_name in ({', '.join(repr(t) for t in own_tables)})",
    )
    assert not leftovers, f"tables left behind: {leftovers}"
    # Triggers an addon puts on other addons' tables must go too: one left
    # behind would write into a dropped table and break every later write.
    own = "|".join(own_tables) if own_tables != ["-"] else "^$"
    triggers = _psql(
        fresh_db,
        "select string_agg(t.tgname || ' on ' || t.tgrelid::regclass, ', ') from pg_trigger t"
        f" join pg_proc p on p.oid = t.tgfoid where not t.tgisinternal and p.prosrc ~ '({own})'",
    )
    assert not triggers, f"triggers left behind: {triggers}"
    for column in own_columns:
        table, name = column.split(".")
        assert not _psql(
            fresh_db,
            "select 1 from information_schema.columns"
            f" where table_name = '{table}' and column_name = '{name}'",
        ), f"column left behind: {column}"
    assert _psql(fresh_db, f"select count(*) from ir_model_data where module = '{addon}'") == "0"


def _install_with_demo(addon, fresh_db):
    """With demo data: install alone, then upgrade, with no warning."""
    new_database(fresh_db, [addon], demo=True)
    assert _psql(fresh_db, f"select demo from ir_module_module where name = '{addon}'") == "t"
    if addon == "woow_paas_core":
        _check_core_demo_feels_alive(fresh_db)
    _server(fresh_db, "-u", addon)
    assert _state(fresh_db, addon) == "installed"


def test_core_is_in_the_repository():
    assert "woow_paas_core" in ADDONS, "woow_paas_core is missing from the repository"


def _check_core_demo_feels_alive(db):
    """The core demo data set: plans, ~20 customers, ~30 subscriptions in every
    state, their tenants and a year of events."""
    assert int(_psql(db, "select count(*) from woow_paas_plan")) >= 3
    assert int(_psql(db, "select count(*) from res_partner where is_paas_customer")) >= 20
    assert int(_psql(db, "select count(*) from woow_paas_subscription")) >= 30
    states = set(_psql(db, "select distinct state from woow_paas_subscription").split())
    assert states == {"draft", "trial", "active", "past_due", "suspended", "cancelled"}
    tenant_states = set(_psql(db, "select distinct state from woow_paas_tenant").split())
    assert {"active", "suspended", "failed", "archived", "draft"} <= tenant_states
    span = int(
        _psql(
            db, "select extract(day from max(occurred_at) - min(occurred_at)) from woow_paas_event"
        )
    )
    assert span >= 300, f"events span only {span} days"
    assert int(_psql(db, "select count(distinct event_type) from woow_paas_event")) >= 10
