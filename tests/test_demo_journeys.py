"""The customer journeys on the demo as ``scripts/run.sh`` builds it.

A throw-away demo database is built with ``demo_build`` of
``scripts/common.sh`` (what run.sh runs: every addon with demo data, the run
configuration, the Dedicated plan's template and Northwind's database tenant
on the local PostgreSQL), then ``odoo-bin --test-enable --test-tags
woow_demo`` runs the browser journeys of
``woow_paas_portal_tenant/tests/test_demo_journeys.py`` in it, against the
localstripe that ``scripts/test.sh`` started. The databases (platform,
template, tenants) and their filestores are dropped afterwards.
"""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DB_PREFIX = os.environ.get("WOOW_IT_PREFIX", "woow_it")
JOURNEYS = 3
# Its INFO lines say when a journey is skipped.
JOURNEY_LOGGER = "odoo.addons.woow_paas_portal_tenant.tests.test_demo_journeys"
RESULT = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database '([^']+)'"
)
LOG_ERROR = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) .*$", re.MULTILINE
)


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with scripts/test.sh")
    return value


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psql(sql):
    return subprocess.run(
        ["psql", "-d", "postgres", "-Atqc", sql], capture_output=True, text=True, check=True
    ).stdout.split()


def _drop_demo(db):
    """The demo database, its tenants' and templates' databases (named
    ``<db>_t_...``) and their filestores."""
    prefix = f"{db}_t_"
    names = _psql(
        "select datname from pg_database where datname = "
        f"'{db}' or left(datname, {len(prefix)}) = '{prefix}'"
    )
    for name in names:
        subprocess.run(["dropdb", "--if-exists", "--force", name], check=True)
    filestore = ROOT / ".work" / "data" / "filestore"
    if filestore.is_dir():
        for path in filestore.iterdir():
            if path.name == db or path.name.startswith(prefix):
                shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(name="demo_db")
def _demo_db():
    db = f"{DB_PREFIX}_demo_journeys"
    _drop_demo(db)
    yield db
    _drop_demo(db)


def test_customer_journeys_on_the_demo(demo_db):
    """(a) sign-up to Dedicated, pay with 4242, signed in inside the new
    tenant database; (b) /my/usage, another subscription's figures;
    (c) an open invoice paid with 4242: all pass in headless Chromium."""
    python = _env("WOOW_PYTHON")
    odoo_bin = _env("WOOW_ODOO_BIN")
    _env("WOOW_LOCALSTRIPE_PORT")  # the demo's Stripe provider charges there
    conf = ROOT / ".work" / f"odoo-{demo_db}.conf"
    port = _free_port()
    env = dict(
        os.environ,
        WOOW_VENV=str(Path(python).parent.parent)
        if (Path(python).parent / "activate").exists()
        else os.environ.get("WOOW_VENV", str(ROOT / ".venv")),
        ODOO_SRC=str(Path(odoo_bin).resolve().parent),
    )
    extra = f"workers = 0\nmax_cron_threads = 0\ngevent_port = {_free_port()}"
    script = (
        # Not in an && list: bash ignores set -e (common.sh) inside one.
        'source "$0/scripts/common.sh"; demo_build "$1" "$2" "$3" "$4";'
        ' echo "WOOW-DEMO-TENANT $DEMO_TENANT"'
    )
    build = subprocess.run(
        [
            "bash",
            "-c",
            script,
            str(ROOT), demo_db, str(port), str(conf), extra,
        ],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    output = build.stdout + build.stderr
    assert build.returncode == 0, f"demo_build failed:\n{output[-4000:]}"
    tenant = re.search(r"^WOOW-DEMO-TENANT (\S+)", build.stdout, re.MULTILINE)
    assert tenant and tenant.group(1) == "northwind-erp", output[-4000:]
    try:
        run = subprocess.run(
            [
                python, odoo_bin, "-c", str(conf), "-d", demo_db,
                "--test-enable", "--test-tags", "woow_demo", "--stop-after-init",
                "--log-level=warn", "--log-handler=odoo.tests.result:INFO",
                f"--log-handler={JOURNEY_LOGGER}:INFO",
            ],
            env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    finally:
        conf.unlink(missing_ok=True)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"the journeys failed:\n{output[-6000:]}"
    results = {m.group(4): m.groups()[:3] for m in RESULT.finditer(output)}
    assert results.get(demo_db) == ("0", "0", str(JOURNEYS)), output[-6000:]
    errors = [m.group(0) for m in LOG_ERROR.finditer(output)]
    assert not errors, "errors in the log:\n" + "\n".join(errors)
    assert " skipped " not in output, output[-6000:]
