"""Dashboard benchmark: ``get_dashboard`` for a year over 10,000 subscriptions
with a year of history, against the same figures read month by month with
the ORM's ``_read_group``."""

import contextlib
import json
import os
import statistics
import sys
import time
from datetime import date
from unittest.mock import patch

from chromium import (
    MARK_SCRIPT,
    Chromium,
    find_chromium,
    login_session,
    serve_transaction,
    time_page,
)
from common import Counter, bench
from dateutil.relativedelta import relativedelta

TRANSITIONS = (
    "subscription.trial_started", "subscription.activated", "subscription.past_due",
    "subscription.suspended", "subscription.reactivated", "subscription.cancelled",
)  # fmt: skip
PRICE_EVENTS = ("subscription.plan_changed", "subscription.price_changed")


@contextlib.contextmanager
def _without_invoicing(env):
    """The history without the billing layer's invoices (activations,
    prorated plan changes, cancellation credits): the dashboard reads
    subscriptions and events, and 12,000 subscriptions' invoices would take
    the data set's set-up from minutes to hours."""
    Sub = env["woow.paas.subscription"]
    if not hasattr(Sub, "_paas_invoice_current_period"):
        yield Sub
        return
    with patch.object(type(Sub), "_paas_invoice_current_period", lambda subs: None):
        yield Sub.with_context(paas_no_proration=True, paas_no_refund=True)


def _history(env, size, customers):
    """``size`` subscriptions of ``customers`` customers started over the last
    two years (one in ten on a yearly plan), each with a tenant; half of the
    monthly ones upgraded, a third of those downgraded again and a fifth
    upgraded once more; one in seven cancelled. Events are then spread over
    each subscription's own history: plan changes in order through its life,
    cancellations at 85 % of it."""
    Plan = env["woow.paas.plan"]
    plans = Plan.create(
        [
            {"name": "Dash Small", "code": "dash-small", "price": 10},
            {"name": "Dash Medium", "code": "dash-medium", "price": 20},
            {"name": "Dash Large", "code": "dash-large", "price": 50},
            {"name": "Dash Yearly", "code": "dash-yearly", "price": 1200,
             "billing_interval": "year"},
        ]
    )  # fmt: skip
    partners = env["res.partner"].create(
        [{"name": f"Dash Customer {i}", "is_company": True} for i in range(customers)]
    )
    with _without_invoicing(env) as Sub:
        return _history_of(env, Sub, plans, partners, size).with_env(env)


def _history_of(env, Sub, plans, partners, size):
    subs = Sub.browse()
    for start in range(0, size, 1000):
        subs |= Sub.create(
            [
                {"partner_id": partners[i % len(partners)].id,
                 "plan_id": plans[3 if i % 10 == 9 else i % 2].id}
                for i in range(start, min(start + 1000, size))
            ]
        )  # fmt: skip
    subs.action_activate()
    tenants = env["woow.paas.tenant"].create(
        [
            {"name": f"Dash {sub.id}", "code": f"dash-{sub.id}", "partner_id": sub.partner_id.id,
             "subscription_id": sub.id}
            for sub in subs
        ]
    )  # fmt: skip
    tenants.action_provision()
    monthly = subs.filtered(lambda s: s.billing_interval == "month")
    upgraded = monthly[::2]
    upgraded.action_change_plan(plans[2])
    upgraded[::3].action_change_plan(plans[1])
    upgraded[::15].action_change_plan(plans[2])
    subs[::7].action_cancel(reason="Bench churn")
    env.flush_all()
    env.cr.execute(
        """
        WITH s AS (
            SELECT id, (id * 7919) %% 720 AS age FROM woow_paas_subscription WHERE id = ANY(%s)
        ), e AS (
            SELECT e.id, s.age, e.event_type,
                   ROW_NUMBER() OVER (PARTITION BY e.subscription_id, e.event_type ORDER BY e.id)
                       AS n
              FROM woow_paas_event e JOIN s ON s.id = e.subscription_id
        )
        UPDATE woow_paas_event ev
           SET occurred_at = date_trunc('day', now() at time zone 'UTC')
                             - make_interval(days => e.age::integer)
                             + CASE WHEN e.event_type = 'subscription.plan_changed'
                                    THEN make_interval(days => ((e.age * e.n) / 5)::integer)
                                    WHEN e.event_type IN ('subscription.cancelled',
                                                         'tenant.suspended')
                                    THEN make_interval(days => (e.age * 85) / 100)
                                    ELSE interval '0' END
                             + interval '10 hours'
          FROM e WHERE ev.id = e.id
        """,
        [subs.ids],
    )
    env.invalidate_all()
    return subs


def _orm_figures(env, windows):
    """MRR and customers at each window's end, activations and cancellations
    in it, read with ``_read_group`` window by window (the way one would
    without SQL). A subset of what ``get_dashboard`` computes."""
    Event = env["woow.paas.event"]
    Dashboard = env["woow.paas.dashboard"]
    Sub = env["woow.paas.subscription"]
    base = [("res_model", "=", "woow.paas.subscription")]
    result = {}
    for key, (_start, end) in windows.items():
        at = Dashboard._paas_instant(end)
        last_state = Event._read_group(
            [*base, ("event_type", "in", TRANSITIONS), ("occurred_at", "<", at)],
            ["res_id"],
            ["id:max"],
        )
        states = {
            event.res_id: event.payload["to"]
            for event in Event.browse([event_id for _res, event_id in last_state])
        }
        paying = Sub.browse(
            [sid for sid, state in states.items() if state in ("active", "past_due")]
        )
        next_change = Event._read_group(
            [*base, ("event_type", "in", PRICE_EVENTS), ("occurred_at", ">=", at),
             ("res_id", "in", paying.ids)],
            ["res_id"],
            ["id:min"],
        )  # fmt: skip
        before = {}
        for event in Event.browse([event_id for _res, event_id in next_change]):
            payload = event.payload
            if event.event_type == "subscription.plan_changed":
                before[event.res_id] = (payload["before"]["price"], payload["before"]["interval"])
            else:
                before[event.res_id] = (payload["before"], None)
        mrr = 0.0
        for sub in paying:
            price, interval = before.get(sub.id, (sub.price, sub.billing_interval))
            interval = interval or sub.billing_interval
            mrr += round(price / 12.0, 2) if interval == "year" else price
        moves = Event._read_group(
            [*base, ("event_type", "in", ("subscription.activated", "subscription.cancelled")),
             ("occurred_at", ">=", Dashboard._paas_instant(_start)), ("occurred_at", "<", at)],
            ["event_type"],
            ["__count"],
        )  # fmt: skip
        result[key] = {
            "mrr": round(mrr, 2),
            "customers": len(paying.commercial_partner_id),
            "moves": dict(moves),
        }
    return result


def _measure(env, call, runs):
    """Median wall clock (s), CPU (s: this process and its PostgreSQL
    backend) and queries of ``runs`` calls; the last answer."""
    pid = _backend_pid(env)
    timings, queries, cpus = [], [], []
    for _run in range(runs):
        env.invalidate_all()
        cpu = _cpu(pid)
        with Counter(env) as counter:
            data = call()
        cpus.append(_cpu(pid) - cpu)
        timings.append(counter.seconds)
        queries.append(counter.queries)
    return statistics.median(timings), statistics.median(cpus), statistics.median(queries), data


@bench
def dashboard(env, size=12000, runs=5):
    """``get_dashboard`` for the last twelve months over ``size``
    subscriptions of ``customers`` customers with two years of plan changes
    and cancellations (median of ``runs``), from a fresh snapshot and with
    1 % of the subscriptions changed since it; baseline (median of 3): MRR,
    customers and moves per window with ``_read_group``."""
    Dashboard = env["woow.paas.dashboard"].with_context(tz="UTC")
    today = date.today()
    date_to = date(today.year, today.month, 1) + relativedelta(months=1, days=-1)
    date_from = date(today.year, today.month, 1) - relativedelta(months=11)

    def call():
        return Dashboard.get_dashboard(date_from.isoformat(), date_to.isoformat())

    # The MRR of what the database held before (other benchmarks' committed
    # subscriptions on a reused database): the check below adds to it.
    Dashboard._paas_refresh_snapshot(full=True)
    mrr_before = next(k["value"] for k in call()["kpis"] if k["key"] == "mrr")
    # The data set: 10,000 customers for 12,000 subscriptions and,
    # with billing, 5,000,000 usage events (scaled with ``size``).
    subs = _history(env, size, size * 5 // 6)
    # As autovacuum would after a bulk load: the planner needs row counts.
    env.cr.execute(
        "ANALYZE woow_paas_event, woow_paas_subscription, woow_paas_tenant,"
        " woow_paas_dashboard_segment, woow_paas_dashboard_tenant_segment,"
        " woow_paas_dashboard_dirty"
    )
    if "woow.paas.usage.event" in env:
        yield from _usage_history(env, subs, size * 1250 // 3)
    start = time.perf_counter()
    Dashboard._paas_refresh_snapshot(full=True)
    env.flush_all()
    rebuild = time.perf_counter() - start
    env.cr.execute(
        "ANALYZE woow_paas_dashboard_segment, woow_paas_dashboard_tenant_segment,"
        " woow_paas_dashboard_dirty"
    )
    seconds, cpu, queries, data = _measure(env, call, runs)
    kpis = {kpi["key"]: kpi for kpi in data["kpis"]}
    added = kpis["mrr"]["value"] - mrr_before
    assert abs(added - sum(subs.mapped("mrr"))) < 0.01, (kpis["mrr"]["value"], mrr_before)

    windows = Dashboard._paas_windows(date_from, date_to)
    # The baseline is a median too (of 3: each run takes seconds), so that one
    # noisy run of either side does not make the ratio.
    orm_seconds, orm_cpu, orm_queries, figures = _measure(
        env, lambda: _orm_figures(env, windows), 3
    )
    # Both ways agree on every window's MRR and customers.
    months = [key for key in windows if key.startswith("m")]
    for index, key in enumerate(months):
        assert abs(figures[key]["mrr"] - kpis["mrr"]["trend"][index]) < 0.01, (
            key,
            figures[key]["mrr"],
            kpis["mrr"]["trend"][index],
        )
        assert figures[key]["customers"] == kpis["customers"]["trend"][index], key
    assert abs(figures["prev"]["mrr"] - kpis["mrr"]["previous"]) < 0.01
    yield (
        "get_dashboard.ms, one year (wall clock, median)",
        1000 * seconds,
        "ms",
        1000 * orm_seconds,
    )
    yield "get_dashboard.cpu_ms (PostgreSQL backend + Python)", 1000 * cpu, "ms", 1000 * orm_cpu
    yield "get_dashboard.queries", queries, "queries", orm_queries

    # Between two refreshes: 1 % of the subscriptions changed, replayed live.
    changed = subs.filtered(lambda s: s.state == "active")[: size // 100]
    changed.action_suspend()
    changed.action_reactivate()
    env.flush_all()
    dirty_seconds, dirty_cpu, _queries, dirty_data = _measure(env, call, runs)
    start = time.perf_counter()
    Dashboard._cron_refresh_snapshot()
    env.flush_all()
    refresh = time.perf_counter() - start
    _s, _c, _q, fresh_data = _measure(env, call, 1)
    assert dirty_data["kpis"] == fresh_data["kpis"], "live replay and snapshot disagree"
    yield (
        "get_dashboard.ms with 1 % of subscriptions changed since the snapshot",
        1000 * dirty_seconds,
        "ms",
        1000 * orm_seconds,
    )
    yield "get_dashboard.cpu_ms with 1 % changed", 1000 * dirty_cpu, "ms", 1000 * orm_cpu
    yield "snapshot refresh of 1 % changed (cron), ms", 1000 * refresh, "ms", 0
    yield "snapshot full rebuild, ms", 1000 * rebuild, "ms", 0
    env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_segment")
    yield "snapshot segments", env.cr.fetchone()[0], "rows", 0
    yield "events in the log", env["woow.paas.event"].search_count([]), "rows", 0
    yield "load average (1 min) while measuring", os.getloadavg()[0], "", 0
    yield from _page_figures(env, runs)
    yield "load average (1 min) after the browser figures", os.getloadavg()[0], "", 0


def _page_figures(env, runs):
    """The dashboard page in headless Chromium, on the data set above: ms
    from the navigation start until the KPI cards are rendered (the page is
    interactive: the cards are buttons with their figures), logged in as a
    PaaS user. The server runs in this process inside the benchmark's
    transaction (see ``chromium.serve_transaction``). Median of ``runs``
    loads with the browser's cache, and of three without; the first load,
    which also builds the asset bundles, is reported apart."""
    executable = find_chromium()
    if not executable:
        print("No Chromium found: page figures skipped.", file=sys.stderr)
        return
    login = "bench.dashboard"
    env["res.users"].create(
        {"name": "Bench Dashboard", "login": login, "password": login, "tz": "UTC",
         "group_ids": [(6, 0, [env.ref("woow_paas_core.group_paas_user").id])]}
    )  # fmt: skip
    selector = ".o_paas_kpi_card .o_paas_kpi_value"
    with serve_transaction(env) as base_url:
        session = login_session(base_url, env.cr.dbname, login, login)
        browser = Chromium(executable)
        try:
            browser.call("Page.enable")
            browser.call("Network.enable")
            browser.call(
                "Page.addScriptToEvaluateOnNewDocument", source=MARK_SCRIPT % json.dumps(selector)
            )
            browser.call("Network.setCookie", name="session_id", value=session, url=base_url)
            url = f"{base_url}/odoo/paas-dashboard"
            first = time_page(browser, url, selector)
            warm = [time_page(browser, url, selector) for _run in range(runs)]
            browser.call("Network.setCacheDisabled", cacheDisabled=True)
            cold = [time_page(browser, url, selector) for _run in range(3)]
            cards = browser.evaluate("document.querySelectorAll('.o_paas_kpi_card').length")
        finally:
            browser.close()
    assert cards >= 12, cards
    yield (
        "dashboard page interactive in headless Chromium, ms from navigation start (median)",
        statistics.median(warm),
        "ms",
        1000,
    )
    yield (
        "same without the browser cache (every asset downloaded), median",
        statistics.median(cold),
        "ms",
        1000,
    )
    yield "same, first load (the server also builds the asset bundles)", first, "ms", 0


def _usage_history(env, subs, events):
    """``events`` usage events over the tenants of ``subs`` in the last two
    years (a sum metric), written with one INSERT ... SELECT and rolled up
    per day like ingestion does."""
    metric = env["woow.paas.metric"].create(
        {"name": "Dash API calls", "code": "dash_api_calls", "aggregation": "sum"}
    )
    tenants = subs.tenant_ids
    start = time.perf_counter()
    env.cr.execute(
        """
        INSERT INTO woow_paas_usage_event (tenant_id, metric_id, quantity, timestamp,
                                           received_at, idempotency_key)
        SELECT (%(tenants)s::integer[])[1 + g %% %(count)s], %(metric)s, 1 + g %% 7,
               date_trunc('day', now() at time zone 'UTC')
                 - make_interval(secs => (g * 7919 %% (730 * 86400))),
               now() at time zone 'UTC', 'dash-' || g
          FROM generate_series(1::bigint, %(events)s) g
        """,
        {"tenants": tenants.ids, "count": len(tenants), "metric": metric.id, "events": events},
    )
    env.cr.execute(
        """
        INSERT INTO woow_paas_usage_rollup (tenant_id, metric_id, day, event_count,
                                            quantity_sum, quantity_min, quantity_max)
        SELECT tenant_id, metric_id, timestamp::date, COUNT(*), SUM(quantity), MIN(quantity),
               MAX(quantity)
          FROM woow_paas_usage_event WHERE metric_id = %s
         GROUP BY tenant_id, metric_id, timestamp::date
        """,
        [metric.id],
    )
    env.cr.execute("ANALYZE woow_paas_usage_event, woow_paas_usage_rollup")
    env.cr.execute("SELECT COUNT(*) FROM woow_paas_usage_rollup")
    yield "usage events loaded (SQL), s", time.perf_counter() - start, "s", 0
    yield "usage rollup rows", env.cr.fetchone()[0], "rows", 0


def _backend_pid(env):
    env.cr.execute("SELECT pg_backend_pid()")
    return env.cr.fetchone()[0]


def _cpu(pid):
    """CPU seconds used so far by this process and by PostgreSQL backend
    ``pid`` (same machine): what a call costs whatever else loads the CPUs."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks + time.process_time()
