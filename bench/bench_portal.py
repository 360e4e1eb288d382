"""Portal benchmark: SQL queries per /my page for a customer with 200
tenants and subscriptions against one with 2 (bounded: the same count), and
the public pricing page's server time."""

import statistics
import time
import urllib.request

from chromium import login_session, serve_transaction
from common import bench

PAGES = ("/my", "/my/subscriptions", "/my/tenants", "{sub}", "{tenant}", "/paas/plans")
LABELS = {"{sub}": "/my/subscriptions/<id>", "{tenant}": "/my/tenants/<id>"}


def _customer(env, name, count, plan):
    partner = env["res.partner"].create({"name": name, "is_company": True, "email": f"{name}@b.x"})
    login = name.lower().replace(" ", "-")
    env["res.users"].with_context(no_reset_password=True).create(
        {"name": f"{name} user", "login": login, "password": login, "partner_id": env[
            "res.partner"].create({"name": f"{name} contact", "parent_id": partner.id}).id,
         "group_ids": [(6, 0, [env.ref("base.group_portal").id])]}
    )  # fmt: skip
    subs = env["woow.paas.subscription"].create(
        [{"partner_id": partner.id, "plan_id": plan.id} for _i in range(count)]
    )
    subs.action_start_trial()
    tenants = env["woow.paas.tenant"].create(
        [{"name": f"{name} {i}", "code": f"{login}-{i}", "partner_id": partner.id,
          "subscription_id": sub.id} for i, sub in enumerate(subs)]
    )  # fmt: skip
    tenants.action_provision()
    return login, subs[0], tenants[0]


def _get(base, path, session):
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": f"session_id={session}"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        assert answer.status == 200, path
        return answer.read()


def _queries(env, base, path, session):
    _get(base, path, session)  # warm: views, assets, caches
    before = env.cr.sql_log_count
    _get(base, path, session)
    return env.cr.sql_log_count - before


@bench
def portal(env, size=200, runs=20):
    plan = env["woow.paas.plan"].create(
        {"name": "Bench Portal", "code": "bench-portal", "price": 30, "trial_days": 14,
         "portal_features": "A\nB\nC"}
    )  # fmt: skip
    for i in range(6):
        env["woow.paas.plan"].create(
            {"name": f"Bench Plan {i}", "code": f"bench-plan-{i}", "price": 10 * i + 5,
             "trial_days": 7}
        )  # fmt: skip
    big = _customer(env, "Bench Big", size, plan)
    small = _customer(env, "Bench Small", 2, plan)
    with serve_transaction(env) as base:
        counts = {}
        for login, sub, tenant in (big, small):
            session = login_session(base, env.cr.dbname, login, login)
            for page in PAGES:
                path = page.format(sub=sub.access_url, tenant=tenant.access_url)
                counts[(login, page)] = _queries(env, base, path, session)
        for page in PAGES:
            label = LABELS.get(page, page)
            yield (
                f"queries {label} ({size} tenants and subscriptions vs 2)",
                counts[(big[0], page)],
                "queries",
                counts[(small[0], page)],
            )
        times = []
        for _i in range(runs):
            start = time.perf_counter()
            _get(base, "/paas/plans", "")
            times.append(1000 * (time.perf_counter() - start))
        yield "pricing page /paas/plans, median", statistics.median(times), "ms", 100.0
