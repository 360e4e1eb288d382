import re
from unittest.mock import patch

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.woow_paas_portal.tests.common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestPricingCurrency(WoowPaasPortalCase):
    """The pricing page offers the currencies the plans are sold in that
    billing can bill a new customer in (Odoo's pricelists), and the sign-up
    continues in the one chosen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.usd = cls.env.company.currency_id
        Price = cls.env["woow.paas.plan.price"]
        Price.create({"plan_id": cls.plan_monthly.id, "currency_id": cls.eur.id, "price": 27.0})
        Price.create(
            {"plan_id": cls.plan_monthly_yearly.id, "currency_id": cls.eur.id, "price": 270.0}
        )

    @classmethod
    def _enable_pricelists(cls):
        cls.env.ref("base.group_user").implied_ids = [
            Command.link(cls.env.ref("product.group_product_pricelist").id)
        ]
        Pricelist = cls.env["product.pricelist"]
        Pricelist.create({"name": "USD customers", "currency_id": cls.usd.id, "sequence": 1})
        return Pricelist.create(
            {"name": "EUR customers", "currency_id": cls.eur.id, "sequence": 20}
        )

    def _card(self, html, code):
        """The HTML of the pricing card of plan ``code``."""
        match = re.search(rf'data-plan-code="{code}".*?</article>', html, re.DOTALL)
        return match and match.group(0)

    def _assert_usd_only(self):
        for url in ("/paas/plans", "/paas/plans?currency=EUR"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("o_paas_currency_picker", response.text)
            self.assertIn("30.00", self._card(response.text, "test-monthly"))
            self.assertNotIn("27.00", response.text)

    def test_no_eur_pricelist_no_eur(self):
        """Billing bills a customer in their pricelist's currency: without
        an EUR pricelist (or with pricelists disabled) nobody can be billed
        in EUR, so EUR is not offered, whatever the visitor asks."""
        self._assert_usd_only()
        self._enable_pricelists()
        Groups = type(self.env["res.groups"])
        with patch.object(Groups, "_is_feature_enabled", lambda self, group: False):
            self._assert_usd_only()

    def test_picker_amounts_and_default(self):
        """EUR is offered with an EUR pricelist: the amounts change, plans
        not sold in EUR are left out, an unknown code shows the default."""
        self._enable_pricelists()
        html = self.url_open("/paas/plans").text
        self.assertIn('href="/paas/plans?currency=EUR"', html)
        card = self._card(html, "test-monthly")
        self.assertIn("30.00", card)
        self.assertIn("300.00", card)
        response = self.url_open("/paas/plans?currency=EUR")
        self.assertEqual(response.status_code, 200)
        card = self._card(response.text, "test-monthly")
        self.assertIn("27.00", card)
        self.assertIn("270.00", card)
        self.assertIn("€", card)
        self.assertNotIn("30.00", card)
        # Test Yearly has no EUR price: not offered in EUR.
        self.assertNotIn('data-plan-code="test-yearly"', response.text)
        usd_page = self.url_open("/paas/plans?currency=USD").text
        self.assertIn('data-plan-code="test-yearly"', usd_page)
        for code in ("XYZ", "", "%00", "E" * 300):
            response = self.url_open(f"/paas/plans?currency={code}")
            self.assertEqual(response.status_code, 200, code)
            self.assertIn("30.00", self._card(response.text, "test-monthly"), code)

    def test_signup_continues_in_the_chosen_currency(self):
        """A new customer who chose EUR sees the EUR price at each step and
        subscribes in EUR: they get the EUR pricelist."""
        pricelist_eur = self._enable_pricelists()
        new_test_user(self.env, login="eur_newcomer", groups="base.group_portal",
                      password="eur_newcomer")  # fmt: skip
        self.authenticate("eur_newcomer", "eur_newcomer")
        self.url_open("/paas/plans?currency=EUR")
        page = self.url_open("/paas/signup/tenant?plan=test-monthly").text
        self.assertIn('o_paas_signup_price" data-currency="EUR"', page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        nonce = self._form_nonce(page)
        response = self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": nonce, "plan": "test-monthly",
                  "tenant_name": "Euro Prod", "tenant_code": "euro-prod", "start": "trial"},
            allow_redirects=False,
        )  # fmt: skip
        self.assertEqual(response.status_code, 303, response.text[:500])
        signup = self.env["woow.paas.signup"].search([("tenant_code", "=", "euro-prod")])
        self.assertEqual(signup.subscription_id.currency_id, self.eur)
        self.assertEqual(signup.subscription_id.price, 27.0)
        partner = signup.user_id.partner_id.commercial_partner_id
        self.assertEqual(partner.property_product_pricelist, pricelist_eur)

    def test_existing_customer_keeps_their_currency(self):
        """A customer who already pays in USD signs up in USD whatever they
        chose on the pricing page, and keeps their pricelist."""
        self._enable_pricelists()
        self._subscription(self.customer_a, plan=self.plan_yearly).action_activate()
        self.authenticate("test_portal_a", "test_portal_a")
        self.url_open("/paas/plans?currency=EUR")
        page = self.url_open("/paas/signup/tenant?plan=test-monthly").text
        self.assertIn('o_paas_signup_price" data-currency="USD"', page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": self._form_nonce(page), "plan": "test-monthly",
                  "tenant_name": "Dollar Prod", "tenant_code": "dollar-prod", "start": "trial"},
            allow_redirects=False,
        )  # fmt: skip
        signup = self.env["woow.paas.signup"].search([("tenant_code", "=", "dollar-prod")])
        self.assertEqual(signup.subscription_id.currency_id, self.usd)
        self.assertNotEqual(self.customer_a.property_product_pricelist.currency_id, self.eur)
