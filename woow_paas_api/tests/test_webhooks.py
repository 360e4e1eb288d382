import json
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import _super_send
from odoo.tools import mute_logger

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

from ..tools import webhook as wh
from .webhook_receiver import Receiver


class WoowPaasWebhookCase(WoowPaasCase):
    """Tenants of two customers and helpers to emit events and run the worker
    without committing (the cron's claim and commit are bypassed)."""

    @classmethod
    def _request_handler(cls, s, r, **kw):
        """Let the worker reach the local receiver with its own timeouts (the
        test harness raises them to 10 s and blocks everything else)."""
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tenant_a = cls._tenant("hook-a", partner=cls.customer_a)
        cls.tenant_b = cls._tenant("hook-b", partner=cls.customer_b)
        cls.Endpoint = cls.env["woow.paas.webhook.endpoint"]
        cls.Delivery = cls.env["woow.paas.webhook.delivery"]

    def _endpoint(self, url, **vals):
        return self.Endpoint.create({"url": url, "allow_private_network": True, **vals})

    def _emit(self, event_type="tenant.hooked", records=None, payload=None):
        return self.env["woow.paas.event"]._emit(
            event_type, records or self.tenant_a, payload or {"n": 1}
        )

    def _deliveries(self, endpoint):
        return self.Delivery.search([("endpoint_id", "=", endpoint.id)], order="id")

    def _run_due(self):
        """What one pass of the cron does, minus its commits."""
        due = self.Delivery._claim_due(1000)
        due._deliver()
        return due

    def assertVerified(self, endpoint_or_secret, receiver):
        """Every request the receiver got verifies with the secret."""
        secret = (
            endpoint_or_secret
            if isinstance(endpoint_or_secret, str)
            else endpoint_or_secret.sudo().secret
        )
        self.assertTrue(receiver.requests, "nothing received")
        for headers, body in receiver.requests:
            payload = Webhook(secret).verify(body, headers)
            self.assertEqual(set(payload), {"type", "timestamp", "data"})
        return [json.loads(body) for _headers, body in receiver.requests]


@tagged("post_install", "-at_install")
class TestWebhookDelivery(WoowPaasWebhookCase):
    def test_fan_out_and_signed_delivery(self):
        """Events matching an endpoint's filters become pending deliveries in
        the event's transaction; each one arrives signed and verifiable."""
        with Receiver() as receiver, Receiver() as receiver_all:
            endpoint = self._endpoint(receiver.url, event_types="tenant.* invoice.paid")
            other = self._endpoint(receiver_all.url)
            self._emit("tenant.hooked")
            self._emit("invoice.paid")
            self._emit("subscription.hooked")
            self.assertEqual(len(self._deliveries(endpoint)), 2)
            self.assertEqual(len(self._deliveries(other)), 3)
            self.assertEqual(set(self._deliveries(endpoint).mapped("state")), {"pending"})
            self._run_due()
        bodies = self.assertVerified(endpoint, receiver)
        self.assertEqual(len(bodies), 2)
        self.assertEqual(len(self.assertVerified(other, receiver_all)), 3)
        deliveries = self._deliveries(endpoint)
        self.assertEqual(set(deliveries.mapped("state")), {"delivered"})
        self.assertEqual(deliveries.mapped("attempts"), [1, 1])
        self.assertEqual(len(deliveries.attempt_ids), 2)
        self.assertTrue(all(a.success and a.status_code == 200 for a in deliveries.attempt_ids))
        first = deliveries[0]
        body = next(b for h, b in zip(
            [h for h, _b in receiver.requests], bodies, strict=True
        ) if h["webhook-id"] == first.webhook_id)  # fmt: skip
        self.assertEqual(body["type"], "tenant.hooked")
        self.assertEqual(body["data"]["id"], first.event_id.uuid)
        self.assertEqual(body["data"]["tenant_id"], self.tenant_a.id)
        self.assertEqual(body["data"]["payload"], {"n": 1})
        self.assertIn(first.event_id.uuid.removeprefix("evt_"), first.webhook_id)

    def test_bulk_fan_out(self):
        """A batch of events is fanned out with one insert, not one per event."""
        endpoints = self.Endpoint.create([{"url": f"https://93.184.215.14/h{i}"} for i in range(5)])
        tenants = self.env["woow.paas.tenant"].create(
            [{"name": f"Bulk {i}", "code": f"hook-bulk-{i}", "partner_id": self.customer_a.id}
             for i in range(40)]
        )  # fmt: skip
        self.env["woow.paas.event"]._emit("tenant.bulk", tenants)  # warm the caches
        self.env.flush_all()
        with self.assertQueryCount(__system__=8):
            self.env["woow.paas.event"]._emit("tenant.bulk2", tenants)
            self.env.flush_all()
        self.assertEqual(
            self.Delivery.search_count(
                [("endpoint_id", "in", endpoints.ids), ("event_type", "=", "tenant.bulk2")]
            ),
            5 * 40,
        )

    def test_customer_endpoint_gets_its_customer_events_only(self):
        """A customer's endpoint receives its customer's events only; an
        operator's receives every customer's."""
        customer = self._endpoint("https://93.184.215.14/a", user_id=self.portal_a.id)
        operator = self._endpoint("https://93.184.215.14/op", user_id=self.paas_user.id)
        event_a = self._emit(records=self.tenant_a)
        event_b = self._emit(records=self.tenant_b)
        self.assertEqual(self._deliveries(customer).event_id, event_a)
        self.assertEqual(self._deliveries(operator).event_id, event_a | event_b)

    def test_rotation_signs_with_both_secrets(self):
        """During a rotation's overlap both secrets sign (two v1 signatures);
        after it, only the new one."""
        with Receiver() as receiver:
            endpoint = self._endpoint(receiver.url)
            old = endpoint.sudo().secret
            self.assertTrue(old.startswith("whsec_"))
            action = endpoint.action_rotate_secret()
            new = action["context"]["default_secret"]
            self.assertNotEqual(new, old)
            self._emit()
            self._run_due()
            headers, _body = receiver.requests[0]
            self.assertEqual(len(headers["webhook-signature"].split(" ")), 2)
            self.assertVerified(old, receiver)
            self.assertVerified(new, receiver)
            receiver.requests.clear()
            with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
                self._emit()
                self._run_due()
                headers, _body = receiver.requests[0]
                self.assertEqual(len(headers["webhook-signature"].split(" ")), 1)
                self.assertVerified(new, receiver)
                with self.assertRaises(WebhookVerificationError):
                    Webhook(old).verify(receiver.requests[0][1], headers)

    def test_retry_keeps_webhook_id(self):
        """A 500 is retried after about 5 s with the same webhook-id; the second
        attempt succeeds and both are logged."""
        with Receiver([(500, {}, 0), (200, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url)
            self._emit()
            self._run_due()
            delivery = self._deliveries(endpoint)
            self.assertEqual((delivery.state, delivery.attempts), ("pending", 1))
            self.assertEqual(delivery.last_status_code, 500)
            wait = (delivery.next_attempt_at - fields.Datetime.now()).total_seconds()
            self.assertTrue(3 <= wait <= 7, wait)
            self.assertFalse(self.Delivery._claim_due(), "not due yet")
            delivery.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            self._run_due()
        self.assertEqual((delivery.state, delivery.attempts), ("delivered", 2))
        ids = [headers["webhook-id"] for headers, _body in receiver.requests]
        self.assertEqual(ids, [delivery.webhook_id] * 2)
        self.assertVerified(endpoint, receiver)
        self.assertEqual(delivery.attempt_ids.mapped("status_code"), [200, 500])

    def test_retry_after_redirect_and_exhaustion(self):
        """Retry-After is honoured, a 3xx is a failure (not followed), and
        the eighth failed attempt ends the schedule."""
        with Receiver([(503, {"Retry-After": "600"}, 0), (302, {"Location": "/x"}, 0),
                       (500, {}, 0)]) as receiver:  # fmt: skip
            endpoint = self._endpoint(receiver.url)
            self._emit()
            delivery = self._deliveries(endpoint)
            self._run_due()
            wait = (delivery.next_attempt_at - fields.Datetime.now()).total_seconds()
            self.assertTrue(590 <= wait <= 610, wait)
            delivery.next_attempt_at = fields.Datetime.now()
            self._run_due()
            self.assertEqual(delivery.state, "pending")
            self.assertEqual(
                delivery.last_error,
                "Redirects are not followed (answered 302 Found): use the final URL.",
            )
            self.assertEqual(len(receiver.requests), 2)
            delivery.write({"attempts": 7, "next_attempt_at": fields.Datetime.now()})
            self._run_due()
        self.assertEqual((delivery.state, delivery.attempts), ("failed", 8))
        self.assertFalse(delivery.next_attempt_at)

    def test_backoff_schedule(self):
        """5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with ±20 % jitter, then none."""
        for attempts, base in enumerate((5, 300, 1800, 7200, 18000, 36000, 36000), 1):
            delay = wh.backoff(attempts)
            self.assertTrue(base * 0.8 <= delay <= base * 1.2, (attempts, delay))
        self.assertIsNone(wh.backoff(8))
        self.assertEqual(wh.retry_after("120"), 120)
        self.assertEqual(wh.retry_after("999999"), wh.RETRY_AFTER_MAX)
        self.assertIsNone(wh.retry_after("soon"))

    def test_gone_disables_endpoint(self):
        """A 410 disables the endpoint, stops its other deliveries and tells
        the owner with a webhook.endpoint_disabled event."""
        with Receiver([(410, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url, event_types="tenant.*")
            self._emit()
            first = self._deliveries(endpoint)
            first._deliver()
            self._emit()
        self.assertFalse(endpoint.enabled)
        self.assertIn("410", endpoint.disabled_reason)
        self.assertEqual(first.state, "disabled")
        self.assertEqual(len(self._deliveries(endpoint)), 1, "no new delivery once disabled")
        self.assertEmitted(endpoint, "webhook.endpoint_disabled")
        self.assertEqual(len(receiver.requests), 1)

    def test_timeout_retries(self):
        """A receiver slower than the read timeout is retried later."""
        with Receiver([(200, {}, 2)]) as receiver, patch.object(wh, "READ_TIMEOUT", 0.3):
            endpoint = self._endpoint(receiver.url)
            self._emit()
            self._run_due()
            delivery = self._deliveries(endpoint)
        self.assertEqual((delivery.state, delivery.attempts), ("pending", 1))
        self.assertEqual(delivery.last_error, "Timed out after 0.3 s waiting for the answer.")
        self.assertFalse(delivery.attempt_ids.success)
        self.assertFalse(delivery.attempt_ids.status_code)

    def test_failing_for_days_disables(self):
        """An endpoint failing without a success for five days is disabled."""
        with Receiver([(500, {}, 0)]) as receiver:
            endpoint = self._endpoint(receiver.url)
            self._emit()
            self._run_due()
            self.assertTrue(endpoint.failing_since)
            self.assertTrue(endpoint.enabled)
            endpoint.sudo().failing_since = fields.Datetime.now() - timedelta(days=6)
            self._deliveries(endpoint).next_attempt_at = fields.Datetime.now()
            self._run_due()
        self.assertFalse(endpoint.enabled)
        self.assertIn("failed since", endpoint.disabled_reason)

    def test_redeliver_and_test_send(self):
        """Redelivery sends the same webhook-id again; a test message is
        queued (the click does not wait) and the worker's next pass sends it,
        signed."""
        with Receiver() as receiver:
            endpoint = self._endpoint(receiver.url, custom_headers='{"X-Env": "test"}')
            self._emit()
            self._run_due()
            delivery = self._deliveries(endpoint)
            self.assertEqual(delivery.action_redeliver(), 1)
            self.assertEqual((delivery.state, delivery.attempts), ("pending", 0))
            self.assertEqual(delivery.action_redeliver(), 0, "already waiting")
            self._run_due()
            self.assertEqual(delivery.state, "delivered")
            result = endpoint.action_test_send()
            self.assertEqual(result["params"]["type"], "info")
            self.assertEqual(len(receiver.requests), 2, "queued, not sent by the click")
            test = self._deliveries(endpoint) - delivery
            self.assertEqual((test.is_test, test.state), (True, "pending"))
            self._run_due()
            self.assertEqual(test.state, "delivered")
        bodies = self.assertVerified(endpoint, receiver)
        self.assertEqual([b["type"] for b in bodies], ["tenant.hooked"] * 2 + ["webhook.test"])
        self.assertEqual(receiver.requests[0][0]["webhook-id"],
                         receiver.requests[1][0]["webhook-id"])  # fmt: skip
        self.assertEqual(receiver.requests[0][0]["x-env"], "test")

    def test_unbuildable_message_is_refused_alone(self):
        """A delivery whose message cannot be built fails alone; the batch goes on."""
        with Receiver() as receiver:
            # Unordered: on an ordered endpoint the failure would hold the next one.
            endpoint = self._endpoint(receiver.url, ordered=False)
            self._emit()
            self._emit()
            bad, good = self._deliveries(endpoint)
            original = type(self.Delivery)._body

            def body(delivery):
                if delivery.id == bad.id:
                    raise ValueError("broken")
                return original(delivery)

            with (
                patch.object(type(self.Delivery), "_body", body),
                self.assertLogs(
                    "odoo.addons.woow_paas_api.models.woow_paas_webhook_delivery", "WARNING"
                ),
            ):
                self._run_due()
        self.assertEqual((bad.state, good.state), ("pending", "delivered"))
        self.assertIn("broken", bad.last_error)
        self.assertEqual(len(receiver.requests), 1)

    def test_gc_finished(self):
        """Finished deliveries older than the retention period are deleted,
        waiting ones kept."""
        endpoint = self._endpoint("https://93.184.215.14/gc")
        self._emit()
        self._emit()
        old, waiting = self._deliveries(endpoint)
        old.state = "delivered"
        self.env.cr.execute(
            "UPDATE woow_paas_webhook_delivery SET create_date = now() - interval '31 days'"
            " WHERE id IN %s", (tuple((old | waiting).ids),),
        )  # fmt: skip
        self.Delivery._gc_finished()
        self.assertEqual(self._deliveries(endpoint), waiting)

    def test_cron_pass(self):
        """The cron claims and commits before posting, then posts and records
        (its commits stubbed here)."""
        commit = "odoo.addons.base.models.ir_cron.IrCron._commit_progress"
        with Receiver() as receiver, patch(commit) as progress:
            progress.side_effect = lambda *args, **kwargs: seen.append(len(receiver.requests))
            seen = []
            endpoint = self._endpoint(receiver.url)
            self._emit()
            self._emit()
            done = self.Delivery._cron_deliver(time_budget=10, idle_linger=0)
        self.assertEqual(done, 2)
        self.assertEqual(seen[:2], [0, 0], "the claim is committed before anything is sent")
        self.assertEqual(seen[-1], 2)
        self.assertEqual(set(self._deliveries(endpoint).mapped("state")), {"delivered"})
        self.assertVerified(endpoint, receiver)

    def test_cron_claims_again_after_a_conflict(self):
        """A claim that conflicts with another worker's is retried from a new
        snapshot instead of failing the cron."""
        real_claim = type(self.Delivery)._claim_due
        calls = []

        def claim(model, limit):
            calls.append(limit)
            if len(calls) == 1:
                raise SerializationFailure("could not serialize access")
            return real_claim(model, limit)

        commit = "odoo.addons.base.models.ir_cron.IrCron._commit_progress"
        with (
            Receiver() as receiver,
            patch(commit, return_value=60),
            patch.object(type(self.Delivery), "_claim_due", claim),
        ):
            self._endpoint(receiver.url)
            self._emit()
            done = self.Delivery._cron_deliver(time_budget=10, idle_linger=0)
        self.assertEqual(done, 1)
        self.assertGreaterEqual(len(calls), 3, "claimed again after the conflict")
        self.assertEqual(len(receiver.requests), 1)


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
