from datetime import datetime, timedelta, timezone

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUsageTour(HttpCase):
    def test_metric_tour(self):
        """A PaaS Manager creates a unique-count metric (which asks for the
        property it counts) from Usage > Metrics in a real browser, then opens
        the usage events as a list, a pivot and a graph, the daily usage, and
        a plan's metered prices."""
        new_test_user(
            self.env, login="tour_paas_manager", groups="woow_paas_core.group_paas_manager"
        )
        partner = self.env["res.partner"].create({"name": "Tour Usage Customer"})
        plan = self.env["woow.paas.plan"].create({"name": "Tour Metered Plan", "code": "tour-mp"})
        metric = self.env["woow.paas.metric"].create({"name": "Tour Calls", "code": "tour_calls"})
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": plan.id, "metric_id": metric.id, "unit_price": 0.01}
        )
        sub = self.env["woow.paas.subscription"].create(
            {"partner_id": partner.id, "plan_id": plan.id}
        )
        sub.action_activate()
        tenant = self.env["woow.paas.tenant"].create(
            {"name": "Tour Tenant", "code": "tour-tenant", "partner_id": partner.id,
             "subscription_id": sub.id}
        )  # fmt: skip
        tenant.action_provision()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        results = self.env["woow.paas.usage.event"].ingest(
            [
                {"tenant": "tour-tenant", "metric": "tour_calls", "quantity": n + 1,
                 "timestamp": (now - timedelta(hours=n * 7)).isoformat(),
                 "idempotency_key": f"tour-{n}"}
                for n in range(12)
            ]
        )  # fmt: skip
        self.assertEqual({r["status"] for r in results}, {"accepted"})
        self.start_tour("/odoo", "woow_paas_billing_metric_tour", login="tour_paas_manager")
        metric = self.env["woow.paas.metric"].search([("code", "=", "tour_logins")])
        self.assertEqual(metric.name, "Tour Logins")
        self.assertEqual(metric.aggregation, "unique_count")
        self.assertEqual(metric.property_key, "user_id")
