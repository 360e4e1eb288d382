import json
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import _super_send
from odoo.tools import mute_logger

from ..tools import webhook as wh
from .webhook_common import WoowPaasWebhookCase
from .webhook_receiver import Receiver


@tagged("post_install", "-at_install")
class TestWebhookRecovery(WoowPaasWebhookCase):
    """Disabling tells the owner; re-enabling replays what was missed;
    failed deliveries are redelivered since a date."""

    def _notices(self, endpoint):
        return self.env["mail.mail"].search(
            [("model", "=", "woow.paas.webhook.endpoint"), ("res_id", "=", endpoint.id)]
        )

    def test_failing_for_days_disables_and_mails_the_customer(self):
        """A customer's endpoint failing for five days is disabled and the
        customer gets the (queued) email."""
        self.customer_a.email = "billing@customer-a.example"
        with Receiver([(500, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url, user_id=self.portal_a.id)
            self._emit()
            self._run_due()
            self.assertFalse(self._notices(endpoint))
            endpoint.sudo().failing_since = fields.Datetime.now() - timedelta(days=6)
            self._deliveries(endpoint).next_attempt_at = fields.Datetime.now()
            self._run_due()
        self.assertFalse(endpoint.enabled)
        notice = self._notices(endpoint)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.recipient_ids, self.customer_a)
        self.assertEqual(notice.state, "outgoing")
        self.assertIn(endpoint.url, notice.subject)
        self.assertIn("failed since", notice.body_html)

    def test_operator_notice_goes_to_owner_or_configured_address(self):
        """An operator's endpoint: its owner is told, or the configured
        address when there is one."""
        endpoint = self._endpoint("https://93.184.215.14/op", user_id=self.paas_user.id)
        endpoint._disable({endpoint.id: "The endpoint answered 410 Gone."})
        self.assertEqual(self._notices(endpoint).recipient_ids, self.paas_user.partner_id)
        self.env["ir.config_parameter"].set_param(
            "woow_paas_api.webhook_notice_email", "ops@platform.example"
        )
        other = self._endpoint("https://93.184.215.14/op2", user_id=self.paas_user.id)
        other._disable({other.id: "gone"})
        notice = self._notices(other)
        self.assertEqual((notice.email_to, notice.recipient_ids.ids), ("ops@platform.example", []))
        self.assertFalse(self._notices(self._endpoint("https://93.184.215.14/manual")),
                         "nothing to tell when nobody disabled it")  # fmt: skip

    def test_replay_missed(self):
        """Re-enabled, an endpoint gets on request what it missed while
        disabled (the stopped deliveries and the matching events emitted
        meanwhile), each once; a repeat queues nothing."""
        start = fields.Datetime.now() - timedelta(minutes=30)
        with Receiver() as receiver:
            endpoint = self._endpoint(receiver.url, event_types="tenant.*")
            with freeze_time(start):
                self._emit("tenant.before")
                stopped = self._deliveries(endpoint)
                endpoint.enabled = False
            self.assertEqual(stopped.state, "disabled")
            with freeze_time(start + timedelta(minutes=1)):
                self._emit("tenant.missed", payload={"n": 2})
                self._emit("invoice.missed")  # not for this endpoint
                self._emit("tenant.other", records=self.tenant_b)
            with freeze_time(start + timedelta(minutes=2)):
                endpoint.enabled = True
            with freeze_time(start + timedelta(minutes=3)):
                self._emit("tenant.after")
            self.assertEqual(self._deliveries(endpoint).event_id.mapped("event_type"),
                             ["tenant.before", "tenant.after"])  # fmt: skip
            self.assertEqual(endpoint._replay_missed(), 3)
            self.assertTrue(endpoint.missed_replayed)
            self.assertEqual(endpoint._replay_missed(), 0, "each event once")
            self._run_due()
        types = sorted(json.loads(body)["type"] for _h, body in receiver.requests)
        self.assertEqual(types, ["tenant.after", "tenant.before", "tenant.missed", "tenant.other"])
        self.assertVerified(endpoint, receiver)
        customer = self._endpoint("https://93.184.215.14/c", user_id=self.portal_a.id)
        with freeze_time(start + timedelta(minutes=10)):
            customer.enabled = False
        with freeze_time(start + timedelta(minutes=11)):
            self._emit("tenant.a", records=self.tenant_a)
            self._emit("tenant.b", records=self.tenant_b)
        with self.assertRaises(UserError):
            customer._replay_missed()
        with freeze_time(start + timedelta(minutes=12)):
            customer.enabled = True
        self.assertEqual(customer._replay_missed(), 1, "its own customer's events only")

    def test_redeliver_failed_since(self):
        """Failed deliveries created since a date are queued again with their
        webhook-id; older ones and others are left alone."""
        endpoint = self._endpoint("https://93.184.215.14/r", ordered=False)
        for _n in range(3):
            self._emit()
        old, recent, done = self._deliveries(endpoint)
        (old | recent).write({"state": "failed", "attempts": 8, "next_attempt_at": False})
        done.state = "delivered"
        self.env.cr.execute(
            "UPDATE woow_paas_webhook_delivery SET create_date = create_date - interval '3 days'"
            " WHERE id = %s", (old.id,),
        )  # fmt: skip
        old.invalidate_recordset()
        wizard = self.env["woow.paas.webhook.redeliver"].create(
            {"endpoint_id": endpoint.id, "since": fields.Datetime.now() - timedelta(days=1)}
        )
        action = wizard.action_redeliver()
        self.assertIn("1", action["params"]["message"])
        self.assertEqual((recent.state, recent.attempts), ("pending", 0))
        self.assertEqual((old.state, done.state), ("failed", "delivered"))
        self.assertEqual(endpoint._redeliver_failed(fields.Datetime.now() - timedelta(days=1)), 0)
        other = self.Endpoint.with_user(self.paas_user)
        with self.assertRaises(AccessError):
            other.browse(endpoint.id)._redeliver_failed(fields.Datetime.now())


@tagged("post_install", "-at_install")
class TestFailureInWords(WoowPaasWebhookCase):
    """Each failed attempt says why in words, for customers and operators,
    not with an exception's text."""

    @classmethod
    def _request_handler(cls, s, r, **kw):
        """Let names of the reserved .invalid domain reach the resolver (which
        never finds them)."""
        if (urlsplit(r.url).hostname or "").endswith(".invalid"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def test_http_answers(self):
        """A status that is not a success is named with its phrase; a
        redirect says it is not followed."""
        with Receiver([(500, {}, 0), (301, {"Location": "/elsewhere"}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url, ordered=False)
            self._emit()
            self._emit()
            self._run_due()
        errors = sorted(self._deliveries(endpoint).attempt_ids.mapped("error"))
        self.assertEqual(
            errors,
            ["Redirects are not followed (answered 301 Moved Permanently): use the final URL.",
             "The endpoint answered 500 Internal Server Error."],
        )  # fmt: skip

    def test_network_failures(self):
        """Connection refused, a host that does not resolve, a timeout and a
        guarded address: one sentence each, on the attempt and the delivery."""
        endpoint = self._endpoint("http://127.0.0.1:9/closed")
        self._emit()
        self._run_due()
        delivery = self._deliveries(endpoint)
        self.assertEqual(delivery.last_error, "Could not connect: connection refused.")
        self.assertEqual(delivery.attempt_ids.error, "Could not connect: connection refused.")
        session = wh.new_session(guarded=False)
        result = wh.post(session, "http://woow-paas-test.invalid/hook", b"{}", {})
        self.assertEqual(result[4], "Could not connect: the host name does not resolve (DNS).")
        with Receiver([(200, {}, 1)]) as receiver, patch.object(wh, "READ_TIMEOUT", 0.2):
            result = wh.post(session, receiver.url, b"{}", {})
        self.assertEqual(result[4], "Timed out after 0.2 s waiting for the answer.")
        result = wh.post(wh.new_session(guarded=True), "http://127.0.0.1:9/x", b"{}", {})
        self.assertTrue(result[4].startswith("Refused: The host 127.0.0.1 resolves to a private"))
        for text in (result[4], delivery.last_error):
            self.assertNotIn("Error", text)
            self.assertNotIn("HTTPConnectionPool", text)

    def test_unknown_failure_is_still_a_sentence(self):
        """An error the worker cannot name still gives a short sentence."""

        class Odd(Exception):
            @property
            def args(self):
                raise RuntimeError("broken exception")

        with mute_logger("odoo.addons.woow_paas_api.tools.webhook"):
            self.assertEqual(wh._describe(Odd()), "The request failed: Odd.")
