"""The base case of the webhook tests."""

import json
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from odoo.tests.common import _super_send

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


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
