from odoo.tests import HttpCase, tagged

from .common import WoowPaasStripeCase


@tagged("post_install", "-at_install")
class TestSaveCardTour(WoowPaasStripeCase, HttpCase):
    """A customer saves a card on Odoo's /my/payment_method in headless
    Chromium, against localstripe (its Stripe.js and API)."""

    def test_save_card_in_browser_charges_waiting_invoice(self):
        """The card typed in the browser becomes a Stripe token set on the
        subscription, and the invoice that went to the manual path (no card
        when it was posted) is charged."""
        self.provider.is_published = True
        self.sub.action_activate()
        move = self.sub.sudo().invoice_ids.filtered(lambda m: m.paas_invoice_kind == "period")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.paas_payment_attempt, 1, "the manual path: no card yet")
        self.assertFalse(move.transaction_ids)
        self.assertFalse(self._charge_jobs(move))
        self.start_tour(
            "/my/payment_method", "woow_paas_billing_stripe_save_card_tour", login="test_portal_a"
        )
        token = self.env["payment.token"].search(
            [("partner_id", "child_of", self.customer_a.id), ("provider_id", "=", self.provider.id)]
        )
        self.assertEqual(len(token), 1)
        self.assertTrue(token.provider_ref.startswith("cus_"))
        self.assertTrue(token.stripe_payment_method.startswith("pm_"))
        self.assertEqual(token.payment_details, "4242")
        self.assertEqual(token.paas_card_expiry.isoformat(), "2030-12-31")
        self.assertEqual(self.sub.payment_token_id, token)
        self.assertEqual(len(self._charge_jobs(move)), 1)
        self._run_due_jobs(move)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(move.transaction_ids.token_id, token)
