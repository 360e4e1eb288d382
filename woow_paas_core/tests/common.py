"""Base class for Woow PaaS tests; the other addons reuse it."""

import json
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from ..models.woow_paas_subscription import WoowPaasSubscription as CoreSubscription


class WoowPaasCase(TransactionCase):
    """Plans, two customers with portal users, a PaaS user and a manager.

    Built without demo data. Subclasses create their subscriptions and
    tenants with :meth:`_subscription` and :meth:`_tenant`.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.paas_user = new_test_user(
            cls.env, login="test_paas_user", groups="woow_paas_core.group_paas_user"
        )
        cls.paas_manager = new_test_user(
            cls.env, login="test_paas_manager", groups="woow_paas_core.group_paas_manager"
        )
        Partner = cls.env["res.partner"]
        cls.customer_a = Partner.create({"name": "Customer A", "is_company": True})
        cls.customer_b = Partner.create({"name": "Customer B", "is_company": True})
        cls.contact_a = Partner.create({"name": "Alice (A)", "parent_id": cls.customer_a.id})
        cls.contact_b = Partner.create({"name": "Bob (B)", "parent_id": cls.customer_b.id})
        cls.portal_a = new_test_user(
            cls.env, login="test_portal_a", groups="base.group_portal",
            partner_id=cls.contact_a.id, password="test_portal_a",
        )  # fmt: skip
        cls.portal_b = new_test_user(
            cls.env, login="test_portal_b", groups="base.group_portal",
            partner_id=cls.contact_b.id, password="test_portal_b",
        )  # fmt: skip
        Plan = cls.env["woow.paas.plan"]
        cls.plan_monthly = Plan.create(
            {"name": "Test Monthly", "code": "test-monthly", "price": 30.0, "trial_days": 14}
        )
        cls.plan_yearly = Plan.create(
            {"name": "Test Yearly", "code": "test-yearly", "price": 1200.0,
             "billing_interval": "year"}
        )  # fmt: skip

    @classmethod
    def _subscription(cls, partner=None, plan=None, **vals):
        return cls.env["woow.paas.subscription"].create(
            {
                "partner_id": (partner or cls.customer_a).id,
                "plan_id": (plan or cls.plan_monthly).id,
                **vals,
            }
        )

    @classmethod
    def _tenant(cls, code, subscription=None, partner=None, **vals):
        partner = partner or (subscription.partner_id if subscription else cls.customer_a)
        return cls.env["woow.paas.tenant"].create(
            {
                "name": code.title(),
                "code": code,
                "partner_id": partner.id,
                "subscription_id": subscription.id if subscription else False,
                **vals,
            }
        )

    @contextmanager
    def _core_hooks(self, *names):
        """Run with core's own implementation of these subscription hooks,
        whatever installed layer overrides them (billing invoices renewals
        and turns ended trials into paying subscriptions): the tests of core
        check core's default behaviour and machinery."""
        registry_class = type(self.env["woow.paas.subscription"])
        with ExitStack() as stack:
            for name in names:
                stack.enter_context(
                    patch.object(registry_class, name, getattr(CoreSubscription, name))
                )
            yield

    def _events(self, records, event_type=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if event_type:
            domain.append(("event_type", "=", event_type))
        return self.env["woow.paas.event"].search(domain)

    def assertEmitted(self, records, event_type, count=None):
        """Each record of ``records`` has at least one ``event_type`` event."""
        events = self._events(records, event_type)
        self.assertEqual(
            set(events.mapped("res_id")), set(records.ids), f"{event_type} not emitted"
        )
        if count is not None:
            self.assertEqual(len(events), count)
        return events


class WoowPaasRpcMixin:
    """For HttpCase tests: call a model method over JSON-RPC as the browser does."""

    def _call(self, model, method, *args, headers=None, **kwargs):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()
