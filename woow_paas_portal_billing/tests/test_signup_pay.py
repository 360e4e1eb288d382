import re

from odoo.tests import tagged

from odoo.addons.woow_paas_portal.tests.common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestSignupPayNow(WoowPaasPortalCase):
    """Pay now at sign-up: the subscription waits in draft for a saved
    payment method; confirming activates it once (first invoice posted) and
    provisions the tenant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Test Tokens",
                "code": "none",
                "state": "test",
                "allow_tokenization": True,
                "is_published": True,
            }
        )

    def _pay_now(self, nonce="pay-now-nonce-0001"):
        response = self.url_open("/paas/signup/tenant?plan=test-monthly")
        self.assertIn('value="pay"', response.text, "no Pay now choice")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
        return self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": nonce, "plan": "test-monthly",
                  "tenant_name": "Paid Prod", "tenant_code": "paid-prod", "start": "pay"},
            allow_redirects=False,
        )  # fmt: skip

    def _token(self):
        return self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_card").id,
                "partner_id": self.customer_a.id,
                "provider_ref": "test-ref",
                "payment_details": "4242",
            }
        )

    def test_pay_now_waits_for_a_method_then_starts_once(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._pay_now()
        self.assertEqual(response.status_code, 303, response.text[:500])
        signup = self.env["woow.paas.signup"].search([("nonce", "=", "pay-now-nonce-0001")])
        self.assertTrue(response.headers["Location"].endswith(f"/paas/signup/{signup.id}/pay"))
        self.assertEqual(signup.subscription_id.state, "draft")
        self.assertEqual(signup.tenant_id.state, "draft", "no tenant before the payment")

        page = self.url_open(f"/paas/signup/{signup.id}/pay")
        self.assertIn(f"/my/payment_method?paas_signup={signup.id}", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        self.assertIsNone(csrf, "no confirm button without a saved method")
        # Odoo's payment form takes the sign-up along (its landing route;
        # the card tour of woow_paas_billing_stripe drives that form).
        self.assertEqual(
            self.url_open(f"/my/payment_method?paas_signup={signup.id}").status_code, 200
        )

        self._token()
        page = self.url_open(f"/paas/signup/{signup.id}/pay")
        self.assertIn("Start my subscription", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        for _click in range(2):
            response = self.url_open(
                f"/paas/signup/{signup.id}/pay", data={"csrf_token": csrf}, allow_redirects=False
            )
            self.assertEqual(response.status_code, 303)
            self.assertTrue(response.headers["Location"].endswith(f"/paas/signup/{signup.id}"))
        subscription = signup.subscription_id
        self.assertEqual(subscription.state, "active")
        self.assertIn(signup.tenant_id.state, ("provisioning", "active"))
        invoices = subscription.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "period")
        self.assertEqual(len(invoices), 1, "a double click invoices once")
        self.assertEqual(invoices.state, "posted")
        # Once started, the payment page only leads to the progress page.
        again = self.url_open(f"/paas/signup/{signup.id}/pay", allow_redirects=False)
        self.assertEqual(again.status_code, 303)

    def test_pay_page_is_the_owners_only(self):
        self.authenticate("test_portal_a", "test_portal_a")
        self._pay_now("pay-now-nonce-0002")
        signup = self.env["woow.paas.signup"].search([("nonce", "=", "pay-now-nonce-0002")])
        self.authenticate("test_portal_b", "test_portal_b")
        self.assertEqual(self.url_open(f"/paas/signup/{signup.id}/pay").status_code, 404)
        self.assertEqual(
            self.url_open(
                f"/paas/signup/{signup.id}/pay", data={"csrf_token": "x"}, allow_redirects=False
            ).status_code,
            400,
            "a forged confirm is refused",
        )
        self.authenticate(None, None)
        response = self.url_open(f"/paas/signup/{signup.id}/pay", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_no_pay_now_without_a_published_provider(self):
        """A provider customers cannot see (unpublished: Odoo's payment form
        hides it from them) offers no Pay now: the customer could not save
        a method."""
        self.provider.is_published = False
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open("/paas/signup/tenant?plan=test-monthly")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('value="pay"', response.text)
        self.provider.is_published = True
        response = self.url_open("/paas/signup/tenant?plan=test-monthly")
        self.assertIn('value="pay"', response.text)
