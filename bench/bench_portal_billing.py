"""The customer's billing pages (woow_paas_portal_billing): SQL queries and
server time per page for a customer with few and with many invoices and
usage rows, over real HTTP inside the benchmark's transaction."""

import time
import urllib.request
from datetime import timedelta

from chromium import login_session, serve_transaction
from common import bench

BATCH = 500


def _customer(env, tag, invoices, tenants, days):
    """A customer with a portal user, one active subscription with
    ``tenants`` tenants, ``invoices`` posted invoices and ``days`` days of
    daily usage rollups per tenant and metric."""
    Partner = env["res.partner"]
    company = Partner.create({"name": f"Bench Portal {tag}", "is_company": True})
    contact = Partner.create({"name": f"Bench Contact {tag}", "parent_id": company.id})
    login = f"bench.portal.{tag}"
    env["res.users"].create(
        {"name": contact.name, "login": login, "password": login, "partner_id": contact.id,
         "group_ids": [(6, 0, [env.ref("base.group_portal").id])]}
    )  # fmt: skip
    plan = env["woow.paas.plan"].create(
        {"name": f"Bench Portal Plan {tag}", "code": f"bench-portal-{tag}", "price": 49.0}
    )
    metrics = env["woow.paas.metric"].create(
        [{"name": f"Bench {tag} {n}", "code": f"bench_{tag}_{n}"} for n in range(3)]
    )
    env["woow.paas.plan.metric"].create(
        [{"plan_id": plan.id, "metric_id": m.id, "unit_price": 0.01} for m in metrics]
    )
    sub = env["woow.paas.subscription"].create({"partner_id": company.id, "plan_id": plan.id})
    sub.action_activate()
    # The period started weeks ago: the usage page has days to show.
    today = sub.current_period_start
    env.cr.execute(
        "UPDATE woow_paas_subscription SET date_start = %s, current_period_start = %s,"
        " current_period_end = %s, period_anchor_date = %s WHERE id = %s",
        (today - timedelta(days=400), today - timedelta(days=20), today + timedelta(days=10),
         today - timedelta(days=20), sub.id),
    )  # fmt: skip
    sub.invalidate_recordset()
    Tenant = env["woow.paas.tenant"]
    for start in range(0, tenants, BATCH):
        Tenant.create(
            [{"name": f"Bench {tag} {n}", "code": f"bench-{tag}-{n}", "partner_id": company.id,
              "subscription_id": sub.id} for n in range(start, min(start + BATCH, tenants))]
        )  # fmt: skip
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO woow_paas_usage_rollup
               (tenant_id, metric_id, day, event_count, quantity_sum, quantity_min,
                quantity_max, last_quantity, last_timestamp)
        SELECT t.id, m.id, d::date, 4, 40, 5, 15, 10, d
          FROM woow_paas_tenant t, unnest(%s::int[]) AS m(id),
               generate_series(%s::date - %s, %s::date - 1, interval '1 day') AS d
         WHERE t.subscription_id = %s
        """,
        (metrics.ids, today, days, today, sub.id),
    )
    Move = env["account.move"].with_context(tracking_disable=True, mail_create_nolog=True)
    for start in range(0, invoices, BATCH):
        moves = Move.create(
            [{"move_type": "out_invoice", "partner_id": company.id,
              "paas_subscription_id": sub.id, "invoice_date": today - timedelta(days=n % 400),
              "invoice_line_ids": [(0, 0, {"name": f"Bench line {n}", "quantity": 1,
                                           "price_unit": 10.0, "tax_ids": [(5, 0, 0)]})]}
             for n in range(start, min(start + BATCH, invoices))]
        )  # fmt: skip
        moves.action_post()
    env.flush_all()
    return login, sub


def _measure(env, base_url, session, url, runs=3):
    """Queries and server milliseconds of ``url`` (the best of ``runs``
    warm requests)."""
    best_ms, queries = None, None
    for _run in range(runs + 1):
        request = urllib.request.Request(
            base_url + url, headers={"Cookie": f"session_id={session}"}
        )
        before = env.cr.sql_log_count
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as answer:
            assert answer.status == 200, (url, answer.status)
            answer.read()
        elapsed = 1000 * (time.perf_counter() - start)
        count = env.cr.sql_log_count - before
        if _run == 0:
            continue  # caches warm up
        queries = count if queries is None else min(queries, count)
        best_ms = elapsed if best_ms is None else min(best_ms, elapsed)
    return queries, best_ms


@bench
def portal_billing(env, size=5000):
    """The subscription page, /my/usage (+ CSV) and /my/invoices for a
    customer with ``size`` invoices and 200 tenants with 60 days of usage
    each, against one with 50 invoices and 2 tenants: queries must not grow."""
    small_login, small_sub = _customer(env, "s", 50, 2, 60)
    large_login, large_sub = _customer(env, "l", size, 200, 60)
    pages = {
        "subscription page": "/my/subscriptions/{id}",
        "/my/usage": "/my/usage?subscription_id={id}",
        "/my/usage.csv": "/my/usage.csv?subscription_id={id}",
        "/my/invoices": "/my/invoices",
        "/my/invoices of the subscription": "/my/invoices?subscription_id={id}",
    }
    # The data set is never committed, so autovacuum never gathers its
    # statistics: without them PostgreSQL plans the invoice lines of a page
    # as if the tables were empty (seconds per query at 5,000 invoices).
    env.cr.execute(
        "ANALYZE account_move, account_move_line, woow_paas_tenant, woow_paas_usage_rollup"
    )
    with serve_transaction(env) as base_url:
        figures = {}
        for key, login, sub in (
            ("small", small_login, small_sub),
            ("large", large_login, large_sub),
        ):
            session = login_session(base_url, env.cr.dbname, login, login)
            for name, url in pages.items():
                figures[key, name] = _measure(env, base_url, session, url.format(id=sub.id))
    for name in pages:
        small_q, small_ms = figures["small", name]
        large_q, large_ms = figures["large", name]
        yield (
            f"{name}: queries, {size} invoices / 200 tenants vs 50 / 2",
            large_q,
            "queries",
            small_q,
        )
        yield (
            f"{name}: server ms, {size} invoices / 200 tenants vs 50 / 2",
            large_ms,
            "ms",
            small_ms,
        )
