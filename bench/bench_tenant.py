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


def _median_ms(func, repeat):
    func()  # warm the caches (rule domain, prepared plans)
    samples = []
    for _i in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(1000 * (time.perf_counter() - start))
    return statistics.median(samples)


@bench
def tenant_isolation(env, size=1_000_000, tenants=1000, repeat=30):
    """``size`` example projects over ``tenants`` tenants: a tenant user's
    searches against the superuser's with the same tenant domain, and the
    queries of a list page for a user in 10 vs all tenants."""
    from bench_core import _list_spec

    all_tenants = _make_tenants(env, tenants)
    start = time.perf_counter()
    _insert_projects(env, all_tenants, size)
    yield "insert.seconds", time.perf_counter() - start, "s", size / 1_000_000

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
            user_ms = _median_ms(lambda: as_user.search_count([]), repeat)
            root_ms = _median_ms(lambda: as_root.search_count(tenant_domain), repeat)
        else:
            domain, kwargs = spec
            user_ms = _median_ms(lambda d=domain, k=kwargs: as_user.search(d, **k).ids, repeat)
            root_ms = _median_ms(
                lambda d=domain, k=kwargs: as_root.search(d + tenant_domain, **k).ids, repeat
            )
        yield f"search_{name}.ms_tenant_user", user_ms, "ms", root_ms

    assert as_user.search_count([]) == size // tenants, as_user.search_count([])

    # A list page for a user working in 10 tenants, then in all of them.
    spec = _list_spec(as_user)
    pages = {}
    for allowed in (10, tenants):
        chosen = all_tenants[:allowed]
        user.write({"paas_tenant_ids": [Command.set(chosen.ids)], "paas_tenant_id": chosen[0].id})
        model = as_user.with_context(allowed_paas_tenant_ids=chosen.ids)
        model.web_search_read([], spec, limit=80)
        env.invalidate_all()
        with Counter(env) as page:
            result = model.web_search_read([], spec, limit=80)
        assert len(result["records"]) == 80
        ms = _median_ms(lambda m=model: m.web_search_read([], spec, limit=80), 10)
        pages[allowed] = (page.queries, ms)
    yield f"list_page.queries_{tenants}_tenants", pages[tenants][0], "queries", pages[10][0]
    yield f"list_page.ms_{tenants}_tenants", pages[tenants][1], "ms", pages[10][1]
