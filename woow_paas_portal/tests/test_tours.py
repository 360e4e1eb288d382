import re
from urllib.parse import urlsplit

from odoo.tests import tagged

from .common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestPortalTours(WoowPaasPortalCase):
    def test_signup_tour(self):
        """From the pricing page to an active tenant on a trial, in the
        browser, through the emailed confirmation link."""
        self._tenant("taken-code", self._subscription(self.customer_b))
        self.start_tour("/paas/plans", "woow_paas_portal_signup_account_tour")
        user = self.env["res.users"].search([("login", "=", "tina@tour.example.com")])
        self.assertTrue(user)
        mail = self.env["mail.mail"].search([("recipient_ids", "in", user.partner_id.ids)])
        link = re.search(r'href="([^"]*/web/signup\?[^"]+)"', mail.body_html).group(1)
        link = link.replace("&amp;", "&")
        parts = urlsplit(link)
        self.start_tour(f"{parts.path}?{parts.query}", "woow_paas_portal_signup_tenant_tour")
        customer = user.partner_id.commercial_partner_id
        self.assertEqual(customer.name, "Tour Shop Ltd")
        subs = self.env["woow.paas.subscription"].search(
            [("commercial_partner_id", "=", customer.id)]
        )
        self.assertEqual(len(subs), 1)
        self.assertEqual(subs.state, "trial")
        self.assertEqual(subs.plan_id, self.plan_monthly)
        self.assertEqual(subs.tenant_ids.code, "tour-shop")
        self.assertEqual(subs.tenant_ids.state, "active")

    def test_pricing_toggle_tour(self):
        """The monthly/yearly toggle switches prices, saving and sign-up plan."""
        self.start_tour("/paas/plans", "woow_paas_portal_pricing_toggle_tour")
