from odoo.tests import tagged

from .common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestPricingCurrency(WoowPaasPortalCase):
    """The pricing page's choice of currency (core: plans sold in different
    currencies; the billing bridge adds the plans' other prices)."""

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.text

    def test_currency_picker(self):
        """Plans sold in two currencies: the page offers both, shows the
        amounts of the chosen one and remembers it; an unknown code shows
        the default; nothing odd in the parameter makes a 500."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["woow.paas.plan"].create(
            {"name": "Euro Plan", "code": "euro-plan", "price": 42.0, "trial_days": 7,
             "currency_id": eur.id}
        )  # fmt: skip
        html = self._page("/paas/plans")
        self.assertIn("o_paas_currency_picker", html)
        self.assertIn('href="/paas/plans?currency=EUR"', html)
        self.assertIn("Test Monthly", html)
        self.assertNotIn("Euro Plan", html)
        html = self._page("/paas/plans?currency=EUR")
        self.assertIn("Euro Plan", html)
        self.assertNotIn("Test Monthly", html)
        self.assertRegex(html, r'aria-current="true"[^>]*data-currency="EUR"')
        self.assertIn("42.00", html)
        # Remembered in the session, and carried to the sign-up.
        self.assertIn("Euro Plan", self._page("/paas/plans"))
        self.assertRegex(self._page("/paas/signup?plan=euro-plan"),
                         r'o_paas_signup_price" data-currency="EUR"')  # fmt: skip
        for code in ("XYZ", "", "<script>", "E" * 500, "%00"):
            response = self.url_open(f"/paas/plans?currency={code}")
            self.assertEqual(response.status_code, 200, code)
        # An unknown code goes back to the default, and stays there.
        self.assertIn("Test Monthly", self._page("/paas/plans?currency=XYZ"))
        self.assertIn("Test Monthly", self._page("/paas/plans"))
        self.assertIn("Euro Plan", self._page("/paas/plans?currency=eur"))
        response = self.url_open("/paas/plans?currency=EUR&currency=USD")
        self.assertEqual(response.status_code, 200)
