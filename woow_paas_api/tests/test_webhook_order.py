import json
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..tools import webhook as wh
from .webhook_common import WoowPaasWebhookCase
from .webhook_receiver import Receiver


@tagged("post_install", "-at_install")
class TestWebhookEndpoint(WoowPaasWebhookCase):
    def test_ssrf_refused_at_save(self):
        """Private, loopback, link-local, mapped and local names are refused
        unless the endpoint allows private networks; only http(s)."""
        for url in ("http://127.0.0.1/h", "http://[::1]/h", "http://10.0.0.1/h",
                    "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]/h",
                    "http://localhost:8069/h", "http://192.168.1.1/h", "http://0.0.0.0/h",
                    "http://100.64.0.1/h", "http://[fe80::1]/h", "http://224.0.0.1/h",
                    "ftp://93.184.215.14/h", "file:///etc/passwd",
                    "http://user:pw@93.184.215.14/h"):  # fmt: skip
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.Endpoint.create({"url": url})
        endpoint = self.Endpoint.create({"url": "https://93.184.215.14/h"})
        with self.assertRaises(ValidationError):
            endpoint.url = "http://10.0.0.1/h"
        for url in ("http://127.0.0.1:9/h", "http://localhost/h", "http://[::1]/h"):
            self.assertTrue(self._endpoint(url))

    def test_ssrf_refused_at_send(self):
        """The connection itself refuses a private address (a name that
        changed its answer after the save-time check)."""
        with Receiver() as receiver:
            endpoint = self._endpoint(receiver.url)
            self.env.cr.execute(
                "UPDATE woow_paas_webhook_endpoint SET allow_private_network = false"
                " WHERE id = %s", (endpoint.id,),
            )  # fmt: skip
            endpoint.invalidate_recordset()
            self._emit()
            self._run_due()
            delivery = self._deliveries(endpoint)
        self.assertFalse(receiver.requests)
        self.assertEqual(delivery.state, "pending")
        self.assertIn("resolves to a private", delivery.last_error)

    def test_public_address(self):
        """The address classification behind the guard."""
        for address in ("127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "::ffff:127.0.0.1",
                        "::ffff:10.1.2.3", "fd00::1", "2002:7f00:1::1", "240.0.0.1"):  # fmt: skip
            self.assertFalse(wh.is_public_address(address), address)
        for address in ("93.184.215.14", "2606:2800:220:1:248:1893:25c8:1946"):
            self.assertTrue(wh.is_public_address(address), address)

    def test_rights_and_headers(self):
        """Only managers allow private networks; protocol headers and bad JSON
        are refused; secrets are not written directly."""
        Endpoint = self.Endpoint.with_user(self.paas_user)
        with self.assertRaises(AccessError):
            Endpoint.create({"url": "http://127.0.0.1/h", "allow_private_network": True})
        endpoint = Endpoint.create({"url": "https://93.184.215.14/h"})
        self.assertEqual(endpoint.user_id, self.paas_user)
        for headers in ('{"webhook-id": "x"}', "[1]", "{bad", '{"X": 1}'):
            with self.subTest(headers=headers), self.assertRaises(ValidationError):
                endpoint.custom_headers = headers
        with self.assertRaises(AccessError):
            endpoint.write({"secret_shown": False})
        with self.assertRaises(AccessError):
            endpoint.user_id = self.portal_b
        action = endpoint.action_reveal_secret()
        self.assertTrue(action["context"]["default_secret"].startswith("whsec_"))
        with self.assertRaises(UserError):
            endpoint.action_reveal_secret()
        other = self.Endpoint.with_user(self.paas_manager).create({"url": "https://1.1.1.1/h"})
        self.assertFalse(Endpoint.search([("id", "=", other.id)]))


@tagged("post_install", "-at_install")
class TestWebhookOrder(WoowPaasWebhookCase):
    """Ordered endpoints: in event order, a failure holds the later ones for a
    bounded time, and never another endpoint's."""

    def _numbers(self, receiver):
        return [json.loads(body)["data"]["payload"]["n"] for _headers, body in receiver.requests]

    def test_failure_holds_later_deliveries_of_its_endpoint_only(self):
        """Endpoint A answers 500 once: its later deliveries wait for the
        retry, then all arrive in event order; endpoint B gets everything in
        order at once."""
        with Receiver([(500, {}, 0), (200, {}, 0)]) as rec_a, Receiver() as rec_b:
            endpoint_a = self._endpoint(rec_a.url)
            endpoint_b = self._endpoint(rec_b.url)
            for n in range(5):
                self._emit(payload={"n": n})
            self._run_due()
            self.assertEqual(self._numbers(rec_a), [0])
            self.assertEqual(self._numbers(rec_b), [0, 1, 2, 3, 4])
            waiting = self._deliveries(endpoint_a)
            self.assertEqual(waiting.mapped("state"), ["pending"] * 5)
            self.assertEqual(waiting.mapped("attempts"), [1, 0, 0, 0, 0])
            self.assertFalse(waiting[1:].attempt_ids, "held, not tried")
            self._emit(payload={"n": 5})
            claimed = self.Delivery._claim_due()
            self.assertEqual(claimed.endpoint_id, endpoint_b, "A waits for its retry, B not")
            claimed._deliver()
            self.Delivery.flush_model()
            self.env.cr.execute(
                "UPDATE woow_paas_webhook_delivery SET next_attempt_at = now() at time zone 'utc'"
                " - interval '1 second' WHERE endpoint_id = %s", (endpoint_a.id,),
            )  # fmt: skip
            self.Delivery.invalidate_model()
            self._run_due()
        self.assertEqual(self._numbers(rec_a), [0, 0, 1, 2, 3, 4, 5])
        self.assertEqual(self._numbers(rec_b), [0, 1, 2, 3, 4, 5])
        self.assertEqual(set(self._deliveries(endpoint_a).mapped("state")), {"delivered"})
        self.assertVerified(endpoint_a, rec_a)
        self.assertVerified(endpoint_b, rec_b)

    def test_hold_is_bounded(self):
        """From its third failed attempt on, a failing delivery no longer
        holds the later ones: they go on, it keeps its own backoff."""
        with Receiver([(500, {}, 0), (200, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url)
            self._emit(payload={"n": 0})
            self._emit(payload={"n": 1})
            head, later = self._deliveries(endpoint)
            head.attempts = 2
            self._run_due()
            self.assertEqual((head.state, head.attempts), ("pending", 3))
            self.assertEqual((later.state, later.attempts), ("pending", 0))
            self._run_due()
        self.assertEqual(later.state, "delivered")
        self.assertEqual((head.state, head.attempts), ("pending", 3))
        self.assertEqual(self._numbers(receiver), [0, 1])

    def test_unordered_endpoint_is_not_held(self):
        """An unordered endpoint sends everything in parallel; a failure holds
        nothing."""
        with Receiver([(500, {}, 0), (200, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url, ordered=False)
            for n in range(3):
                self._emit(payload={"n": n})
            self._run_due()
        self.assertEqual(len(receiver.requests), 3)
        self.assertEqual(sorted(self._deliveries(endpoint).mapped("state")),
                         ["delivered", "delivered", "pending"])  # fmt: skip

    def test_slow_endpoint_does_not_delay_others(self):
        """In the cron's pipeline a receiver slow to answer holds one thread:
        another endpoint's delivery is recorded before the slow one ends."""
        commit = "odoo.addons.base.models.ir_cron.IrCron._commit_progress"
        states = []
        with Receiver([(200, {}, 2)]) as slow, Receiver() as fast, patch(commit) as progress:
            endpoint_slow = self._endpoint(slow.url)
            endpoint_fast = self._endpoint(fast.url)
            self._emit()

            def seen(*args, **kwargs):
                states.append(
                    (self._deliveries(endpoint_slow).state, self._deliveries(endpoint_fast).state)
                )

            progress.side_effect = seen
            done = self.Delivery._cron_deliver(time_budget=10, idle_linger=0)
        self.assertEqual(done, 2)
        self.assertIn(("delivering", "delivered"), states)
        self.assertEqual(states[-1], ("delivered", "delivered"))

    def test_claim_respects_order_and_lease(self):
        """A delivery in flight (leased) keeps its endpoint's later ones out of
        other claims; an expired lease is claimed again."""
        endpoint = self._endpoint("https://93.184.215.14/order")
        for n in range(3):
            self._emit(payload={"n": n})
        first = self.Delivery._claim_due(1)
        self.assertEqual(len(first), 1)
        self.assertFalse(self.Delivery._claim_due(), "in flight: the others wait")
        self.Delivery.flush_model()
        self.env.cr.execute(
            "UPDATE woow_paas_webhook_delivery SET next_attempt_at = now() at time zone 'utc'"
            " - interval '1 second' WHERE id = %s", (first.id,),
        )  # fmt: skip
        self.Delivery.invalidate_model()
        again = self.Delivery._claim_due()
        self.assertEqual(again, self._deliveries(endpoint), "the lease ran out: all due again")
