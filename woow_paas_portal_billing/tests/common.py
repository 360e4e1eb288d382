"""Base class of the portal billing tests; other addons may reuse it."""

from datetime import datetime, timedelta, timezone

from odoo.tests import HttpCase

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


class WoowPaasPortalBillingCase(WoowPaasCase, HttpCase):
    """Customer A: an active monthly subscription (its period invoiced, with
    usage of one billed metric on its tenant), cheaper and dearer public
    plans to move to, a private one; customer B: its own subscription."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["woow.paas.plan"]
        cls.plan_up = Plan.create({"name": "Test Scale", "code": "test-scale", "price": 90.0})
        cls.plan_down = Plan.create({"name": "Test Lite", "code": "test-lite", "price": 12.0})
        cls.plan_private = Plan.create(
            {"name": "Test Secret", "code": "test-secret", "price": 50.0, "is_public": False}
        )
        cls.metric = cls.env["woow.paas.metric"].create(
            {"name": "Portal Calls", "code": "portal_calls", "unit": "calls", "digits": 0}
        )
        cls.env["woow.paas.plan.metric"].create(
            {"plan_id": cls.plan_monthly.id, "metric_id": cls.metric.id, "unit_price": 0.5}
        )
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("pbill-a", cls.sub_a)
        cls.tenant_b = cls._tenant("pbill-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        cls.env["woow.paas.usage.event"].ingest(
            [
                {
                    "tenant": "pbill-a",
                    "metric": "portal_calls",
                    "quantity": 7,
                    "timestamp": (now - timedelta(minutes=5 + n)).isoformat(),
                    "idempotency_key": f"pbill-a-{n}",
                }
                for n in range(3)
            ]
        )

    def _csrf(self):
        """A CSRF token of the current test session, as a form carries it."""
        text = self.url_open("/my").text
        marker = 'csrf_token: "'
        start = text.index(marker) + len(marker)
        return text[start : text.index('"', start)]

    def _post(self, url, data, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(url, data=data, allow_redirects=False)
