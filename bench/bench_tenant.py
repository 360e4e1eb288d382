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


def _login_seconds(port, host, login, password, timeout=120):
    """Sign in through the login form of the odoo-bin on ``port`` as
    ``host``; returns when it worked (raises otherwise)."""
    import re

    import requests

    session = requests.Session()
    headers = {"Host": f"{host}:{port}"}
    url = f"http://127.0.0.1:{port}"
    page = session.get(f"{url}/web/login", headers=headers, timeout=timeout)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{url}/web/login",
        data={"login": login, "password": password, "csrf_token": csrf},
        headers=headers,
        allow_redirects=False,
        timeout=timeout,
    )
    location = response.headers.get("Location", "")
    assert response.status_code == 303 and "/web/login" not in location, response.text[:300]


def _link_seconds(port, host, token, timeout=120):
    """Sign in with the administrator's one-time link on the odoo-bin on
    ``port`` as ``host`` (what a new customer clicks); raises unless it
    signed in."""
    import requests

    response = requests.get(
        f"http://127.0.0.1:{port}/woow_paas_agent/signin",
        params={"token": token},
        headers={"Host": f"{host}:{port}"},
        allow_redirects=False,
        timeout=timeout,
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/odoo"), (
        response.status_code,
        response.text[:300],
    )


@bench
def tenant_provisioning(env, size=5):
    """A database tenant from its plan's template, request to first
    successful sign-in (over HTTP, by host name, on a second PostgreSQL
    cluster), against ``odoo-bin -i`` of the same modules into a new
    database followed by its first sign-in; medians of ``size`` and 3 runs,
    and the median duration of each provisioning step."""
    from odoo.addons.woow_paas_tenant import pgtools
    from odoo.addons.woow_paas_tenant.tests.pg_cluster import PASSWORD, ROLE, SecondCluster

    cluster = SecondCluster.get()
    try:
        env["woow.paas.db.server"].search([]).write({"active": False})
        server = env["woow.paas.db.server"].create(
            {
                "name": "Bench cluster",
                "host": "127.0.0.1",
                "port": cluster.port,
                "role": ROLE,
                "password": PASSWORD,
                "capacity": 1000,
                "db_prefix": cluster.prefix,
            }
        )
        modules = "base,web,woow_paas_tenant_agent"
        plan = env["woow.paas.plan"].create(
            {
                "name": "Bench Dedicated",
                "code": "bench-dedicated",
                "price": 1.0,
                "paas_isolation": "database",
                "paas_modules": modules,
            }
        )
        partner = env["res.partner"].create(
            {"name": "Bench Customer", "is_company": True, "email": "bench@example.com"}
        )
        sub = env["woow.paas.subscription"].create({"partner_id": partner.id, "plan_id": plan.id})
        sub.action_activate()
        template = plan._paas_template(server)
        template._paas_build()
        assert template.state == "ready", template.build_log
        yield "template_build.seconds", template.build_seconds, "s", 0
        port = cluster.start_odoo(f"^({cluster.prefix}platform|{cluster.prefix}%d)$")

        # Baseline: odoo-bin -i into a new database, then its first sign-in.
        baseline = []
        for i in range(3):
            name = f"{cluster.prefix}baseline-{i}"
            start = time.perf_counter()
            pgtools.build_template(cluster.conninfo, name, modules.split(","))
            _login_seconds(port, f"baseline-{i}.localhost", "admin", "admin")
            baseline.append(time.perf_counter() - start)
            pgtools.drop_db(cluster.conninfo, name)
            pgtools.remove_filestore(name)
        baseline_s = statistics.median(baseline)

        runs, jobs, logins, password_logins, steps = [], [], [], [], {}
        Tenant = env["woow.paas.tenant"].with_context(queue_job__no_delay=True)
        for i in range(size):
            start = time.perf_counter()
            tenant = Tenant.create(
                {
                    "name": f"Bench DB {i}",
                    "code": f"bench-db-{i}",
                    "partner_id": partner.id,
                    "subscription_id": sub.id,
                }
            )
            tenant.action_provision()
            assert tenant.state == "active", tenant.state_message
            provisioned = time.perf_counter()
            # The job's transaction commits before the customer signs in;
            # here the bench's own transaction is kept (rolled back at the
            # end) and the tenant database is already committed. The first
            # sign-in is the one-time link the customer is given.
            _link_seconds(port, f"{tenant.code}.localhost", tenant.paas_signin_token)
            runs.append(time.perf_counter() - start)
            jobs.append(provisioned - start)
            logins.append(time.perf_counter() - provisioned)
            before = time.perf_counter()
            _login_seconds(
                port,
                f"{tenant.code}.localhost",
                tenant.paas_admin_login,
                tenant.paas_admin_password,
            )
            password_logins.append(time.perf_counter() - before)
            for step in tenant.paas_provision_step_ids:
                steps.setdefault(step.step, []).append(step.duration_ms)
        median = statistics.median(runs)
        yield "provision_to_first_login.seconds", median, "s", baseline_s
        yield "odoo_i_to_first_login.seconds", baseline_s, "s", 0
        yield "provisioning_request_and_job.seconds", statistics.median(jobs), "s", 0
        yield (
            "first_login_after_provisioning.seconds (sign-in link)",
            statistics.median(logins),
            "s",
            0,
        )
        yield (
            "password_login_after_provisioning.seconds (later sign-ins)",
            statistics.median(password_logins),
            "s",
            0,
        )
        yield (
            "provision_to_first_password_login.seconds",
            statistics.median(a + b for a, b in zip(jobs, password_logins, strict=True)),
            "s",
            baseline_s,
        )
        for step, values in steps.items():
            yield f"step_{step}.ms", statistics.median(values), "ms", 0

        # From the warm pool: the databases are copied ahead; only the
        # provisioning job is run (the refill job it queues is not).
        from odoo.addons.queue_job.tests.common import trap_jobs

        plan.with_context(queue_job__no_delay=False).write({"paas_pool_size": size})
        start = time.perf_counter()
        plan._paas_refill_pool()
        yield "warm_pool_fill_per_database.seconds", (time.perf_counter() - start) / size, "s", 0
        warm_jobs, warm_logins, warm_db_ms = [], [], []
        for i in range(size):
            with trap_jobs() as trap:
                start = time.perf_counter()
                tenant = env["woow.paas.tenant"].create(
                    {
                        "name": f"Bench Warm {i}",
                        "code": f"bench-warm-{i}",
                        "partner_id": partner.id,
                        "subscription_id": sub.id,
                    }
                )
                tenant.action_provision()
                for job in trap.enqueued_jobs:
                    if job.method_name == "_paas_provision_job":
                        job.perform()
            assert tenant.state == "active" and tenant.paas_pool_password, tenant.state_message
            provisioned = time.perf_counter()
            _link_seconds(port, f"{tenant.code}.localhost", tenant.paas_signin_token)
            warm_jobs.append(provisioned - start)
            warm_logins.append(time.perf_counter() - provisioned)
            warm_db_ms.extend(
                tenant.paas_provision_step_ids.filtered(lambda s: s.step == "database").mapped(
                    "duration_ms"
                )
            )
        yield (
            "warm_request_and_job.seconds",
            statistics.median(warm_jobs),
            "s",
            statistics.median(jobs),
        )
        yield "warm_first_login.seconds", statistics.median(warm_logins), "s", 0
        yield (
            "warm_request_to_first_login.seconds",
            statistics.median(a + b for a, b in zip(warm_jobs, warm_logins, strict=True)),
            "s",
            baseline_s,
        )
        yield "warm_step_database.ms", statistics.median(warm_db_ms), "ms", 0
    finally:
        cluster.stop()  # the cluster and every database on it go
