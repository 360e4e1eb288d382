"""Billing benchmarks: usage ingestion in bulk against one ORM create per event."""

from datetime import UTC, datetime, timedelta

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
    now = datetime.now(UTC).replace(tzinfo=None)
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
