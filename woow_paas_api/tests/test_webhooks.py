from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from odoo import fields
from odoo.tests import tagged

from ..tools import webhook as wh
from .webhook_common import WoowPaasWebhookCase
from .webhook_receiver import Receiver


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
