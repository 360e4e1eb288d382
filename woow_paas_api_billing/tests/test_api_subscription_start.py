"""POST /api/v1/subscriptions with a customer's own key: a paid plan starts
active only with a saved payment method of the customer, else as the plan's
trial (once per plan), else 409 with nothing made."""

from odoo.tests import tagged

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase


@tagged("post_install", "-at_install")
class TestApiSubscriptionStart(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["payment.provider"].create(
            {"name": "Test Tokens", "code": "none", "state": "test", "allow_tokenization": True}
        )

    def _token(self, partner):
        return self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_card").id,
                "partner_id": partner.id,
                "provider_ref": f"test-ref-{partner.id}",
                "payment_details": "4242",
            }
        )

    def _subs(self, partner, plan):
        return self.env["woow.paas.subscription"].search(
            [("commercial_partner_id", "=", partner.id), ("plan_id", "=", plan.id)]
        )

    def _create(self, key, plan, start):
        return self.api("POST", "/api/v1/subscriptions", key, {"plan": plan, "start": start})

    def test_paid_plan_without_method_refused(self):
        """A plan without trial, asked active by a customer without a saved
        method: 409, no subscription, no tenant, no invoice."""
        self._token(self.customer_b)  # another customer's card counts for nothing
        invoices = self.env["account.move"].search_count([])
        problem = self.assertProblem(self._create(self.key_a, "test-yearly", "active"), 409)
        self.assertIn("payment method", problem["detail"])
        self.assertFalse(self._subs(self.customer_a, self.plan_yearly))
        self.assertEqual(self.env["account.move"].search_count([]), invoices)

    def test_paid_plan_without_method_gets_its_trial_once(self):
        """Asked active without a method, a plan with a trial starts as the
        trial; a second trial of the same plan is refused."""
        created = self._create(self.key_a, "test-monthly", "active")
        self.assertEqual(created.status_code, 201, created.text)
        self.assertEqual(created.json()["state"], "trial")
        self.assertFalse(self._subs(self.customer_a, self.plan_monthly).sudo().invoice_ids)
        for start in ("trial", "active"):
            problem = self.assertProblem(self._create(self.key_a, "test-monthly", start), 409)
            self.assertIn("already had the free trial", problem["detail"])
        self.assertEqual(len(self._subs(self.customer_a, self.plan_monthly)), 1)

    def test_paid_plan_with_method_starts_active(self):
        self._token(self.contact_a)
        created = self._create(self.key_a, "test-yearly", "active")
        self.assertEqual(created.status_code, 201, created.text)
        self.assertEqual(created.json()["state"], "active")
        sub = self._subs(self.customer_a, self.plan_yearly)
        self.assertEqual(sub.sudo().invoice_ids.state, "posted")

    def test_operator_starts_paid_plan_for_a_customer(self):
        """Operators keep starting what they ask (the customer pays by
        transfer, or adds a method later)."""
        created = self.api("POST", "/api/v1/subscriptions", self.operator_key,
                           {"plan": "test-yearly", "customer_id": self.customer_a.id,
                            "start": "active"})  # fmt: skip
        self.assertEqual(created.status_code, 201, created.text)
        self.assertEqual(created.json()["state"], "active")
