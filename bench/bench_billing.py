"""Billing benchmarks: usage ingestion in bulk against one ORM create per event."""

from datetime import datetime, timedelta, timezone

from common import Counter, bench

TENANTS = 20


def _usage_fixture(env):
    """Running tenants and a metric, all rolled back with the benchmark."""
    partner = env["res.partner"].create({"name": "Bench Usage Customer", "is_company": True})
    tenants = env["woow.paas.tenant"].create(
        [
            {"name": f"Bench Usage {n}", "code": f"bench-usage-{n}", "partner_id": partner.id}
            for n in range(TENANTS)
        ]
    )
    # Running without a subscription: only ingestion is measured.
    env.cr.execute("UPDATE woow_paas_tenant SET state = 'active' WHERE id = ANY(%s)", [tenants.ids])
    tenants.invalidate_recordset(["state"])
    metric = env["woow.paas.metric"].create({"name": "Bench Calls", "code": "bench_calls"})
    return tenants, metric


def _events(tenants, metric, count, prefix):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return [
        {
            "tenant": tenants[n % TENANTS].code,
            "metric": metric.code,
            "quantity": n % 7 + 1,
            "timestamp": (now - timedelta(seconds=n * 7)).isoformat() + "Z",
            "idempotency_key": f"{prefix}-{n}",
        }
        for n in range(count)
    ]


@bench
def usage(env, size=50000, batch=1000, orm_size=2000):
    """Ingest ``size`` events in batches of ``batch`` (new keys), then the same
    batches again (all duplicates); baseline: one ORM create per event."""
    tenants, metric = _usage_fixture(env)
    Usage = env["woow.paas.usage.event"]
    events = _events(tenants, metric, size, "ingest")
    batches = [events[i : i + batch] for i in range(0, size, batch)]
    with Counter(env) as ingest:
        for chunk in batches:
            results = Usage.ingest(chunk)
    assert {r["status"] for r in results} == {"accepted"}, results[:3]
    with Counter(env) as again:
        for chunk in batches:
            results = Usage.ingest(chunk)
    assert {r["status"] for r in results} == {"duplicate"}, results[:3]

    tenant_ids = {tenant.code: tenant.id for tenant in tenants}
    with Counter(env) as orm:
        for event in _events(tenants, metric, orm_size, "orm"):
            Usage.create(
                {
                    "tenant_id": tenant_ids[event["tenant"]],
                    "metric_id": metric.id,
                    "quantity": event["quantity"],
                    "timestamp": event["timestamp"][:19].replace("T", " "),
                    "idempotency_key": event["idempotency_key"],
                }
            )
    orm_rate = orm_size / orm.seconds
    env.cr.execute(
        "SELECT sum(event_count) FROM woow_paas_usage_rollup WHERE metric_id = %s", [metric.id]
    )
    assert env.cr.fetchone()[0] == size + orm_size, "rollups out of step"
    yield "ingest.events_per_s", size / ingest.seconds, "events/s", orm_rate
    yield (
        "ingest.queries_per_1000_events",
        ingest.queries / len(batches),
        "queries",
        1000 * orm.queries / orm_size,
    )
    yield "duplicates.events_per_s", size / again.seconds, "events/s", orm_rate
    yield "orm_create.events_per_s", orm_rate, "events/s", orm_rate


def _billing_fixture(env, subscriptions, events):
    """``subscriptions`` due for renewal today, each with a tenant, on a plan
    with three metered metrics (flat, graduated, volume), and ``events``
    usage events over the ended period (written in SQL, rolled up as
    ingest() does)."""
    from dateutil.relativedelta import relativedelta

    from odoo import Command, fields
    from odoo.tools import SQL

    from odoo.addons.woow_paas_billing.models.woow_paas_usage_event import (
        _rollup_upsert,
    )

    today = fields.Date.context_today(env["res.users"])
    start = today - relativedelta(months=1)
    Metric = env["woow.paas.metric"]
    metrics = Metric.create(
        [
            {"name": "Bench API Calls", "code": "bench_bill_calls", "aggregation": "sum"},
            {"name": "Bench Storage", "code": "bench_bill_storage", "aggregation": "max"},
            {"name": "Bench Jobs", "code": "bench_bill_jobs", "aggregation": "count"},
        ]
    )
    plan = env["woow.paas.plan"].create(
        {
            "name": "Bench Billing",
            "code": "bench-billing",
            "price": 49.0,
            "metric_price_ids": [
                Command.create(
                    {"metric_id": metrics[0].id, "included_quantity": 100, "unit_price": 0.01}
                ),
                Command.create(
                    {
                        "metric_id": metrics[1].id,
                        "pricing_model": "graduated",
                        "tier_ids": [
                            Command.create({"up_to": 10, "unit_price": 0.5}),
                            Command.create({"up_to": 0, "unit_price": 0.25, "flat_amount": 1}),
                        ],
                    }
                ),
                Command.create(
                    {
                        "metric_id": metrics[2].id,
                        "pricing_model": "volume",
                        "tier_ids": [
                            Command.create({"up_to": 50, "unit_price": 0.2}),
                            Command.create({"up_to": 0, "unit_price": 0.1}),
                        ],
                    }
                ),
            ],
        }
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench Billing {n}", "is_company": True} for n in range(200)]
    )
    subs = env["woow.paas.subscription"].create(
        [
            {"partner_id": partners[n % len(partners)].id, "plan_id": plan.id, "date_start": start}
            for n in range(subscriptions)
        ]
    )
    tenants = env["woow.paas.tenant"].create(
        [
            {
                "name": f"Bench Billing {n}",
                "code": f"bench-bill-{n}",
                "partner_id": sub.partner_id.id,
                "subscription_id": sub.id,
            }
            for n, sub in enumerate(subs)
        ]
    )
    env.flush_all()
    # Running and due today, without invoicing their first period: only the
    # renewal is measured.
    env.cr.execute(
        SQL(
            "UPDATE woow_paas_subscription SET state = 'active', period_anchor_date = %s,"
            " current_period_start = %s, current_period_end = %s WHERE id = ANY(%s)",
            start,
            start,
            today,
            subs.ids,
        )
    )
    env.cr.execute(
        SQL("UPDATE woow_paas_tenant SET state = 'active' WHERE id = ANY(%s)", tenants.ids)
    )
    seconds = (today - start).days * 86400
    env.cr.execute(
        SQL(
            """
            INSERT INTO woow_paas_usage_event (tenant_id, metric_id, quantity, "timestamp",
                idempotency_key, received_at)
            SELECT (%(tenants)s::int[])[1 + n %% %(tenant_count)s],
                   (%(metrics)s::int[])[1 + (n / %(tenant_count)s) %% 3],
                   1 + n %% 5,
                   %(start)s::timestamp + make_interval(secs => (n::bigint * 7919) %% %(seconds)s),
                   'bench-bill-' || n, now() at time zone 'UTC'
              FROM generate_series(0, %(events)s - 1) AS n
            """,
            tenants=tenants.ids,
            tenant_count=len(tenants),
            metrics=metrics.ids,
            start=start,
            seconds=seconds,
            events=events,
        )
    )
    env.cr.execute(
        _rollup_upsert(
            SQL("(SELECT * FROM woow_paas_usage_event WHERE metric_id = ANY(%s))", metrics.ids)
        )
    )
    env.invalidate_all()
    return subs, plan, metrics, start, today


@bench
def billing_run(env, size=5000, orm_sample=200, batch=500):
    """Renew and invoice ``size`` subscriptions (three metered metrics each,
    over 200 usage events per subscription: 1,000,000 for 5,000) with a
    billing run; baseline: ``orm_sample`` other subscriptions invoiced one at
    a time with plain ORM calls (usage by read_group on the raw events, one
    invoice created and posted each)."""
    from odoo import Command

    subscriptions = size
    subs, plan, metrics, start, today = _billing_fixture(env, size + orm_sample, 200 * size)
    sample, batched = subs[:orm_sample], subs[orm_sample:]
    Usage = env["woow.paas.usage.event"]
    Move = env["account.move"]
    with Counter(env) as orm:
        for sub in sample:
            tenant_ids = sub.tenant_ids.ids
            lines = [
                Command.create(
                    {"product_id": plan.product_id.id, "quantity": 1, "price_unit": sub.price}
                )
            ]
            for metric in metrics:
                domain = [
                    ("tenant_id", "in", tenant_ids),
                    ("metric_id", "=", metric.id),
                    ("timestamp", ">=", start),
                    ("timestamp", "<", today),
                ]
                aggregate = {"sum": "quantity:sum", "max": "quantity:max", "count": "__count"}
                (quantity,) = Usage._read_group(domain, [], [aggregate[metric.aggregation]])[0]
                price = plan._get_metric_price(metric)._compute_price(quantity or 0)
                lines.append(
                    Command.create(
                        {"product_id": metric.product_id.id, "quantity": 1,
                         "price_unit": float(price)}
                    )
                )  # fmt: skip
            move = Move.create(
                {"move_type": "out_invoice", "partner_id": sub.partner_id.id,
                 "paas_subscription_id": sub.id, "invoice_line_ids": lines}
            )  # fmt: skip
            move.action_post()
            sub.sudo().write({"current_period_start": today,
                              "current_period_end": sub._paas_period_end(today)})  # fmt: skip
    orm_rate = orm_sample / orm.seconds
    run = env["woow.paas.billing.run"].create({"batch_size": batch})
    with Counter(env) as batch_run:
        # Each batch as the job runner runs it: one job after the other, each
        # on a fresh cache. Between two jobs, the statistics autovacuum takes
        # of the committed batch (in this never-committed transaction the
        # planner would otherwise believe the journal empty and scan all of
        # its moves for each invoice number: 0.07 ms becomes 5-12 ms).
        run.action_start()
        while run.state == "running":
            env.flush_all()
            env.cr.execute("ANALYZE account_move, account_move_line")
            env.invalidate_all()
            run._run_batch()
    assert run.state == "done" and run.done_count == subscriptions, (run.done_count, run.state)
    env.cr.execute(
        "SELECT count(*), count(DISTINCT paas_subscription_id) FROM account_move"
        " WHERE paas_subscription_id = ANY(%s) AND state = 'posted'",
        [batched.ids],
    )
    invoices, distinct = env.cr.fetchone()
    assert invoices == distinct == subscriptions, (invoices, distinct)
    yield "run.invoices_per_s", subscriptions / batch_run.seconds, "invoices/s", orm_rate
    yield (
        "run.queries_per_invoice",
        batch_run.queries / subscriptions,
        "queries",
        orm.queries / orm_sample,
    )
    yield "run.seconds", batch_run.seconds, "s", subscriptions / orm_rate
    yield "orm_one_by_one.invoices_per_s", orm_rate, "invoices/s", orm_rate
