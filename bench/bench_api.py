"""API benchmarks: REST latency against Odoo's own /json/2 on a real
multi-worker server, and the cost of the credential check."""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import bench


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _interleaved(session, count, *requests_):
    """Median and p99 (ms) of each request, sent in turn so that every one of
    them meets the same load on a shared machine."""
    times = [[] for _r in requests_]
    for _i in range(count):
        for spent, (method, url, kwargs) in zip(times, requests_, strict=True):
            start = time.perf_counter()
            response = session.request(method, url, timeout=30, **kwargs)
            spent.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.text[:300])
    result = []
    for spent in times:
        spent.sort()
        result.append((statistics.median(spent), spent[int(len(spent) * 0.99) - 1]))
    return result


@bench
def api(env, size=300):
    """GET /api/v1/tenants?limit=50 with an API key vs /json/2 search_read of
    the same 50 tenants with an Odoo API key, on ``odoo-bin --workers=2``;
    ``size`` requests each. The data is committed (the server must see it)
    and removed at the end."""
    import requests

    import odoo
    from odoo.tools import config

    if "woow.paas.api.key" not in env:
        return
    admin = env.ref("base.user_admin")
    tag = str(int(time.time()))  # the data is committed: keep codes unique across runs
    partner = env["res.partner"].create({"name": "API Bench Customer", "is_company": True})
    plan = env["woow.paas.plan"].create(
        {"name": "API Bench", "code": f"api-bench-{tag}", "price": 9}
    )
    sub = env["woow.paas.subscription"].create({"partner_id": partner.id, "plan_id": plan.id})
    sub.action_activate()
    tenants = env["woow.paas.tenant"].create(
        [{"name": f"API bench {i}", "code": f"api-bench-{tag}-{i}", "partner_id": partner.id,
          "subscription_id": sub.id} for i in range(60)]
    )  # fmt: skip
    tenants.action_provision()
    key = env["woow.paas.api.key"].create(
        {"name": "bench", "user_id": admin.id, "scopes": "tenants:read", "rate_limit": 1000000}
    )
    secret = f"wpk_{tag[-8:]}_" + "x" * 32
    key._demo_set_secret(secret)
    odoo_key = env["res.users.apikeys"].with_user(admin)._generate(None, "bench", None)
    env.cr.commit()

    # The credential check, in process.
    Key = env["woow.paas.api.key"]
    start = time.perf_counter()
    for _i in range(1000):
        assert Key._authenticate(secret)
    check_ms = time.perf_counter() - start  # seconds for 1000 calls = ms per call
    env.cr.commit()  # the check records the key's last use: release that row

    port = _free_port()
    odoo_bin = Path(next(iter(odoo.__path__))).resolve().parent / "odoo-bin"
    server = subprocess.Popen(
        [sys.executable, str(odoo_bin), "-c", config["config"], "-d", env.cr.dbname,
         f"--db-filter=^{env.cr.dbname}$", "--workers=2", "--max-cron-threads=0",
         f"--http-port={port}", "--log-level=warn", "--limit-time-real=120"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        for _i in range(120):
            try:
                if session.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        # Both send X-Odoo-Database, as stateless clients of a multi-database
        # server do; without it Odoo lists the databases on every request.
        db_header = {"X-Odoo-Database": env.cr.dbname}
        rest = (
            "GET",
            f"{base}/api/v1/tenants?limit=50&subscription_id={sub.id}",
            {"headers": {"Authorization": f"Bearer {secret}", **db_header}},
        )
        json2 = ("POST", f"{base}/json/2/woow.paas.tenant/search_read",
                 {"headers": {"Authorization": f"bearer {odoo_key}", **db_header},
                  "json": {"domain": [["subscription_id", "=", sub.id]],
                           "fields": ["code", "name", "state", "subscription_id", "plan_id",
                                      "commercial_partner_id", "state_message",
                                      "provisioned_date", "create_date", "write_date"],
                           "limit": 50}})  # fmt: skip
        _interleaved(session, 20, rest, json2)  # warm both paths
        rest, json2 = _interleaved(session, size, rest, json2)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        env.invalidate_all()
        env["woow.paas.api.key"].browse(key.id).action_revoke()
        env.cr.commit()
    yield "credential_check.ms", check_ms, "ms", 1.0
    yield "tenants_50.median_ms", rest[0], "ms", json2[0]
    yield "tenants_50.p99_ms", rest[1], "ms", json2[1]
