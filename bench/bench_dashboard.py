"""Dashboard benchmark: ``get_dashboard`` for a year over 10,000 subscriptions
with a year of history, against the same figures read month by month with
the ORM's ``_read_group``."""

import os
import statistics
import time
from datetime import date

from common import Counter, bench
from dateutil.relativedelta import relativedelta

TRANSITIONS = (
    "subscription.trial_started", "subscription.activated", "subscription.past_due",
    "subscription.suspended", "subscription.reactivated", "subscription.cancelled",
)  # fmt: skip
PRICE_EVENTS = ("subscription.plan_changed", "subscription.price_changed")


def _history(env, size):
    """``size`` subscriptions started over the last year (one in ten on a
    yearly plan), a third of them upgraded, one in seven cancelled, each with
    a tenant; their events are then spread over their own history."""
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
        [{"name": f"Dash Customer {i}", "is_company": True} for i in range(size // 5)]
    )
    Sub = env["woow.paas.subscription"]
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
    monthly[::3].action_change_plan(plans[2])
    subs[::7].action_cancel(reason="Bench churn")
    env.flush_all()
    # A start up to 360 days ago per subscription; plan changes at 40 % and
    # cancellations at 70 % of its age; tenant events follow their subscription.
    env.cr.execute(
        """
        WITH s AS (
            SELECT id, (id * 7919) %% 360 AS age FROM woow_paas_subscription WHERE id = ANY(%s)
        )
        UPDATE woow_paas_event e
           SET occurred_at = date_trunc('day', now() at time zone 'UTC')
                             - make_interval(days => s.age)
                             + CASE WHEN e.event_type = 'subscription.plan_changed'
                                    THEN make_interval(days => (s.age * 4) / 10)
                                    WHEN e.event_type IN ('subscription.cancelled',
                                                         'tenant.suspended')
                                    THEN make_interval(days => (s.age * 7) / 10)
                                    ELSE interval '0' END
                             + interval '10 hours'
          FROM s WHERE e.subscription_id = s.id
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


@bench
def dashboard(env, size=10000, runs=5):
    """``get_dashboard`` for the last twelve months over ``size``
    subscriptions with plan changes and cancellations (median of ``runs``);
    baseline: MRR, customers and moves per window with ``_read_group``."""
    subs = _history(env, size)
    # As autovacuum would after a bulk load: the planner needs row counts.
    env.cr.execute("ANALYZE woow_paas_event, woow_paas_subscription, woow_paas_tenant")
    Dashboard = env["woow.paas.dashboard"].with_context(tz="UTC")
    today = date.today()
    date_to = date(today.year, today.month, 1) + relativedelta(months=1, days=-1)
    date_from = date(today.year, today.month, 1) - relativedelta(months=11)
    pid = _backend_pid(env)
    timings, queries, cpus = [], [], []
    for _run in range(runs):
        env.invalidate_all()
        cpu = _cpu(pid)
        with Counter(env) as call:
            data = Dashboard.get_dashboard(date_from.isoformat(), date_to.isoformat())
        cpus.append(_cpu(pid) - cpu)
        timings.append(call.seconds)
        queries.append(call.queries)
    kpis = {kpi["key"]: kpi for kpi in data["kpis"]}
    assert abs(kpis["mrr"]["value"] - sum(subs.mapped("mrr"))) < 0.01, kpis["mrr"]["value"]

    windows = Dashboard._paas_windows(date_from, date_to)
    env.invalidate_all()
    cpu = _cpu(pid)
    with Counter(env) as orm:
        figures = _orm_figures(env, windows)
    orm_cpu = _cpu(pid) - cpu
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
        1000 * statistics.median(timings),
        "ms",
        1000 * orm.seconds,
    )
    yield (
        "get_dashboard.cpu_ms (PostgreSQL backend + Python)",
        1000 * statistics.median(cpus),
        "ms",
        1000 * orm_cpu,
    )
    yield "get_dashboard.queries", statistics.median(queries), "queries", orm.queries
    yield "events in the log", env["woow.paas.event"].search_count([]), "rows", 0
    yield "load average (1 min) while measuring", os.getloadavg()[0], "", 0


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
