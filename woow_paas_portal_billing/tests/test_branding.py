from odoo.tests import tagged

from odoo.addons.woow_paas_portal.tests.common import WoowPaasBrandingMixin

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestBillingPagesBranded(WoowPaasBrandingMixin, WoowPaasPortalBillingCase):
    """The billing pages of the portal carry the white label too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._brand_company()

    def test_billing_pages_branded(self):
        self.authenticate("test_portal_a", "test_portal_a")
        for url in ("/my/usage", "/my/invoices", f"/my/subscriptions/{self.sub_a.id}",
                    "/my/payment_method"):  # fmt: skip
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertBranded(response.text, url)
        invoice = self.env["account.move"].search(
            [("paas_subscription_id", "=", self.sub_a.id), ("state", "=", "posted")], limit=1
        )
        self.assertTrue(invoice)
        response = self.url_open(f"/my/invoices/{invoice.id}")
        self.assertEqual(response.status_code, 200)
        # The invoice names its issuer (the company); the page is the brand's.
        self.assertBranded(response.text, "invoice", company_name=True)
        self.assertIn("o_paas_sidebar_brand", response.text)
