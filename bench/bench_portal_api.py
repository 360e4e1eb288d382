"""Portal benchmarks: SQL queries and server time of the customer's /my/api
and /my/tenants pages (woow_paas_portal_api, woow_paas_portal_tenant) at two
sizes of the customer's data, served over real HTTP inside the benchmark's
transaction."""

import statistics
import time

import requests
from chromium import login_session, serve_transaction
from common import bench

from odoo.fields import Command

LOGIN = "bench.portal.api"


def _customer(env):
    partner = env["res.partner"].create({"name": "Bench Portal Customer", "is_company": True})
    contact = env["res.partner"].create({"name": "Bench Portal Contact", "parent_id": partner.id})
    user = env["res.users"].create(
        {"name": "Bench Portal", "login": LOGIN, "password": LOGIN, "tz": "UTC",
         "partner_id": contact.id,
         "group_ids": [Command.set(env.ref("base.group_portal").ids)]}
    )  # fmt: skip
    plan = env["woow.paas.plan"].create(
        {"name": "Bench Portal Plan", "code": "bench-portal-plan", "price": 10.0,
         "quota_ids": [
             Command.create({"resource_id": env.ref("woow_paas_core.resource_users").id,
                             "limit": 10}),
             Command.create({"resource_id": env.ref("woow_paas_core.resource_api_calls").id,
                             "limit": 1000}),
         ]}
    )  # fmt: skip
    return partner, user, plan


def _grow(env, partner, user, plan, tenants, keys, endpoints, deliveries, start):
    """Add to the customer: ``tenants`` tenants (each on its subscription,
    with measured users), ``keys`` API keys and as many OAuth2 clients,
    ``endpoints`` webhook endpoints, ``deliveries`` deliveries on the first."""
    subs = env["woow.paas.subscription"].create(
        [{"partner_id": partner.id, "plan_id": plan.id} for _i in range(tenants)]
    )
    new_tenants = env["woow.paas.tenant"].create(
        [{"name": f"Bench Portal {start + i}", "code": f"bench-portal-{start + i}",
          "partner_id": partner.id, "subscription_id": sub.id} for i, sub in enumerate(subs)]
    )  # fmt: skip
    new_tenants._paas_quota_set_usage("users", {t.id: 1 + t.id % 9 for t in new_tenants})
    env["woow.paas.api.key"].create(
        [{"name": f"Bench key {start + i}", "user_id": user.id} for i in range(keys)]
    )
    env["woow.paas.oauth.client"].create(
        [{"name": f"Bench client {start + i}", "user_id": user.id} for i in range(keys)]
    )
    created = env["woow.paas.webhook.endpoint"].create(
        [{"url": f"http://127.0.0.1:9/bench/{start + i}", "user_id": user.id,
          "allow_private_network": True, "enabled": False} for i in range(endpoints)]
    )  # fmt: skip
    endpoint = (
        env["woow.paas.webhook.endpoint"].search([("user_id", "=", user.id)], order="id", limit=1)
        or created[:1]
    )
    env["woow.paas.webhook.delivery"].create(
        [{"endpoint_id": endpoint.id, "webhook_id": f"msg_bench_{start}_{i}",
          "state": "delivered", "attempts": 1, "last_status_code": 200}
         for i in range(deliveries)]
    )  # fmt: skip
    env.flush_all()
    return endpoint


def _measure(env, session, base_url, path, repeat):
    """(queries of one request, median ms) for ``path``, after a warm-up."""
    url = base_url + path
    assert session.get(url, timeout=120).status_code == 200, path
    counts, times = [], []
    for _i in range(repeat):
        before = env.cr.sql_log_count
        start = time.perf_counter()
        response = session.get(url, timeout=120)
        times.append(1000 * (time.perf_counter() - start))
        counts.append(env.cr.sql_log_count - before)
        assert response.status_code == 200, (path, response.status_code)
    return max(counts), statistics.median(times)


@bench
def portal_api(env, size=200, repeat=5):
    """/my/api, a webhook endpoint's page, /my/tenants and a tenant page for
    a customer with size/10 then ``size`` tenants (each with its quotas),
    size/10 then ``size`` API keys and OAuth2 clients, size/20 then size/4
    webhook endpoints and size/2 then 10*size deliveries on one endpoint.
    The large size's query counts are given against the small one's: a
    ratio of 1 means the page reads in a bounded number of queries."""
    partner, user, plan = _customer(env)
    small = max(size // 10, 2)
    sizes = (
        (small, small, max(size // 20, 1), size // 2),
        (size, size, max(size // 4, 1), 10 * size),
    )
    grown = {"tenants": 0, "keys": 0, "endpoints": 0, "deliveries": 0}
    baselines = {}
    with serve_transaction(env) as base_url:
        session = requests.Session()
        session.cookies.set("session_id", login_session(base_url, env.cr.dbname, LOGIN, LOGIN))
        for tenants, keys, endpoints, deliveries in sizes:
            endpoint = _grow(
                env, partner, user, plan,
                tenants - grown["tenants"], keys - grown["keys"],
                endpoints - grown["endpoints"], deliveries - grown["deliveries"],
                start=grown["tenants"] + grown["keys"],
            )  # fmt: skip
            grown.update(tenants=tenants, keys=keys, endpoints=endpoints, deliveries=deliveries)
            tenant = env["woow.paas.tenant"].search([("partner_id", "=", partner.id)], limit=1)
            pages = (
                ("/my/api", f"{keys} keys, {keys} clients, {endpoints} endpoints", "/my/api"),
                ("/my/api/webhooks/<id>", f"{deliveries} deliveries",
                 f"/my/api/webhooks/{endpoint.id}"),
                ("/my/tenants", f"{tenants} tenants", "/my/tenants"),
                ("/my/tenants/<id>", f"{tenants} tenants", f"/my/tenants/{tenant.id}"),
            )  # fmt: skip
            for name, what, path in pages:
                queries, ms = _measure(env, session, base_url, path, repeat)
                yield f"{name} queries ({what})", queries, "queries", baselines.get(name, 0)
                yield f"{name} server ms ({what}, median)", ms, "ms", 0
                baselines.setdefault(name, queries)
