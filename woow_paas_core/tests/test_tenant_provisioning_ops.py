"""Operators' view of provisioning: the tenant form follows status changes
live (bus notifications), and a provisioning that does not end can be
retried, cancelled or archived through the lifecycle's moves."""

import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import WoowPaasCase

NOTIFICATION = "woow_paas.tenant/state"


@tagged("post_install", "-at_install")
class TestTenantProvisioningOps(WoowPaasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub = cls._subscription()
        cls.sub.action_activate()
        cls.group_channel = json_dump(
            channel_with_db(cls.env.cr.dbname, cls.env.ref("woow_paas_core.group_paas_user"))
        )

    def _provisioning(self, code, started=None):
        """A tenant left in provisioning (core's own provisioning ends at
        once, as if its job never reported)."""
        tenant = self._tenant(code, self.sub)
        tenant._paas_transition(
            "provisioning",
            "tenant.provisioning",
            vals={"provisioning_date": started or fields.Datetime.now()},
        )
        return tenant

    def _state_notifications(self):
        self.env.cr.precommit.run()  # what a commit does: write the bus rows
        rows = self.env["bus.bus"].sudo().search([("channel", "=", self.group_channel)])
        return [
            message["payload"]
            for message in (json.loads(row.message) for row in rows)
            if message["type"] == NOTIFICATION
        ]

    def test_status_change_notified_on_the_bus(self):
        """Every move of tenants sends one notification with their ids and
        new status to the PaaS users' group, which every PaaS user's
        browser listens to; a refused move sends nothing."""
        self.env["bus.bus"].sudo().search([]).unlink()
        one = self._tenant("bus-one", self.sub)
        two = self._tenant("bus-two", self.sub)
        self.assertEqual(self._state_notifications(), [])
        (one | two).with_user(self.paas_user).action_provision()
        payloads = self._state_notifications()
        self.assertIn({"ids": (one | two).ids, "state": "provisioning"}, payloads)
        self.assertIn({"ids": (one | two).ids, "state": "active"}, payloads)
        count = len(payloads)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            one.action_provision()  # already active: refused
        self.assertEqual(len(self._state_notifications()), count)
        one.action_suspend()
        self.assertEqual(self._state_notifications()[-1], {"ids": one.ids, "state": "suspended"})

    def test_stuck_only_past_the_threshold(self):
        """Retry, Cancel and Archive are offered once provisioning has run
        longer than the threshold (system parameter, 15 minutes by default)."""
        with freeze_time("2026-03-02 10:00:00"):
            tenant = self._provisioning("stuck-threshold")
            self.assertFalse(tenant.paas_provisioning_stuck)
        with freeze_time("2026-03-02 10:16:00"):
            tenant.invalidate_recordset(["paas_provisioning_stuck"])
            self.assertTrue(tenant.paas_provisioning_stuck)
            self.env["ir.config_parameter"].set_param(
                "woow_paas_core.provisioning_stuck_minutes", "30"
            )
            tenant.invalidate_recordset(["paas_provisioning_stuck"])
            self.assertFalse(tenant.paas_provisioning_stuck)
        active = self._tenant("stuck-active", self.sub)
        active.action_provision()
        self.assertFalse(active.paas_provisioning_stuck)

    def test_cancel_retry_archive_stuck(self):
        """Cancel leaves the tenant failed with who cancelled; Retry goes
        through failed back to provisioning (core then completes at once);
        Archive retires it. Each move is in the chatter and the event log."""
        old = fields.Datetime.now() - timedelta(hours=2)
        cancelled = self._provisioning("stuck-cancel", started=old)
        cancelled.with_user(self.paas_user).action_cancel_provisioning()
        self.assertEqual(cancelled.state, "failed")
        self.assertIn("cancelled by", cancelled.state_message)
        event = self.assertEmitted(cancelled, "tenant.failed", count=1)
        self.assertEqual(event.user_id, self.paas_user)

        retried = self._provisioning("stuck-retry", started=old)
        retried.with_user(self.paas_user).action_retry_provisioning()
        self.assertEqual(retried.state, "active")
        self.assertFalse(retried.state_message)
        self.assertGreater(retried.provisioning_date, old)
        self.assertEmitted(retried, "tenant.failed", count=1)
        self.assertEmitted(retried, "tenant.provisioning", count=2)
        self.assertEmitted(retried, "tenant.provisioned", count=1)

        archived = self._provisioning("stuck-archive", started=old)
        archived.with_user(self.paas_user).action_archive_provisioning()
        self.assertEqual(archived.state, "archived")
        self.assertEmitted(archived, "tenant.archived", count=1)
        bodies = " ".join(str(body) for body in archived.message_ids.mapped("body"))
        self.assertIn("Provisioning → Failed", bodies)

    def test_stuck_actions_refused_when_not_provisioning(self):
        """On a tenant that is not being provisioned the three actions are
        refused and change nothing."""
        tenant = self._tenant("stuck-none", self.sub)
        tenant.action_provision()
        for action in (
            "action_cancel_provisioning",
            "action_retry_provisioning",
            "action_archive_provisioning",
        ):
            events = len(self._events(tenant))
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(tenant.with_user(self.paas_user), action)()
            self.assertEqual(tenant.state, "active")
            self.assertEqual(len(self._events(tenant)), events)
        with self.assertRaises(UserError):
            # Portal users, who may read their tenants, cannot move them.
            self._provisioning("stuck-portal").with_user(self.portal_a).action_cancel_provisioning()
