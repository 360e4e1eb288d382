import random
from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta

from odoo import api, models

BATCH = 1000


class WoowPaasDemo(models.AbstractModel):
    _inherit = "woow.paas.demo"

    @api.model
    def _populate_usage(self, days=28):
        """Four weeks of usage for every running demo tenant, sent through
        :meth:`woow.paas.usage.event.ingest` like a real platform would (one
        key per event, so loading the demo twice adds nothing)."""
        rng = random.Random(2026)
        tenants = self.env["woow.paas.tenant"].search(
            [("state", "in", ("active", "suspended"))], order="id"
        )
        now = datetime.now(timezone.utc).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        events = []
        for tenant in tenants:
            size = rng.choice((1, 2, 4, 8))
            storage = rng.uniform(0.5, 3.0) * size
            seats = rng.randint(2, 4) * size
            team = [f"user-{n}" for n in range(seats * 2)]
            for day in range(days, 0, -1):
                start = now - timedelta(days=day)
                key = f"demo-{tenant.code}-{day}"
                for slot in range(4):
                    events.append(self._demo_usage(
                        tenant, "api_calls", rng.randint(50, 400) * size,
                        start + timedelta(hours=6 * slot), f"{key}-api-{slot}",
                    ))  # fmt: skip
                storage = max(storage + rng.uniform(-0.2, 0.4) * size, 0.1)
                events.append(
                    self._demo_usage(tenant, "storage_gb", round(storage, 3), start,
                                     f"{key}-storage")
                )  # fmt: skip
                if day % 7 == 0:
                    seats = max(seats + rng.choice((-1, 0, 1, 2)), 1)
                    events.append(self._demo_usage(tenant, "seats", seats, start, f"{key}-seats"))
                for user in rng.sample(team, k=rng.randint(1, min(len(team), 6))):
                    events.append(self._demo_usage(
                        tenant, "active_users", 1, start + timedelta(hours=9),
                        f"{key}-login-{user}", {"user_id": user},
                    ))  # fmt: skip
        Usage = self.env["woow.paas.usage.event"]
        for start in range(0, len(events), BATCH):
            Usage.ingest(events[start : start + BATCH])

    @api.model
    def _populate_invoices(self):
        """Invoice the current period of every paying demo subscription, with
        the usage of the period before it, as renewals do (idempotent: a
        period is invoiced once)."""
        subs = self.env["woow.paas.subscription"].search(
            [("state", "in", ("active", "past_due")), ("current_period_start", "!=", False)],
            order="id",
        )
        periods = []
        for sub in subs:
            start = sub.current_period_start
            months = 12 if sub.billing_interval == "year" else 1
            previous = start - relativedelta(months=months)
            periods.append((sub, (start, sub.current_period_end), (previous, start)))
        self.env["woow.paas.subscription"]._paas_invoice_periods(periods)
        # The past-due demo subscriptions are so because their card was
        # declined: the dashboard's failed payments and amount at risk show it.
        for sub in subs.filtered(lambda s: s.state == "past_due"):
            invoice = sub.invoice_ids.filtered(lambda m: m.state == "posted")[-1:]
            if invoice:
                self.env["woow.paas.event"]._emit(
                    "payment.failed",
                    invoice,
                    {
                        "invoice": invoice.name,
                        "amount": invoice.amount_total,
                        "currency": invoice.currency_id.name,
                        "attempt": 1,
                        "reason": "Your card was declined. (demo)",
                        "provider": "demo",
                    },
                )

    @api.model
    def _demo_usage(self, tenant, metric, quantity, stamp, key, properties=None):
        event = {
            "tenant": tenant.code,
            "metric": metric,
            "quantity": quantity,
            "timestamp": stamp.isoformat() + "Z",
            "idempotency_key": key,
        }
        if properties:
            event["properties"] = properties
        return event
