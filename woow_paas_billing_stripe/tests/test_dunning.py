from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CARD_DECLINED_AT_CHARGE, CARD_NEEDS_AUTH, CARD_OK, WoowPaasStripeCase

START = datetime(2026, 3, 15, 12, 0, 0)


@tagged("post_install", "-at_install")
class TestDunning(WoowPaasStripeCase):
    def _mails(self, template_xmlid, res_id):
        template = self.env.ref(f"woow_paas_billing.{template_xmlid}")
        return self.env["mail.mail"].search(
            [("model", "=", template.model), ("res_id", "=", res_id),
             ("subject", "=", template._render_field("subject", [res_id])[res_id])]
        )  # fmt: skip

    def test_declined_card_through_suspension_and_back(self):
        """Card 4000000000000341: payment.failed and past_due at the first
        failure, retries after 1, 3, 5 and 7 days, suspended with its tenant
        when they run out, active again with the tenant once paid."""
        self._save_card(CARD_DECLINED_AT_CHARGE)
        with freeze_time(START):
            move = self._post_invoice(amount=45.0)
            [tx] = self._run_due_jobs(move)
        self.assertEqual(tx.state, "error")
        self.assertIn("declined", tx.state_message)
        self.assertEqual(self.sub.state, "past_due")
        [failed] = self._events(move, "payment.failed")
        self.assertEqual(failed.payload["attempt"], 1)
        self.assertEqual(failed.payload["amount"], 45.0)
        self.assertIn("declined", failed.payload["reason"])
        self.assertEqual(move.paas_next_payment_at, START + timedelta(days=1))
        self.assertTrue(self._mails("mail_template_paas_payment_failed", move.id))
        self.assertIn("Payment attempt 1", "".join(move.message_ids.mapped("body")))
        self.assertIn("Payment attempt 1", "".join(self.sub.message_ids.mapped("body")))

        # Not before its time.
        with freeze_time(START + timedelta(hours=23)):
            self.assertEqual(self._run_due_jobs(move), [])
        for attempt, day in ((2, 1), (3, 3), (4, 5), (5, 7)):
            with freeze_time(START + timedelta(days=day, minutes=1)):
                [tx] = self._run_due_jobs(move)
            self.assertEqual(tx.paas_attempt, attempt)
            self.assertEqual(tx.reference, f"{move.name}-{attempt}")
            self.assertEqual(tx.state, "error")
            self.assertEqual(move.paas_payment_attempt, attempt)
        self.assertEqual(len(self._events(move, "payment.failed")), 5)
        self.assertTrue(self._mails("mail_template_paas_final_notice", move.id))
        self.assertEqual(self.sub.state, "suspended")
        self.assertTrue(self.sub.paas_suspended_for_payment)
        self.assertEqual(self.tenant.state, "suspended")
        self.assertTrue(self._mails("mail_template_paas_suspended", self.sub.id))
        self.assertFalse(self._charge_jobs(move), "no attempt left")

        # Paid by another path (a bank transfer registered by hand).
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertEqual(self.sub.state, "active")
        self.assertFalse(self.sub.paas_suspended_for_payment)
        self.assertEqual(self.tenant.state, "active")
        self.assertEmitted(move, "invoice.paid", count=1)
        self.assertEmitted(self.sub, "subscription.reactivated")

    def test_retry_succeeds_with_new_card(self):
        """After a failure the customer saves a working card: the next retry
        charges it and the subscription is active again."""
        self._save_card(CARD_DECLINED_AT_CHARGE)
        with freeze_time(START):
            move = self._post_invoice()
            self._run_due_jobs(move)
        self.assertEqual(self.sub.state, "past_due")
        good = self._save_card(CARD_OK)
        self.assertEqual(self.sub._paas_payment_token(), good)
        with freeze_time(START + timedelta(days=1, minutes=1)):
            [tx] = self._run_due_jobs(move)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.paas_attempt, 2)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.sub.state, "active")
        self.assertEqual(self.tenant.state, "active")
        self.assertEqual(self._events(move, "invoice.paid").payload["attempt"], 2)

    def test_authentication_required_is_a_failure(self):
        """Card 4000002500003155 asks for authentication, which an off-session
        charge cannot give: a failure needing the customer."""
        # Saved on session, where the customer authenticated (the SetupIntent
        # answers requires_action off session): attached directly here.
        client = self._stripe()
        customer = client.v1.customers.create(params={"name": "Customer A"})
        method = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": CARD_NEEDS_AUTH, "exp_month": 12,
                                             "exp_year": 2031, "cvc": "123"}}
        )  # fmt: skip
        client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
        self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_card").id,
                "partner_id": self.customer_a.id,
                "payment_details": "3155",
                "provider_ref": customer.id,
                "stripe_payment_method": method.id,
            }
        )
        move = self._post_invoice()
        [tx] = self._run_due_jobs(move)
        self.assertEqual(tx.state, "error")
        self.assertEqual(self.sub.state, "past_due")
        self.assertIn("authenticate", self._events(move, "payment.failed").payload["reason"])

    def test_schedule_from_parameter(self):
        """The schedule is a system parameter; a bad value falls back to the default."""
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("woow_paas_billing.dunning_days", "2, 10")
        self.assertEqual(self.env["account.move"]._paas_dunning_days(), [2, 10])
        ICP.set_param("woow_paas_billing.dunning_days", "soon")
        self.assertEqual(self.env["account.move"]._paas_dunning_days(), [1, 3, 5, 7])

    def test_card_expiring_before_renewal(self):
        """A card that expires before the next renewal is flagged once and its
        owner mailed."""
        token = self._save_card(CARD_OK, exp_month=1, exp_year=2020)
        self.sub.payment_token_id = token
        flagged = self.env["payment.token"]._cron_paas_card_expiring()
        self.assertEqual(flagged, token)
        self.assertTrue(self._mails("mail_template_paas_card_expiring", token.id))
        self.assertFalse(self.env["payment.token"]._cron_paas_card_expiring(), "told once")
        later = self._save_card(CARD_OK, exp_month=12, exp_year=2040)
        self.sub.payment_token_id = later
        self.assertFalse(self.env["payment.token"]._cron_paas_card_expiring())
