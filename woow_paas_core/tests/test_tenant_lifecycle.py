from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import WoowPaasCase

ALLOWED = {
    "draft": {"provisioning", "archived"},
    # Provisioning may also end suspended: see test_provisioned_under_stopped_subscription.
    "provisioning": {"active", "failed"},
    "active": {"suspended", "archived"},
    "suspended": {"active", "archived"},
    "failed": {"provisioning", "archived"},
    "archived": set(),
}
EVENTS = {
    ("draft", "provisioning"): "tenant.provisioning",
    ("failed", "provisioning"): "tenant.provisioning",
    ("provisioning", "active"): "tenant.provisioned",
    ("suspended", "active"): "tenant.reactivated",
    ("provisioning", "failed"): "tenant.failed",
    ("active", "suspended"): "tenant.suspended",
}


@tagged("post_install", "-at_install")
class TestTenantLifecycle(WoowPaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub = cls._subscription()
        cls.sub.action_activate()
        cls.counter = 0

    def _new(self):
        type(self).counter += 1
        return self._tenant(f"tenant-{self.counter}", self.sub)

    def _in_state(self, state):
        tenant = self._new()
        if state == "provisioning" or state == "failed":
            # Core provisions at once; reach the intermediate state directly.
            tenant._paas_transition("provisioning", "tenant.provisioning")
            if state == "failed":
                tenant._paas_provision_failed(reason="Disk full")
        elif state in ("active", "suspended", "archived"):
            tenant.action_provision()
            if state == "suspended":
                tenant.action_suspend()
            if state == "archived":
                tenant.action_archive()
        self.assertEqual(tenant.state, state)
        return tenant

    def _move(self, tenant, target):
        if target == "provisioning":
            # action_provision would chain to active; check the single move.
            return tenant._paas_transition("provisioning", "tenant.provisioning")
        if tenant.state == "provisioning":
            # The provisioning job's private callbacks end provisioning.
            return {
                "active": tenant._paas_provisioned,
                "suspended": tenant.action_suspend,
                "archived": tenant.action_archive,
                "failed": tenant._paas_provision_failed,
            }[target]()
        return {
            "active": tenant.action_activate,
            "suspended": tenant.action_suspend,
            "archived": tenant.action_archive,
            "failed": tenant._paas_provision_failed,
        }[target]()

    def test_every_transition(self):
        """Each (state, move) pair is allowed or refused exactly as designed."""
        for source, targets in ALLOWED.items():
            for target in ALLOWED:
                if target == "draft":
                    continue
                with self.subTest(source=source, target=target):
                    tenant = self._in_state(source)
                    events_before = len(self._events(tenant))
                    if target in targets:
                        self._move(tenant, target)
                        self.assertEqual(tenant.state, target)
                        expected = EVENTS.get((source, target), f"tenant.{target}")
                        self.assertTrue(self._events(tenant, expected))
                    else:
                        with self.assertRaises(UserError):
                            self._move(tenant, target)
                        self.assertEqual(tenant.state, source)
                        self.assertEqual(len(self._events(tenant)), events_before)

    def test_created_event_and_provision(self):
        """Creation is an event; core provisioning completes at once."""
        tenant = self._new()
        self.assertEmitted(tenant, "tenant.created", count=1)
        tenant.action_provision()
        self.assertEqual(tenant.state, "active")
        self.assertTrue(tenant.provisioned_date)
        self.assertEmitted(tenant, "tenant.provisioning", count=1)
        event = self.assertEmitted(tenant, "tenant.provisioned", count=1)
        self.assertEqual(event.tenant_id, tenant)
        self.assertEqual(event.subscription_id, self.sub)
        self.assertEqual(event.partner_id, self.customer_a)

    def test_provision_needs_running_subscription(self):
        """No subscription, or one not running, means no provisioning."""
        orphan = self._tenant("orphan-tenant")
        draft_sub = self._subscription()
        waiting = self._tenant("waiting-tenant", draft_sub)
        for tenant in (orphan, waiting):
            with self.assertRaises(UserError):
                tenant.action_provision()
            self.assertEqual(tenant.state, "draft")
            self.assertFalse(self._events(tenant, "tenant.provisioning"))

    def test_failure_and_retry(self):
        """A failed tenant keeps why, and a retry clears it."""
        tenant = self._in_state("failed")
        self.assertEqual(tenant.state_message, "Disk full")
        self.assertEqual(self._events(tenant, "tenant.failed").payload["reason"], "Disk full")
        tenant.action_provision()
        self.assertEqual(tenant.state, "active")
        self.assertFalse(tenant.state_message)

    def test_code_frozen_once_provisioned(self):
        """The code is the host name: it cannot change after provisioning."""
        tenant = self._in_state("active")
        with self.assertRaises(UserError):
            tenant.with_user(self.paas_user).code = "renamed-tenant"
        self.assertNotEqual(tenant.code, "renamed-tenant")
        draft = self._new()
        draft.with_user(self.paas_user).code = "renamed-draft"
        self.assertEqual(draft.code, "renamed-draft")

    def test_unlink_only_draft_or_failed(self):
        """Running tenants are archived, not deleted."""
        tenant = self._in_state("active")
        with self.assertRaises(UserError):
            tenant.unlink()
        self.assertTrue(tenant.exists())
        self._new().unlink()

    def test_archive_is_final(self):
        """An archived tenant stays archived."""
        tenant = self._in_state("archived")
        self.assertTrue(tenant.archived_date)
        with self.assertRaises(UserError):
            tenant.action_provision()
        self.assertEqual(tenant.state, "archived")

    def test_customer_self_service_rules(self):
        """A customer suspends only where the plan allows it and resumes only
        its own suspension: never the platform's, even after an operator
        lifted the customer's and suspended again; another customer's tenant
        is refused."""
        tenant = self._in_state("active").with_user(self.portal_a)
        with self.assertRaises(AccessError):
            tenant._paas_customer_suspend()
        self.assertEqual(tenant.state, "active")
        self.plan_monthly.portal_self_suspend = True
        with self.assertRaises(AccessError):
            tenant.with_user(self.portal_b)._paas_customer_suspend()
        self.assertFalse(tenant._paas_customer_can("resume"))
        tenant._paas_customer_suspend(reason="Holidays")
        self.assertEqual((tenant.state, tenant.paas_customer_suspended), ("suspended", True))
        self.assertTrue(tenant._paas_customer_can("resume"))
        tenant.sudo().action_activate()
        self.assertFalse(tenant.paas_customer_suspended)
        tenant.sudo().action_suspend(reason="Abuse")
        self.assertFalse(tenant._paas_customer_can("resume"))
        with self.assertRaises(AccessError):
            tenant._paas_customer_resume()
        self.assertEqual(tenant.state, "suspended")
        # The customer's own, under a stopped subscription: not now.
        tenant.sudo().action_activate()
        tenant._paas_customer_suspend()
        self.sub.action_suspend()
        with self.assertRaises(UserError):
            tenant._paas_customer_resume()
        self.assertEqual(tenant.state, "suspended")
        # The mark follows the moves only: an operator does not set it by hand.
        with self.assertRaises(UserError):
            tenant.with_user(self.paas_manager).write({"paas_customer_suspended": False})
