from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged
from odoo.tests.common import _super_send

from odoo.addons.woow_paas_api.tests.webhook_receiver import Receiver
from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestPortalApiTours(WoowPaasCase, HttpCase):
    @classmethod
    def _request_handler(cls, s, r, **kw):
        """Let the webhook worker reach the local receiver with its own
        (connect, read) timeouts, which the harness cannot compare."""
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def test_api_key_tour(self):
        """A customer creates a key, sees it once, revokes it; the browser
        checks over HTTP that it authenticated, then that it no longer does."""
        self.start_tour("/my/api", "woow_paas_portal_api_key_tour", login="test_portal_a")
        key = self.env["woow.paas.api.key"].search([("name", "=", "Tour deploys")])
        self.assertEqual(len(key), 1)
        self.assertEqual(key.user_id, self.portal_a)
        self.assertEqual(key.state, "revoked")
        self.assertIn("tenants:write", key.scopes.split())
        self.assertTrue(key.last_used_at, "the tour's API call did not authenticate")

    def test_webhook_test_send_tour(self):
        """A customer picks the events of their endpoint from the list, then
        sends a test message and reads its result without leaving the page;
        a local receiver gets it, signed."""
        Delivery = self.env["woow.paas.webhook.delivery"]

        def deliver_tests_now(self_, at=None):
            """A worker that wakes at once: what the cron does within seconds."""
            self_.search([("is_test", "=", True), ("state", "=", "pending")])._deliver()

        with Receiver() as receiver:
            # Loopback is refused unless an operator allows it.
            endpoint = (
                self.env["woow.paas.webhook.endpoint"]
                .with_user(self.paas_manager)
                .create(
                    {"url": receiver.url, "user_id": self.portal_a.id,
                     "allow_private_network": True}
                )
            )  # fmt: skip
            with patch.object(type(Delivery), "_trigger_worker", deliver_tests_now):
                self.start_tour(
                    "/my/api", "woow_paas_portal_api_webhook_tour", login="test_portal_a"
                )
            self.assertEqual(len(receiver.requests), 1)
        self.assertEqual(endpoint.event_types, "tenant.* subscription.cancelled")
        headers, body = receiver.requests[0]
        self.assertTrue(headers["webhook-signature"].startswith("v1,"))
        self.assertIn(b'"webhook.test"', body)
        delivery = Delivery.search([("endpoint_id", "=", endpoint.id)])
        self.assertEqual(delivery.state, "delivered")
        # Without JavaScript, the form posts and the page says the same.
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open(f"/my/api/webhooks/{endpoint.id}?tested={delivery.id}").text
        self.assertIn("Test message delivered", page)
        self.assertIn("HTTP 200", page)
