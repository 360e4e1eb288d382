"""Billing runs through OCA queue_job's real job runner: a throw-away database,
an ``odoo-bin --workers=2 --load=base,web,queue_job`` server (the runner is a
process of its own), and a billing run started from another process. Every
due subscription is renewed and invoiced once, batch after batch.

Settings come from ``scripts/test.sh`` through ``WOOW_*`` variables.
"""

import subprocess
import time

import pytest
from odoo_process import DB_PREFIX, _env, _odoo, _psql, drop_database, new_database
from test_api_workers import _free_port

SUBSCRIPTIONS = 30
SETUP = f"""
from dateutil.relativedelta import relativedelta
from odoo import fields
start = fields.Date.today() - relativedelta(months=1, days=2)
partner = env["res.partner"].create({{"name": "Jobs Co", "is_company": True}})
plan = env["woow.paas.plan"].create({{"name": "Jobs", "code": "jobs", "price": 12}})
subs = env["woow.paas.subscription"].create(
    [{{"partner_id": partner.id, "plan_id": plan.id, "date_start": start}}
     for _i in range({SUBSCRIPTIONS})]
)
subs.action_activate()
env.cr.commit()
"""
START = """
run = env["woow.paas.billing.run"].create({"batch_size": 7})
run.action_start()
env.cr.commit()
print("RUN", run.id)
"""


@pytest.fixture(name="jobs_db", scope="module")
def _jobs_db():
    db = f"{DB_PREFIX}_billing_jobs"
    new_database(db, ["woow_paas_billing"])
    _odoo("shell", "-c", _env("WOOW_ODOO_CONF"), "-d", db, "--log-level=warn", stdin=SETUP)
    yield db
    drop_database(db)


def test_billing_run_through_the_job_runner(jobs_db):
    db = jobs_db
    port = _free_port()
    server = subprocess.Popen(
        [_env("WOOW_PYTHON"), _env("WOOW_ODOO_BIN"), "-c", _env("WOOW_ODOO_CONF"), "-d", db,
         f"--db-filter=^{db}$", "--workers=2", "--max-cron-threads=0", f"--http-port={port}",
         "--load=base,web,queue_job", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        output = _odoo(
            "shell", "-c", _env("WOOW_ODOO_CONF"), "-d", db, "--log-level=warn",
            f"--http-port={port}", stdin=START,
        )  # fmt: skip
        run_id = int(output.split("RUN", 1)[1].split()[0])
        state = None
        for _i in range(240):
            state = _psql(db, f"SELECT state FROM woow_paas_billing_run WHERE id = {run_id}")
            if state == "done":
                break
            time.sleep(0.5)
        assert state == "done", _psql(db, "SELECT state, exc_info FROM queue_job")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    figures = _psql(
        db,
        f"SELECT done_count, failed_count, invoice_count, batch_count"
        f" FROM woow_paas_billing_run WHERE id = {run_id}",
    )
    assert figures == f"{SUBSCRIPTIONS}|0|{SUBSCRIPTIONS}|5", figures
    jobs = _psql(db, "SELECT state, count(*) FROM queue_job GROUP BY state")
    assert jobs == "done|5", jobs
    # Each subscription: its first period and the renewed one, invoiced once each.
    per_sub = _psql(
        db,
        "SELECT count(*), count(DISTINCT (paas_subscription_id, paas_period_start))"
        " FROM account_move WHERE paas_invoice_kind = 'period' AND state = 'posted'",
    )
    assert per_sub == f"{2 * SUBSCRIPTIONS}|{2 * SUBSCRIPTIONS}", per_sub
