"""Each Woow PaaS addon installs alone on a new database (with and without
demo data), upgrades and uninstalls, with no warning or error in its log.

These run real ``odoo-bin`` processes on throw-away databases; the settings
come from ``scripts/test.sh`` through ``WOOW_*`` environment variables.
"""

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest

LOG_PROBLEM = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE
)
ADDONS = [a for a in os.environ.get("WOOW_ADDONS", "woow_paas_core").split(",") if a]
ROOT = Path(__file__).resolve().parent.parent
# Several checkouts may run these checks at once on one PostgreSQL.
DB_PREFIX = os.environ.get("WOOW_IT_PREFIX", "woow_it")
# Addons that only extend Odoo's models (the agent installed in tenant databases).
ADDONS_WITHOUT_MODELS = {"woow_paas_tenant_agent"}


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with scripts/test.sh")
    return value


def _odoo(*args, stdin=None):
    cmd = [_env("WOOW_PYTHON"), _env("WOOW_ODOO_BIN"), *args]
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, timeout=900, check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{output[-4000:]}"
    problems = [
        m.group(0) + output[m.end() :].split("\n", 1)[0] for m in LOG_PROBLEM.finditer(output)
    ]
    assert not problems, "warnings or errors in the log:\n" + "\n".join(problems)
    return output


def _psql(db, sql):
    return subprocess.run(
        ["psql", "-d", db, "-Atqc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def _state(db, addon):
    return _psql(db, f"select state from ir_module_module where name = '{addon}'")


@pytest.fixture(name="fresh_db")
def _fresh_db(request):
    name = f"{DB_PREFIX}_{request.node.name}".lower()
    name = re.sub(r"[^a-z0-9_]", "_", name)[:60]
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    yield name
    subprocess.run(["dropdb", "--if-exists", name], check=True)


def _server(db, *args):
    conf = _env("WOOW_ODOO_CONF")
    # The test config filters on the test database; these runs use their own.
    return _odoo("-c", conf, "-d", db, f"--db-filter=^{db}$", "--stop-after-init",
                 "--log-level=warn", *args)  # fmt: skip


@pytest.mark.parametrize("addon", ADDONS)
def test_install_upgrade_uninstall(addon, fresh_db):
    """Without demo data: install alone, upgrade, then uninstall cleanly."""
    _server(fresh_db, "-i", addon)
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


@pytest.mark.parametrize("addon", ADDONS)
def test_install_with_demo(addon, fresh_db):
    """With demo data: install alone, then upgrade, with no warning."""
    _server(fresh_db, "-i", addon, "--with-demo")
    assert _psql(fresh_db, f"select demo from ir_module_module where name = '{addon}'") == "t"
    _server(fresh_db, "-u", addon)
    assert _state(fresh_db, addon) == "installed"


def test_core_demo_feels_alive():
    """The core demo data set: plans, ~20 customers, ~30 subscriptions in every
    state, their tenants and a year of events."""
    if "woow_paas_core" not in ADDONS:
        pytest.fail("woow_paas_core is missing from the repository")
    db = f"{DB_PREFIX}_core_demo_data"
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    try:
        _server(db, "-i", "woow_paas_core", "--with-demo")
        assert int(_psql(db, "select count(*) from woow_paas_plan")) >= 3
        assert int(_psql(db, "select count(*) from res_partner where is_paas_customer")) >= 20
        assert int(_psql(db, "select count(*) from woow_paas_subscription")) >= 30
        states = set(_psql(db, "select distinct state from woow_paas_subscription").split())
        assert states == {"draft", "trial", "active", "past_due", "suspended", "cancelled"}
        tenant_states = set(_psql(db, "select distinct state from woow_paas_tenant").split())
        assert {"active", "suspended", "failed", "archived", "draft"} <= tenant_states
        span = int(
            _psql(
                db,
                "select extract(day from max(occurred_at) - min(occurred_at)) from woow_paas_event",
            )
        )
        assert span >= 300, f"events span only {span} days"
        assert int(_psql(db, "select count(distinct event_type) from woow_paas_event")) >= 10
    finally:
        subprocess.run(["dropdb", "--if-exists", db], check=True)
