from datetime import datetime, timedelta, timezone

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInvoicingTour(HttpCase):
    def test_invoicing_tour(self):
        """Subscription billing preview, its invoices, and a billing run
        started from the back office, in a real browser."""
        new_test_user(
            self.env,
            login="tour_paas_biller",
            groups="woow_paas_core.group_paas_manager,account.group_account_invoice",
        )
        partner = self.env["res.partner"].create({"name": "Tour Invoicing Customer"})
        plan = self.env["woow.paas.plan"].create(
            {"name": "Tour Invoiced Plan", "code": "tour-ip", "price": 42.0}
        )
        metric = self.env["woow.paas.metric"].create(
            {"name": "Tour Calls", "code": "tour_inv_calls"}
        )
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": plan.id, "metric_id": metric.id, "unit_price": 0.5}
        )
        sub = self.env["woow.paas.subscription"].create(
            {"partner_id": partner.id, "plan_id": plan.id}
        )
        sub.action_activate()
        tenant = self.env["woow.paas.tenant"].create(
            {"name": "Tour Inv", "code": "tour-inv", "partner_id": partner.id,
             "subscription_id": sub.id}
        )  # fmt: skip
        tenant.action_provision()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.env["woow.paas.usage.event"].ingest(
            [{"tenant": "tour-inv", "metric": "tour_inv_calls", "quantity": 4,
              "timestamp": (now - timedelta(minutes=5)).isoformat(),
              "idempotency_key": "tour-inv-1"}]
        )  # fmt: skip
        self.assertEqual(len(sub.invoice_ids), 1)
        self.start_tour("/odoo", "woow_paas_billing_invoicing_tour", login="tour_paas_biller")
        run = self.env["woow.paas.billing.run"].search([], order="id desc", limit=1)
        self.assertEqual(run.state, "running")
        job = self.env["queue.job"].search(
            [("model_name", "=", "woow.paas.billing.run"), ("method_name", "=", "_run_batch")],
            order="id desc",
            limit=1,
        )
        self.assertEqual(job.method_name, "_run_batch")
        self.assertIn(run.name, job.name)
