import base64
import csv
import io
import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import WoowPaasCase, WoowPaasRpcMixin


@tagged("post_install", "-at_install")
class TestAuditTrail(WoowPaasCase):
    """Each change to what a customer pays or can use is one event with before and after."""

    def _plan_events(self, plan, event_type):
        return self.env["woow.paas.event"].search(
            [("plan_id", "=", plan.id), ("event_type", "=", event_type)]
        )

    def test_plan_changes(self):
        """Price, trial and interval changes of a plan: one plan.updated each."""
        plan = self.plan_monthly.with_user(self.paas_manager)
        plan.price = 35.0
        plan.write({"trial_days": 7, "billing_interval": "year"})
        plan.name = "Renamed"  # not audited: changes nothing a customer pays
        events = self._plan_events(plan, "plan.updated").sorted("id")
        self.assertEqual(len(events), 2)
        self.assertEqual(events[0].payload, {"changes": {"price": {"before": 30.0, "after": 35.0}}})
        self.assertEqual(
            events[1].payload["changes"],
            {"trial_days": {"before": 14, "after": 7},
             "billing_interval": {"before": "month", "after": "year"}},
        )  # fmt: skip
        self.assertEqual(events[1].user_id, self.paas_manager)

    def test_quota_changes(self):
        """Quota lines added, changed and removed are events on their plan."""
        users = self.env.ref("woow_paas_core.resource_users")
        line = self.env["woow.paas.plan.quota"].create(
            {"plan_id": self.plan_monthly.id, "resource_id": users.id, "limit": 5}
        )
        line.limit = 10
        line.limit = 10  # unchanged: no event
        line.unlink()
        payloads = (
            self._plan_events(self.plan_monthly, "plan.quota_changed")
            .sorted("id")
            .mapped("payload")
        )
        self.assertEqual(
            payloads,
            [{"resource": "users", "before": None, "after": 5.0},
             {"resource": "users", "before": 5.0, "after": 10.0},
             {"resource": "users", "before": 10.0, "after": None}],
        )  # fmt: skip

    def test_subscription_and_tenant_changes(self):
        """Creation, and a draft's customer or plan change, are recorded with both values."""
        sub = self._subscription()
        created = self.assertEmitted(sub, "subscription.created", count=1)
        self.assertEqual(created.payload["plan"], "test-monthly")
        self.assertEqual(created.payload["price"], 30.0)
        sub.with_user(self.paas_user).write(
            {"partner_id": self.customer_b.id, "plan_id": self.plan_yearly.id}
        )
        changes = self.assertEmitted(sub, "subscription.updated", count=1).payload["changes"]
        self.assertEqual(changes["partner_id"]["before"]["id"], self.customer_a.id)
        self.assertEqual(changes["partner_id"]["after"]["id"], self.customer_b.id)
        self.assertEqual(changes["plan_id"]["after"]["id"], self.plan_yearly.id)
        self.assertEqual(sub.price, 1200.0)
        tenant = self._tenant("audited", partner=self.customer_a)
        tenant.with_user(self.paas_user).write(
            {"partner_id": self.customer_b.id, "subscription_id": sub.id}
        )
        changes = self.assertEmitted(tenant, "tenant.updated", count=1).payload["changes"]
        self.assertEqual(set(changes), {"partner_id", "subscription_id"})
        self.assertIsNone(changes["subscription_id"]["before"])

    def test_actor_origin(self):
        """Events say who acted and from where: system code, or a cron by name."""
        sub = self._subscription()
        self.assertEqual(self._events(sub).origin, "system")
        cron = self.env.ref("woow_paas_core.ir_cron_renew_periods")
        event = self.env["woow.paas.event"].with_context(cron_id=cron.id)._emit("test.cron", sub)
        self.assertEqual(event.origin, f"cron: {cron.cron_name}")

    def test_reason_shows_as_typed(self):
        """A reason with < or & is escaped once in the chatter, not interpreted."""
        sub = self._subscription()
        sub.action_activate()
        sub.action_cancel(reason="Price <too high> & support slow")
        body = str(sub.message_ids[0].body)
        self.assertIn("Price &lt;too high&gt; &amp; support slow", body)
        self.assertNotIn("<too high>", body)

    def test_purge_past_retention(self):
        """Only the superuser purges, only past retention, and the purge is an event."""
        with freeze_time(datetime.now() - timedelta(days=400)):
            old = self._subscription()
        recent = self._subscription()
        self.env["ir.config_parameter"].set_param("woow_paas_core.event_retention_days", "365")
        Event = self.env["woow.paas.event"]
        with self.assertRaises(AccessError):
            Event.with_user(self.paas_manager)._purge_expired()
        self.assertTrue(self._events(old))
        purged = Event.sudo()._purge_expired()
        self.assertGreaterEqual(purged, 1)
        self.assertFalse(self._events(old))
        self.assertTrue(self._events(recent))
        record = Event.search([("event_type", "=", "event.purged")])
        self.assertEqual(record.payload["count"], purged)
        self.assertEqual(record.payload["retention_days"], 365)

    def test_export_csv(self):
        """The Events list exports the selected events as CSV."""
        sub = self._subscription()
        sub.action_activate()
        events = self._events(sub).with_user(self.paas_manager)
        action = events.action_export_csv()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        rows = list(csv.reader(io.StringIO(base64.b64decode(attachment.datas).decode())))
        self.assertEqual(rows[0][:3], ["uuid", "occurred_at", "event_type"])
        self.assertEqual(
            sorted(row[2] for row in rows[1:]),
            ["subscription.activated", "subscription.created"],
        )
        self.assertEqual(json.loads(rows[1][-1])["from"] if rows[1][2] == "subscription.activated"
                         else json.loads(rows[2][-1])["from"], "draft")  # fmt: skip


@tagged("post_install", "-at_install")
class TestAuditOverHttp(WoowPaasRpcMixin, HttpCase, WoowPaasCase):
    def test_http_actor(self):
        """A change made over HTTP records the remote address and user agent."""
        sub = self._subscription()
        self.authenticate("test_paas_user", "test_paas_user")
        answer = self._call(
            "woow.paas.subscription", "action_activate", [sub.id],
            headers={"User-Agent": "audit-test/1.0"},
        )  # fmt: skip
        self.assertNotIn("error", answer)
        event = self.assertEmitted(sub, "subscription.activated", count=1)
        self.assertEqual(event.origin, "http")
        self.assertEqual(event.remote_addr, "127.0.0.1")
        self.assertEqual(event.user_agent, "audit-test/1.0")
        self.assertEqual(event.user_id, self.paas_user)
