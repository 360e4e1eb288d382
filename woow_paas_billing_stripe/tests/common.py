"""Base class for the Stripe payment tests, against a real localstripe.

``scripts/test.sh`` starts localstripe on ``WOOW_LOCALSTRIPE_PORT`` (8420 by
default); when it cannot be reached the tests fail and say so, they never
skip.
"""

import hashlib
import hmac
import json
import os
import time
import uuid

import requests

from odoo import Command, fields

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

from ..const import PARAM_API_BASE

CARD_OK = "4242424242424242"
CARD_DECLINED_AT_CHARGE = "4000000000000341"
CARD_DECLINED_AT_ATTACH = "4000000000000002"
CARD_NEEDS_AUTH = "4000002500003155"


def localstripe_base():
    return f"http://127.0.0.1:{os.environ.get('WOOW_LOCALSTRIPE_PORT', '8420')}"


class WoowPaasStripeCase(WoowPaasCase):
    """A Stripe provider in test mode pointed at localstripe, a subscription
    of customer A in trial with one active tenant, helpers to save cards,
    post invoices and run the charge jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_base = localstripe_base()
        try:
            requests.get(f"{cls.api_base}/_config/stats", timeout=3)
        except requests.RequestException as error:
            raise AssertionError(
                f"localstripe is not reachable at {cls.api_base} ({error}): the payment tests"
                " need it; scripts/test.sh starts it (WOOW_LOCALSTRIPE_PORT)."
            ) from error
        cls.env["ir.config_parameter"].sudo().set_param(PARAM_API_BASE, cls.api_base)
        cls.provider = cls.env.ref("payment.payment_provider_stripe")
        cls.provider.write(
            {
                "state": "test",
                "stripe_secret_key": "sk_test_woow_tests",
                "stripe_publishable_key": "pk_test_woow_tests",
                "allow_tokenization": True,
            }
        )
        # A secret of this test run, as the demo data draws one per database.
        cls.provider._paas_stripe_new_webhook_secret()
        # Other providers must not answer the notifications.
        cls.env["payment.provider"].search(
            [("id", "!=", cls.provider.id), ("state", "!=", "disabled")]
        ).write({"state": "disabled"})
        cls.customer_a.email = "billing@customer-a.test"
        # In trial: no invoice yet; each test posts the invoices it charges
        # (the full cycle gets its own from the end of the trial).
        cls.sub = cls._subscription(partner=cls.customer_a)
        cls.sub.action_start_trial()
        cls.tenant = cls._tenant("pay-a", cls.sub)
        cls.tenant.action_provision()

    def setUp(self):
        super().setUp()
        # Idempotency keys derive from the database's uuid and the transaction
        # reference; references repeat from one rolled-back test to the next,
        # while localstripe keeps the keys: each test is a new database to it.
        self.env["ir.config_parameter"].sudo().set_param("database.uuid", str(uuid.uuid4()))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _stripe(self):
        return self.provider._paas_stripe_client()

    def _save_card(self, number=CARD_OK, partner=None, exp_month=12, exp_year=2031):
        method = self._stripe().v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": number,
                    "exp_month": exp_month,
                    "exp_year": exp_year,
                    "cvc": "123",
                },
            }
        )
        return self.provider._paas_stripe_save_card(partner or self.customer_a, method.id)

    def _post_invoice(self, sub=None, amount=30.0):
        """A posted customer invoice of ``sub`` with one line (the lead's
        invoicing creates the real ones)."""
        sub = sub or self.sub
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": sub.partner_id.id,
                "paas_subscription_id": sub.id,
                "currency_id": self.env.company.currency_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Subscription period",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _charge_jobs(self, move, states=("pending", "enqueued")):
        return self.env["queue.job"].search(
            [("identity_key", "=like", f"paas-charge-{move.id}-%"), ("state", "in", states)],
            order="id",
        )

    def _run_due_jobs(self, move):
        """Run the pending charge jobs of ``move`` whose time has come, as the
        job runner would (without its commit). Returns their results."""
        results = []
        now = fields.Datetime.now()
        for record in self._charge_jobs(move):
            if record.eta and record.eta > now:
                continue
            job = Job.load(self.env, record.uuid)
            job.set_started()
            try:
                results.append(job.perform())
            except RetryableJobError as error:
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
                results.append(error)
            else:
                job.set_done()
            job.store()
        return results

    def _localstripe_counts(self):
        return requests.get(f"{self.api_base}/_config/stats", timeout=5).json()

    def _intents_for(self, tx):
        """PaymentIntents localstripe holds for ``tx`` (its reference is their
        description; the customer tells this test's apart from earlier ones)."""
        intents = self._stripe().v1.payment_intents.list(params={"limit": 100})
        return [
            pi
            for pi in intents.auto_paging_iter()
            if pi.get("description") == tx.reference and pi.customer == tx.token_id.provider_ref
        ]

    def _sign(self, payload, secret=None, timestamp=None):
        """A ``Stripe-Signature`` of ``payload``, by default with the
        provider's webhook secret as read from the record."""
        secret = secret or self.provider.stripe_webhook_secret
        timestamp = int(timestamp or time.time())
        signature = hmac.new(
            secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
        ).hexdigest()
        return f"t={timestamp},v1={signature}"

    @staticmethod
    def _event_body(event_type, obj):
        return json.dumps(
            {"id": f"evt_{obj['id']}", "object": "event", "type": event_type,
             "data": {"object": obj}}
        )  # fmt: skip
