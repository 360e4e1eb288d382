"""Tenant-layer benchmarks: row-level isolation on a large shared table."""

import statistics
import time

from common import Counter, bench

from odoo.fields import Command
from odoo.tools import SQL


def _make_tenants(env, count):
    partner = env["res.partner"].create({"name": "Bench Tenant Customer", "is_company": True})
    return env["woow.paas.tenant"].create(
        [
            {"name": f"Bench Tenant {i}", "code": f"bench-tenant-{i}", "partner_id": partner.id}
            for i in range(count)
        ]
    )


def _insert_projects(env, tenants, size):
    """``size`` example projects spread evenly over ``tenants``, in one INSERT."""
    env.cr.execute(
        SQL(
            """INSERT INTO woow_paas_example_project
                      (name, tenant_id, active, create_uid, write_uid, create_date, write_date)
               SELECT 'Bench project ' || g, (%s::int[])[1 + g %% %s], true, 1, 1,
                      now() at time zone 'UTC', now() at time zone 'UTC'
                 FROM generate_series(1, %s) g""",
            tenants.ids,
            len(tenants),
            size,
        )
    )
    env.cr.execute("ANALYZE woow_paas_example_project")


def _paired_median_ms(func, baseline, repeat):
    """Median ms of ``func`` and of ``baseline``, calls interleaved so that
    the load of a shared machine weighs on both alike."""
    func()  # warm the caches (rule domain, plans)
    baseline()
    samples = ([], [])
    for _i in range(repeat):
        for target, call in zip(samples, (func, baseline), strict=True):
            start = time.perf_counter()
            call()
            target.append(1000 * (time.perf_counter() - start))
    return statistics.median(samples[0]), statistics.median(samples[1])


@bench
def tenant_isolation(env, size=1_000_000, tenants=1000, repeat=200):
    """``size`` example projects over ``tenants`` tenants: a tenant user's
    searches against the superuser's with the same tenant domain, and the
    queries of a list page for a user in 10 vs all tenants."""
    from bench_core import _list_spec

    all_tenants = _make_tenants(env, tenants)
    start = time.perf_counter()
    _insert_projects(env, all_tenants, size)
    seconds = time.perf_counter() - start
    # Baseline 0: a plain figure, no ratio.
    yield f"insert_{size}_rows.seconds", seconds, "s", 0

    tenant = all_tenants[len(all_tenants) // 2]
    Users = env["res.users"]
    user = Users.create(
        {"name": "Bench Tenant User", "login": "bench_tenant_user",
         "group_ids": [Command.set(env.ref("base.group_user").ids)],
         "paas_tenant_ids": [Command.set(tenant.ids)], "paas_tenant_id": tenant.id}
    )  # fmt: skip
    env.flush_all()
    as_user = env["woow.paas.example.project"].with_user(user)
    as_root = env["woow.paas.example.project"]
    tenant_domain = [("tenant_id", "in", tenant.ids)]

    searches = {
        "list_page": ([], {"limit": 80}),
        "name_filter": ([("name", "ilike", "project 12")], {"limit": 80}),
        "count": None,
    }
    for name, spec in searches.items():
        if spec is None:
            user_ms, root_ms = _paired_median_ms(
                lambda: as_user.search_count([]),
                lambda: as_root.search_count(tenant_domain),
                repeat,
            )
        else:
            domain, kwargs = spec
            user_ms, root_ms = _paired_median_ms(
                lambda d=domain, k=kwargs: as_user.search(d, **k).ids,
                lambda d=domain, k=kwargs: as_root.search(d + tenant_domain, **k).ids,
                repeat,
            )
        # Baseline: the superuser running the same search with the tenant domain.
        yield f"search_{name}.ms_tenant_user", user_ms, "ms", root_ms

    assert as_user.search_count([]) == size // tenants, as_user.search_count([])

    # A list page (as the web client asks it) for a user working in 10
    # tenants, then in all of them: the queries must not grow.
    spec = _list_spec(as_user)
    pages = {}
    for allowed in (10, tenants):
        chosen = all_tenants[:allowed]
        user.write({"paas_tenant_ids": [Command.set(chosen.ids)], "paas_tenant_id": chosen[0].id})
        model = as_user.with_context(allowed_paas_tenant_ids=chosen.ids)
        root = as_root.with_context(active_test=True)
        domain = [("tenant_id", "in", chosen.ids)]
        model.web_search_read([], spec, limit=80, count_limit=10001)
        env.invalidate_all()
        with Counter(env) as page:
            result = model.web_search_read([], spec, limit=80, count_limit=10001)
        assert len(result["records"]) == 80
        user_ms, root_ms = _paired_median_ms(
            lambda m=model: m.web_search_read([], spec, limit=80, count_limit=10001),
            lambda r=root, d=domain: r.web_search_read(d, spec, limit=80, count_limit=10001),
            20,
        )
        pages[allowed] = page.queries
        yield f"list_page_{allowed}_tenants.ms_tenant_user", user_ms, "ms", root_ms
    yield f"list_page.queries_{tenants}_tenants", pages[tenants], "queries", pages[10]
