from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.payment import utils as payment_utils
from odoo.addons.queue_job.exception import RetryableJobError

from ..const import PARAM_API_BASE
from .common import CARD_DECLINED_AT_ATTACH, CARD_OK, WoowPaasStripeCase


@tagged("post_install", "-at_install")
class TestPaymentCycle(WoowPaasStripeCase):
    def test_full_cycle(self):
        """Card saved through a SetupIntent, trial ends, invoice posted and
        charged off-session, payment reconciled, invoice paid, events emitted."""
        token = self._save_card(CARD_OK)
        self.assertTrue(token.provider_ref.startswith("cus_"))
        self.assertTrue(token.stripe_payment_method.startswith("pm_"))
        self.assertEqual(token.payment_details, "4242")
        self.assertEqual(str(token.paas_card_expiry), "2031-12-31")
        self.assertEqual(self.sub._paas_payment_token(), token, "the latest card is the default")

        # The trial ends: billing invoices the first period and posts it.
        self.sub._paas_on_trial_expired()
        self.assertEqual(self.sub.state, "active")
        move = self.env["account.move"].search([("paas_subscription_id", "=", self.sub.id)])
        self.assertTrue(move.amount_total)
        self.assertEqual(move.state, "posted")
        self.assertEmitted(move, "invoice.posted", count=1)
        self.assertEqual(len(self._charge_jobs(move)), 1, "posting enqueues one charge job")
        [tx] = self._run_due_jobs(move)

        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.operation, "offline")
        self.assertEqual(tx.token_id, token)
        self.assertEqual(tx.invoice_ids, move)
        self.assertEqual(tx.reference, f"{move.name}-1")
        self.assertTrue(tx.provider_reference.startswith("pi_"))
        self.assertTrue(tx.payment_id, "Odoo's post-processing created the payment")
        self.assertEqual(tx.payment_id.state, "paid")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertTrue(
            move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).reconciled
        )
        [intent] = self._intents_for(tx)
        self.assertEqual(intent.status, "succeeded")
        self.assertEqual(intent.amount, round(move.amount_total * 100))
        paid = self.assertEmitted(move, "invoice.paid", count=1)
        self.assertEqual(paid.payload["amount"], move.amount_total)
        self.assertEqual(paid.payload["attempt"], 1)
        self.assertFalse(self._events(move, "payment.failed"))
        self.assertEqual(self.sub.state, "active")

    def test_charge_run_twice_charges_once(self):
        """The same charge job run twice, and a request replayed with the same
        idempotency key, leave one PaymentIntent and one payment."""
        self._save_card(CARD_OK)
        move = self._post_invoice()
        job = self._charge_jobs(move)
        [tx] = self._run_due_jobs(move)
        self.assertFalse(move._paas_charge(1), "a second run of attempt 1 does nothing")
        # The request itself, sent again with its idempotency key, is replayed.
        before = self._localstripe_counts().get("payment_intent", 0)
        tx.provider_id._send_api_request(
            "POST", "payment_intents",
            data=tx._stripe_prepare_payment_intent_payload(),
            offline=True,
            idempotency_key=payment_utils.generate_idempotency_key(tx, scope="payment_intents"),
        )  # fmt: skip
        self.assertEqual(self._localstripe_counts().get("payment_intent", 0), before)
        self.assertEqual(len(self._intents_for(tx)), 1)
        self.assertEqual(len(self.env["payment.transaction"].search(
            [("invoice_ids", "in", move.ids)])), 1)  # fmt: skip
        self.assertEqual(len(move.matched_payment_ids | tx.payment_id), 1)
        self.assertEqual(job.state, "done")

    def test_two_jobs_for_one_invoice(self):
        """Enqueueing attempt 1 again while its job waits adds no job."""
        self._save_card(CARD_OK)
        move = self._post_invoice()
        move._paas_enqueue_charge(1)
        move._paas_enqueue_charge(1)
        self.assertEqual(len(self._charge_jobs(move)), 1)

    def test_no_saved_method_manual_path(self):
        """No saved method: the invoice stays open with a clear message, and a
        payment registered by hand counts as paid."""
        move = self._post_invoice()
        self.assertFalse(self._charge_jobs(move), "nothing to charge: no job")
        self.assertFalse(move._paas_charge(1), "a charge finds no method either")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertFalse(self.env["payment.transaction"].search([("invoice_ids", "in", move.ids)]))
        self.assertEqual(
            len(move.message_ids.filtered(lambda m: "No saved payment method" in m.body)), 1
        )
        self.assertNotIn("No saved payment method", "".join(self.sub.message_ids.mapped("body")))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEmitted(move, "invoice.paid", count=1)

    def test_provider_down_retried_later(self):
        """localstripe unreachable: no attempt counted, no failure, the job is
        postponed; once it answers again the same transaction (same reference,
        same idempotency key) is charged."""
        self._save_card(CARD_OK)
        move = self._post_invoice()
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_BASE, "http://127.0.0.1:9")
        [error] = self._run_due_jobs(move)
        self.assertIsInstance(error, RetryableJobError)
        waiting = self.env["payment.transaction"].search([("invoice_ids", "in", move.ids)])
        self.assertEqual(waiting.state, "draft")
        self.assertFalse(waiting.provider_reference)
        self.assertEqual(move.paas_payment_attempt, 0)
        self.assertFalse(self._events(move, "payment.failed"))
        self.assertEqual(self.sub.state, "trial", "not moved to past due")
        job = self._charge_jobs(move)
        self.assertEqual(job.state, "pending")
        self.assertTrue(job.eta, "postponed")
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_BASE, self.api_base)
        job.eta = False
        [tx] = self._run_due_jobs(move)
        self.assertEqual(tx, waiting)
        self.assertEqual(tx.state, "done")
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_card_declined_when_saved(self):
        """A card declined at attach time is refused with one clear sentence."""
        with self.assertRaisesRegex(UserError, "declined"):
            self._save_card(CARD_DECLINED_AT_ATTACH)
        self.assertFalse(
            self.env["payment.token"].search([("partner_id", "=", self.customer_a.id)])
        )

    def test_api_base_only_in_test_mode(self):
        """A provider in production always talks to Stripe itself."""
        self.assertEqual(self.provider._paas_stripe_api_base(), self.api_base)
        self.assertTrue(
            self.provider._build_request_url("payment_intents").startswith(self.api_base)
        )
        self.provider.state = "disabled"
        self.assertEqual(self.provider._paas_stripe_api_base(), "https://api.stripe.com")
