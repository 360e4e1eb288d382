import ast
import pathlib

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from .common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestEventLog(WoowPaasCase):
    def test_emit_links_and_payload(self):
        """_emit stores the type, the document, the links and the payload."""
        sub = self._subscription()
        tenant = self._tenant("emit-tenant", sub)
        event = self.env["woow.paas.event"]._emit("quota.warning", tenant, {"resource": "users"})
        self.assertEqual(event.event_type, "quota.warning")
        self.assertEqual((event.res_model, event.res_id), ("woow.paas.tenant", tenant.id))
        self.assertEqual(event.tenant_id, tenant)
        self.assertEqual(event.subscription_id, sub)
        self.assertEqual(event.partner_id, self.customer_a)
        self.assertEqual(event.payload, {"resource": "users"})
        self.assertTrue(event.uuid.startswith("evt_"))
        self.assertIn('"resource": "users"', event.payload_display)

    def test_emit_batch(self):
        """One call emits one event per record."""
        subs = self._subscription() | self._subscription(partner=self.customer_b)
        events = self.env["woow.paas.event"]._emit("subscription.checked", subs)
        self.assertEqual(len(events), 2)
        self.assertEqual(events.subscription_id, subs)
        self.assertEqual(len(set(events.mapped("uuid"))), 2)

    def test_append_only(self):
        """Nobody but the superuser modifies or deletes an event."""
        event = self.env["woow.paas.event"]._emit("tenant.created", self._tenant("append-only"))
        for user in (self.paas_user, self.paas_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    event.with_user(user).write({"event_type": "tampered"})
                with self.assertRaises(AccessError):
                    event.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["woow.paas.event"].with_user(user).create({"event_type": "forged"})
        with self.assertRaises(AccessError):
            event.with_user(self.env.ref("base.user_admin")).write({"event_type": "tampered"})
        self.assertEqual(event.event_type, "tenant.created")
        event.sudo().write({"payload": {"redacted": True}})
        self.assertEqual(event.payload, {"redacted": True})
        event.sudo().unlink()
        self.assertFalse(event.exists())

    def test_search_and_group(self):
        """Events are searchable and groupable by type, customer, tenant and date."""
        Event = self.env["woow.paas.event"]
        with freeze_time("2026-01-15 10:00:00"):
            sub_a = self._subscription()
            sub_a.action_activate()
        with freeze_time("2026-02-15 10:00:00"):
            sub_b = self._subscription(partner=self.customer_b)
            tenant = self._tenant("grouped", sub_a)
            tenant.action_provision()
            sub_b.action_activate()
        # Core's own events: layers add theirs (invoices, payments, ...).
        domain = [
            ("partner_id", "in", (self.customer_a | self.customer_b).ids),
            "|",
            ("event_type", "=like", "subscription.%"),
            ("event_type", "=like", "tenant.%"),
        ]
        by_type = dict(Event._read_group(domain, ["event_type"], ["__count"]))
        self.assertEqual(by_type["subscription.activated"], 2)
        self.assertEqual(by_type["tenant.provisioned"], 1)
        by_customer = dict(Event._read_group(domain, ["partner_id"], ["__count"]))
        # created + activated; A also has its tenant's created, provisioning, provisioned.
        self.assertEqual(by_customer[self.customer_b], 2)
        self.assertEqual(by_customer[self.customer_a], 5)
        by_tenant = dict(Event._read_group(domain, ["tenant_id"], ["__count"]))
        self.assertEqual(by_tenant[tenant], 3)
        by_month = {
            month.strftime("%Y-%m"): count
            for month, count in Event._read_group(domain, ["occurred_at:month"], ["__count"])
        }
        self.assertEqual(by_month, {"2026-01": 2, "2026-02": 5})
        self.assertEqual(
            Event.search(domain + [("event_type", "=like", "tenant.%")]).mapped("event_type"),
            ["tenant.provisioned", "tenant.provisioning", "tenant.created"],
        )

    def test_smart_buttons(self):
        """Subscription and tenant event counters open the matching events."""
        sub = self._subscription()
        sub.action_activate()
        action = sub.action_view_events()
        self.assertEqual(
            sub.event_count, self.env["woow.paas.event"].search_count(action["domain"])
        )
        self.assertEqual(
            self._events(sub)
            .filtered(lambda e: e.event_type.startswith("subscription."))
            .mapped("event_type"),
            ["subscription.activated", "subscription.created"],
        )
        found = self.env["woow.paas.event"].search(action["domain"])
        self.assertLessEqual(self._events(sub), found)
        self.assertEqual(found.subscription_id, sub)


# The methods that emit, and the position of the event type among their arguments.
EMITTERS = {"_emit": 0, "_emit_changes": 0, "_paas_emit_durable": 0, "_paas_transition": 1,
            "_paas_run_scheduled": 2}  # fmt: skip


def _emitted_types(path):
    """The literal event types that the Python code under ``path`` emits
    (tests left out), by reading its syntax tree."""
    found = set()
    for file in pathlib.Path(path).rglob("*.py"):
        if "tests" in file.parts:
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            position = EMITTERS.get(node.func.attr)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


@tagged("post_install", "-at_install")
class TestEventTypes(WoowPaasCase):
    def test_every_emitted_type_is_declared(self):
        """The registry lists every event type the installed addons emit,
        each with a label: webhook forms offer exactly these."""
        types = self.env["woow.paas.event"]._paas_event_types()
        emitted = set()
        for module in self.env.registry._init_modules:
            if module.startswith("woow_paas_"):
                emitted |= _emitted_types(get_module_path(module))
        self.assertIn("tenant.created", emitted, "the source scan found nothing")
        self.assertFalse(emitted - set(types), "emitted but not declared")
        for event_type, info in types.items():
            self.assertRegex(event_type, r"^[a-z_]+\.[a-z_]+$")
            self.assertTrue(info["label"], event_type)
            self.assertIsInstance(info["customer"], bool)

    def test_customer_flag_follows_the_links(self):
        """An event type marked for customers carries the customer's id: a
        tenant's event does, a plan's does not."""
        types = self.env["woow.paas.event"]._paas_event_types()
        tenant = self._tenant("types-tenant")
        event = self.env["woow.paas.event"]._emit("tenant.updated", tenant)
        self.assertTrue(types["tenant.updated"]["customer"])
        self.assertEqual(event.partner_id, self.customer_a)
        plan_event = self.env["woow.paas.event"]._emit("plan.updated", self.plan_monthly)
        self.assertFalse(types["plan.updated"]["customer"])
        self.assertFalse(plan_event.partner_id)
