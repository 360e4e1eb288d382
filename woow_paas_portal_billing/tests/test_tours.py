from odoo.tests import tagged

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestPortalBillingTours(WoowPaasPortalBillingCase):
    def test_upgrade_tour(self):
        """In a browser: choose a dearer plan, read its proration, confirm."""
        preview = self.sub_a._paas_plan_change_preview(self.plan_up)
        self.start_tour(
            f"/my/subscriptions/{self.sub_a.id}",
            "woow_paas_portal_billing_upgrade_tour",
            login="test_portal_a",
        )
        self.assertEqual(self.sub_a.plan_id, self.plan_up)
        proration = self.env["account.move"].search(
            [("paas_subscription_id", "=", self.sub_a.id), ("paas_invoice_kind", "=", "proration")]
        )
        self.assertEqual(len(proration), 1)
        self.assertAlmostEqual(proration.amount_untaxed, preview["total"])

    def test_cancel_at_period_end_tour(self):
        """In a browser: cancel at the end of the period, then keep renewing."""
        self.start_tour(
            f"/my/subscriptions/{self.sub_a.id}",
            "woow_paas_portal_billing_cancel_tour",
            login="test_portal_a",
        )
        self.assertTrue(self.sub_a.paas_cancel_at_period_end)
        self.assertEqual(self.sub_a.state, "active")
