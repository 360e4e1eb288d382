import time

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open, mute_logger

from ..const import OLD_DEMO_WEBHOOK_SECRET
from .common import CARD_OK, WoowPaasStripeCase

WEBHOOK = "/payment/stripe/webhook"


@tagged("post_install", "-at_install")
class TestStripeWebhook(WoowPaasStripeCase, HttpCase):
    def _notify(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        return self.url_open(WEBHOOK, data=body, headers=headers)

    def _pending_charge(self):
        """A charge whose answer never reached Odoo: the PaymentIntent
        succeeded at localstripe, the transaction is still a draft."""
        token = self._save_card(CARD_OK)
        move = self._post_invoice()
        tx = self.env["payment.transaction"].create(
            move._paas_transaction_vals(token, f"{move.name}-1", 1)
        )
        intent = self.provider._send_api_request(
            "POST", "payment_intents", data=tx._stripe_prepare_payment_intent_payload()
        )
        self.assertEqual(intent["status"], "succeeded")
        self.assertEqual(intent["description"], tx.reference)
        return move, tx, intent

    def test_notification_twice_records_one_payment(self):
        """A signed payment_intent.succeeded delivered twice confirms the
        transaction and records one payment."""
        move, tx, intent = self._pending_charge()
        body = self._event_body("payment_intent.succeeded", intent)
        for _attempt in range(2):
            response = self._notify(body, self._sign(body))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(tx.state, "done")
            tx._post_process()  # What the post-processing cron does.
        payments = self.env["account.payment"].search([("payment_transaction_id", "=", tx.id)])
        self.assertEqual(len(payments), 1)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEmitted(move, "invoice.paid", count=1)

    @mute_logger("odoo.addons.woow_paas_billing_stripe.controllers.main")
    def test_forged_and_stale_signatures_refused(self):
        """A wrong secret, a stale timestamp or no signature: 403, nothing changes."""
        _move, tx, intent = self._pending_charge()
        body = self._event_body("payment_intent.succeeded", intent)
        for signature in (
            self._sign(body, secret="whsec_forged"),
            self._sign(body, timestamp=time.time() - 11 * 60),
            self._sign(body.replace("succeeded", "succeeded "), timestamp=time.time()),
            "t=garbage,v1=00",
            None,
        ):
            response = self._notify(body, signature)
            self.assertEqual(response.status_code, 403, signature)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.payment_id)

    def test_unknown_payment_intent(self):
        """A signed notification for a PaymentIntent Odoo never made is
        acknowledged and ignored; unsigned, it is refused."""
        intent = {"id": "pi_unknown", "object": "payment_intent", "description": "NOPE-1",
                  "status": "succeeded", "amount": 100, "currency": "usd"}  # fmt: skip
        body = self._event_body("payment_intent.succeeded", intent)
        before = self.env["payment.transaction"].search_count([])
        self.assertEqual(self._notify(body, self._sign(body)).status_code, 200)
        self.assertEqual(self.env["payment.transaction"].search_count([]), before)
        with mute_logger("odoo.addons.woow_paas_billing_stripe.controllers.main"):
            self.assertEqual(self._notify(body, self._sign(body, "whsec_x")).status_code, 403)

    @mute_logger("odoo.addons.woow_paas_billing_stripe.controllers.main")
    def test_demo_webhook_secret_drawn_per_database(self):
        """The demo data publishes no webhook secret: loading it draws one
        for the database (kept when the demo data loads again), and a
        notification signed with the secret the demo once shipped is refused."""
        with file_open("woow_paas_billing_stripe/demo/payment_provider_demo.xml") as demo:
            self.assertNotIn('name="stripe_webhook_secret"', demo.read())
        Provider = self.env["payment.provider"]
        self.provider.stripe_webhook_secret = OLD_DEMO_WEBHOOK_SECRET
        Provider._paas_demo_stripe_webhook_secret()
        drawn = self.provider.stripe_webhook_secret
        self.assertTrue(drawn.startswith("whsec_"))
        self.assertGreaterEqual(len(drawn), 6 + 43)
        Provider._paas_demo_stripe_webhook_secret()
        self.assertEqual(self.provider.stripe_webhook_secret, drawn)
        self.provider.stripe_webhook_secret = False
        Provider._paas_demo_stripe_webhook_secret()
        self.assertNotIn(self.provider.stripe_webhook_secret, (False, drawn))
        _move, tx, intent = self._pending_charge()
        body = self._event_body("payment_intent.succeeded", intent)
        forged = self._sign(body, secret=OLD_DEMO_WEBHOOK_SECRET)
        self.assertEqual(self._notify(body, forged).status_code, 403)
        self.assertEqual(tx.state, "draft")
        self.assertEqual(self._notify(body, self._sign(body)).status_code, 200)
        self.assertEqual(tx.state, "done")

    @mute_logger("odoo.addons.woow_paas_billing_stripe.controllers.main")
    def test_production_without_secret_refused(self):
        """A provider in production without webhook secret: notifications are
        refused (logged), never processed unchecked."""
        _move, tx, intent = self._pending_charge()
        old_secret = self.provider.stripe_webhook_secret
        self.provider.write({"state": "enabled", "stripe_webhook_secret": False})
        body = self._event_body("payment_intent.succeeded", intent)
        with self.assertLogs(
            "odoo.addons.woow_paas_billing_stripe.controllers.main", "WARNING"
        ) as logs:
            response = self._notify(body, self._sign(body, old_secret))
        self.assertEqual(response.status_code, 403)
        self.assertIn("without a webhook secret", logs.output[0])
        self.assertEqual(tx.state, "draft")

    def test_failure_notified_later_counts_as_attempt(self):
        """A pending charge refused later by a signed payment_intent.payment_failed
        is a failed attempt: payment.failed, past_due, a retry scheduled."""
        move, tx, intent = self._pending_charge()
        tx._set_pending()
        intent.update(
            status="requires_payment_method",
            last_payment_error={"code": "card_declined", "message": "Your card was declined."},
        )
        body = self._event_body("payment_intent.payment_failed", intent)
        self.assertEqual(self._notify(body, self._sign(body)).status_code, 200)
        self.assertEqual(tx.state, "error")
        failed = self.assertEmitted(move, "payment.failed", count=1)
        self.assertEqual(failed.payload["reason"], "Your card was declined.")
        self.assertEqual(self.sub.state, "past_due")
        retry = self._charge_jobs(move).filtered(
            lambda job: job.identity_key == f"paas-charge-{move.id}-2"
        )
        self.assertTrue(retry.eta, "attempt 2 scheduled")
