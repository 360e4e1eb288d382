from odoo.tests import HttpCase, tagged

from .common import WoowPaasStripeCase


@tagged("post_install", "-at_install")
class TestSaveCardTour(WoowPaasStripeCase, HttpCase):
    """A customer saves a card on Odoo's /my/payment_method, or pays an
    invoice with a new card, in headless Chromium, against localstripe (its
    Stripe.js and API)."""

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

    def test_pay_invoice_in_browser(self):
        """A customer with no saved card opens an open invoice from the
        portal, clicks Pay Now and pays with 4242: the PaymentIntent is
        charged at localstripe, the invoice is paid by Odoo's payment, once."""
        self.provider.is_published = True
        move = self._post_invoice(amount=42.0)
        self.assertFalse(move.transaction_ids, "the manual path: no card, no charge")
        self.assertTrue(move._has_to_be_paid())
        self.start_tour(
            "/my/invoices", "woow_paas_billing_stripe_pay_invoice_tour", login="test_portal_a"
        )
        tx = move.transaction_ids
        self.assertEqual(len(tx), 1)
        self.assertEqual((tx.provider_id, tx.operation, tx.state),
                         (self.provider, "online_direct", "done"))  # fmt: skip
        self.assertEqual(tx.amount, 42.0)
        self.assertTrue(tx.payment_id, "post-processed: an account.payment")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertTrue(move.currency_id.is_zero(move.amount_residual))
        intent = self._stripe().v1.payment_intents.retrieve(tx.provider_reference)
        self.assertEqual((intent.status, intent.amount, intent.description),
                         ("succeeded", 4200, tx.reference))  # fmt: skip
        self.assertFalse(tx.token_id, "the card was not asked to be saved")
        paid = self.env["woow.paas.event"].search(
            [("event_type", "=", "invoice.paid"), ("res_model", "=", "account.move"),
             ("res_id", "=", move.id)]
        )  # fmt: skip
        self.assertEqual(len(paid), 1)
