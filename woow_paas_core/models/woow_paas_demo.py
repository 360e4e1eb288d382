import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

CUSTOMERS = [
    "northwind", "bluefin", "cobalt", "dunmore", "evergreen", "fjord", "granite",
    "helix", "ironbark", "juniper", "kestrel", "lumen", "meridian", "nimbus",
    "orchid", "pioneer", "quartz", "redwood", "saffron", "tidal",
]  # fmt: skip

# (customer, plan, final state, days since it started): 30 subscriptions
# spread over the last year and over every state.
SUBSCRIPTIONS = [
    ("northwind", "growth", "active", 340), ("northwind", "starter", "trial", 6),
    ("bluefin", "business", "active", 300), ("cobalt", "growth", "active", 280),
    ("dunmore", "starter", "active", 260), ("evergreen", "starter", "past_due", 230),
    ("fjord", "growth", "active", 210), ("granite", "enterprise", "active", 200),
    ("helix", "business", "active", 190), ("ironbark", "growth", "suspended", 180),
    ("juniper", "starter", "cancelled", 170), ("kestrel", "growth", "active", 160),
    ("lumen", "starter", "active", 150), ("meridian", "growth", "past_due", 140),
    ("nimbus", "business", "active", 120), ("orchid", "starter", "cancelled", 110),
    ("pioneer", "growth", "active", 95), ("quartz", "enterprise", "active", 80),
    ("redwood", "starter", "suspended", 70), ("saffron", "growth", "active", 60),
    ("tidal", "starter", "trial", 9), ("cobalt", "starter", "cancelled", 362),
    ("helix", "starter", "trial", 3), ("lumen", "growth", "past_due", 45),
    ("pioneer", "starter", "trial", 12), ("quartz", "growth", "draft", 1),
    ("saffron", "starter", "draft", 2), ("tidal", "growth", "suspended", 100),
    ("bluefin", "growth", "trial", 5), ("juniper", "business", "draft", 0),
]  # fmt: skip

CANCEL_REASONS = [
    "Moved to an in-house solution.",
    "Budget cuts for the coming year.",
    "Merged with a company already on another plan.",
]


class WoowPaasDemo(models.AbstractModel):
    """Builds the demo data set of the PaaS app (loaded with demo data only)."""

    _name = "woow.paas.demo"
    _description = "Woow PaaS Demo Data"

    @api.model
    def _populate(self):
        rng = random.Random(2026)
        env = self.env
        today = fields.Date.context_today(self)
        Subscription = env["woow.paas.subscription"]
        Tenant = env["woow.paas.tenant"]
        partner = {key: env.ref(f"woow_paas_core.partner_{key}_demo") for key in CUSTOMERS}
        plan = {
            code: env.ref(f"woow_paas_core.plan_{code}_demo")
            for code in ("starter", "growth", "business", "enterprise")
        }
        users = env.ref("woow_paas_core.user_paas_user_demo") | env.ref(
            "woow_paas_core.user_paas_manager_demo"
        )
        timeline = []  # (subscription, start date)
        used_codes = set()
        for index, (key, plan_code, state, days_ago) in enumerate(SUBSCRIPTIONS):
            start = today - timedelta(days=days_ago)
            sub = Subscription.create(
                {
                    "partner_id": partner[key].id,
                    "plan_id": plan[plan_code].id,
                    "user_id": users[index % 2].id,
                }
            )
            timeline.append((sub, start))
            code = key if key not in used_codes else f"{key}-{plan_code}"
            used_codes.add(code)
            tenant = Tenant.create(
                {"name": f"{partner[key].name} ({plan[plan_code].name})", "code": code,
                 "partner_id": partner[key].id, "subscription_id": sub.id}
            )  # fmt: skip
            if state == "draft":
                continue
            if plan[plan_code].trial_days and (state == "trial" or rng.random() < 0.6):
                sub.action_start_trial()
            if state != "trial":
                sub.action_activate()
            tenant.action_provision()
            if state == "trial":
                continue
            if state == "active" and plan_code == "growth" and rng.random() < 0.4:
                sub.action_change_plan(plan["business"])
                if rng.random() < 0.3:
                    sub.action_change_plan(plan["growth"])
            if state in ("past_due", "suspended"):
                sub.action_mark_past_due()
            if state == "suspended":
                sub.action_suspend()
            if state == "cancelled":
                sub.action_cancel(reason=rng.choice(CANCEL_REASONS))
        # A tenant whose provisioning failed, one still provisioning, one archived.
        extra = Tenant.create(
            [
                {"name": "Bluefin Staging", "code": "bluefin-staging",
                 "partner_id": partner["bluefin"].id, "subscription_id": timeline[2][0].id},
                {"name": "Helix Sandbox", "code": "helix-sandbox",
                 "partner_id": partner["helix"].id, "subscription_id": timeline[8][0].id},
                {"name": "Cobalt Legacy", "code": "cobalt-legacy",
                 "partner_id": partner["cobalt"].id, "subscription_id": timeline[3][0].id},
            ]
        )  # fmt: skip
        extra._paas_transition("provisioning", "tenant.provisioning")
        extra[0]._paas_provision_failed(reason="Template database busy: could not copy it.")
        extra[2]._paas_provisioned()
        extra[2].action_archive()
        self._backdate(timeline, today)

    def _backdate(self, timeline, today):
        """Spread each subscription's dates and events over its own history."""
        cr = self.env.cr
        Event = self.env["woow.paas.event"].sudo()
        for sub, start in timeline:
            vals = {"date_start": start}
            if sub.trial_end_date:
                vals["trial_end_date"] = start + timedelta(days=sub.plan_id.trial_days)
            if sub.current_period_start:
                step = relativedelta(months=1 if sub.billing_interval == "month" else 12)
                period = vals.get("trial_end_date", start)
                while period + step <= today:
                    period += step
                vals.update(
                    period_anchor_date=vals.get("trial_end_date", start),
                    current_period_start=period,
                    current_period_end=period + step,
                )
            if sub.cancel_date:
                vals["cancel_date"] = today - timedelta(days=(today - start).days // 3)
            sub.write(vals)
            events = Event.search(
                ["|", ("subscription_id", "=", sub.id), ("tenant_id", "in", sub.tenant_ids.ids)],
                order="id",
            )
            span = max((today - start).days, 1)
            for rank, event in enumerate(events):
                day = start + timedelta(days=span * rank // max(len(events), 1))
                event.occurred_at = datetime.combine(day, time(9 + rank % 8, 7 * rank % 60))
            if sub.current_period_start:
                self._demo_renewals(sub, vals.get("trial_end_date", start))
            created = datetime.combine(start, time(9, 0))
            cr.execute(
                "UPDATE woow_paas_subscription SET create_date = %s WHERE id = %s",
                (created, sub.id),
            )
            cr.execute(
                "UPDATE woow_paas_tenant SET create_date = %s,"
                " provisioned_date = CASE WHEN provisioned_date IS NULL THEN NULL ELSE %s END"
                " WHERE subscription_id = %s",
                (created, created + timedelta(hours=1), sub.id),
            )
        self.env.invalidate_all()

    def _demo_renewals(self, sub, first_period_start):
        """One ``subscription.renewed`` event per period already elapsed."""
        Event = self.env["woow.paas.event"].sudo()
        step = relativedelta(months=1 if sub.billing_interval == "month" else 12)
        period = first_period_start + step
        end = sub.cancel_date or sub.current_period_start
        while period <= end:
            event = Event._emit(
                "subscription.renewed",
                sub,
                {"period_start": period.isoformat(),
                 "period_end": (period + step).isoformat(),
                 "amount": sub.price, "currency": sub.currency_id.name},
            )  # fmt: skip
            event.occurred_at = datetime.combine(period, time(2, 0))
            period += step
