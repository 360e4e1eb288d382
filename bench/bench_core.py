"""Core benchmarks: subscriptions in bulk, transitions, list views."""

from common import Counter, bench


def _list_spec(model):
    """The specification the web client sends when it opens ``model``'s list view."""
    from lxml import etree

    arch = model.get_views([(False, "list")])["views"]["list"]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        field = model._fields[node.get("name")]
        spec[field.name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


def _make_subscriptions(env, count, batch=1000, tag=""):
    plans = env["woow.paas.plan"].create(
        [
            {"name": "Bench Monthly", "code": f"bench-m{tag}-{count}", "price": 10,
             "trial_days": 7},
            {"name": "Bench Yearly", "code": f"bench-y{tag}-{count}", "price": 120,
             "billing_interval": "year"},
        ]
    )  # fmt: skip
    partners = env["res.partner"].create(
        [{"name": f"Bench Customer {i}", "is_company": True} for i in range(200)]
    )
    subs = env["woow.paas.subscription"]
    for start in range(0, count, batch):
        subs |= subs.create(
            [
                {"partner_id": partners[i % 200].id, "plan_id": plans[i % 2].id}
                for i in range(start, min(start + batch, count))
            ]
        )
    return subs


@bench
def subscriptions(env, size=10000, small=100):
    """Create ``size`` subscriptions, activate them all, open the list views."""
    per_record = {}
    for count in (small, size):
        with Counter(env) as create:
            subs = _make_subscriptions(env, count)
        with Counter(env) as activate:
            subs.action_activate()
        per_record[count] = (create, activate, subs)
    c_small, a_small, _subs = per_record[small]
    c_big, a_big, subs = per_record[size]
    yield "create.queries_per_record", c_big.queries / size, "queries", c_small.queries / small
    yield "create.ms_per_record", 1000 * c_big.seconds / size, "ms", 1000 * c_small.seconds / small
    yield "activate.queries_per_record", a_big.queries / size, "queries", a_small.queries / small
    yield (
        "activate.ms_per_record",
        1000 * a_big.seconds / size,
        "ms",
        1000 * a_small.seconds / small,
    )

    tenants = env["woow.paas.tenant"].create(
        [
            {"name": f"Bench {sub.id}", "code": f"bench-{sub.id}",
             "partner_id": sub.partner_id.id, "subscription_id": sub.id}
            for sub in subs
        ]
    )  # fmt: skip
    tenants.action_provision()
    for model_name in ("woow.paas.subscription", "woow.paas.tenant", "woow.paas.event"):
        model = env[model_name]
        spec = _list_spec(model)
        counts = {}
        for limit in (80, size):
            env.invalidate_all()
            with Counter(env) as opened:
                result = model.web_search_read([], spec, limit=limit)
            assert len(result["records"]) == limit, (model_name, len(result["records"]))
            counts[limit] = opened
        short = model_name.removeprefix("woow.paas.")
        yield (
            f"list_{short}.queries_{size}_rows",
            counts[size].queries,
            "queries",
            counts[80].queries,
        )
        yield (
            f"list_{short}.ms_{size}_rows",
            1000 * counts[size].seconds,
            "ms",
            1000 * counts[80].seconds,
        )


@bench
def renewals(env, size=10000, small=100):
    """Renew ``size`` due subscriptions through the cron, and expire as many
    trials (baseline: the same per-record figures for ``small``)."""
    from dateutil.relativedelta import relativedelta
    from freezegun import freeze_time

    from odoo import fields

    today = fields.Date.context_today(env["woow.paas.subscription"])
    Subscription = env["woow.paas.subscription"]
    figures = {}
    for count in (small, size):
        with freeze_time(today - relativedelta(months=1)):
            subs = _make_subscriptions(env, count)
            monthly = subs.filtered(lambda s: s.billing_interval == "month")
            monthly.action_activate()
            trials = _make_subscriptions(env, count, tag="t").filtered(
                lambda s: s.plan_id.trial_days
            )
            trials.action_start_trial()  # 7-day trials that ended three weeks ago
        env.invalidate_all()
        with Counter(env) as renew:
            Subscription._cron_renew_periods(batch_size=count)
        # freezegun also freezes the clock the counter reads: measure outside it.
        with Counter(env) as expire:
            Subscription._cron_expire_trials(batch_size=count * 2)
        assert set(monthly.mapped("current_period_start")) == {today}, "not all renewed"
        # Past due without billing; with it, the first period is invoiced and
        # the subscription runs until dunning decides.
        assert "trial" not in set(trials.mapped("state")), "not all expired"
        figures[count] = (renew, len(monthly), expire, len(trials))
    (r_small, n_small, e_small, t_small), (r_big, n_big, e_big, t_big) = (
        figures[small],
        figures[size],
    )
    yield "renew.queries_per_record", r_big.queries / n_big, "queries", r_small.queries / n_small
    yield (
        "renew.ms_per_record",
        1000 * r_big.seconds / n_big,
        "ms",
        1000 * r_small.seconds / n_small,
    )
    yield "expire.queries_per_record", e_big.queries / t_big, "queries", e_small.queries / t_small
    yield (
        "expire.ms_per_record",
        1000 * e_big.seconds / t_big,
        "ms",
        1000 * e_small.seconds / t_small,
    )
