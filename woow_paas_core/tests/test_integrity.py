from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import WoowPaasCase, WoowPaasRpcMixin


@tagged("post_install", "-at_install")
class TestProtectedFields(WoowPaasCase):
    """Fields that the moves own are refused to plain writes, for everyone
    but the superuser, with nothing written and no event missing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Integrity Other Co"})
        cls.eur = cls.env.ref("base.EUR")

    def _active(self):
        sub = self._subscription()
        sub.action_activate()
        return sub

    def _snapshot(self, record):
        names = [name for name in record._fields if record._fields[name].store]
        return {name: record[name] for name in names if name not in ("write_date", "__last_update")}

    def test_subscription_tampering_refused(self):
        """Every protected field of a running subscription is refused, as PaaS User and Manager."""
        tampering = {
            "state": "cancelled",
            "current_period_start": date(2020, 1, 1),
            "current_period_end": date(2030, 1, 1),
            "period_anchor_date": date(2020, 1, 1),
            "trial_end_date": date(2030, 1, 1),
            "cancel_date": date(2020, 1, 1),
            "cancel_reason": "forged",
            "name": "SUB/FORGED",
            "partner_id": self.customer_b.id,
            "company_id": self.other_company.id,
            "price": 1.0,
            "currency_id": self.eur.id,
            "billing_interval": "year",
            "plan_id": self.plan_yearly.id,
            "date_start": date(2020, 1, 1),
            "paas_retry_at": "2030-01-01 00:00:00",
        }
        for user in (self.paas_user, self.paas_manager):
            sub = self._active()
            before = self._snapshot(sub)
            events = len(self._events(sub))
            for field, value in tampering.items():
                with self.subTest(user=user.login, field=field):
                    with self.assertRaises(UserError) as caught:
                        sub.with_user(user).write({field: value})
                    self.assertIn("managed by the platform", str(caught.exception))
            # The woow_paas_plan_change context of old unlocks nothing.
            with self.assertRaises(UserError):
                sub.with_user(user).with_context(woow_paas_plan_change=True).write(
                    {"plan_id": self.plan_yearly.id}
                )
            sub.invalidate_recordset()
            self.assertEqual(self._snapshot(sub), before)
            self.assertEqual(len(self._events(sub)), events)
            self.assertEqual(sub.tenant_ids.mapped("state"), [])

    def test_subscription_create_in_a_state_refused(self):
        """A subscription cannot be created running, or with its periods made up."""
        Sub = self.env["woow.paas.subscription"].with_user(self.paas_user)
        base = {"partner_id": self.customer_a.id, "plan_id": self.plan_monthly.id}
        for vals in (
            {"state": "active"},
            {"current_period_end": "2030-01-01"},
            {"trial_end_date": "2030-01-01"},
            {"price": 0.0 + 1},
            {"name": "SUB/MINE"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                Sub.create(dict(base, **vals))
        self.assertFalse(Sub.search([("partner_id", "=", self.customer_a.id)]))
        # Drafts may still be created with their editable fields, and copied.
        sub = Sub.create(dict(base, date_start="2026-01-01", state="draft"))
        self.assertEqual(sub.state, "draft")
        sub.action_activate()
        copy = sub.copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.current_period_end)
        self.assertNotEqual(copy.name, sub.name)

    def test_import_cannot_set_state(self):
        """An import with a state column is refused row by row and writes nothing."""
        Sub = self.env["woow.paas.subscription"].with_user(self.paas_user)
        result = Sub.load(
            ["partner_id/.id", "plan_id/.id", "state"],
            [[str(self.customer_a.id), str(self.plan_monthly.id), "active"]],
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("managed by the platform" in m["message"] for m in result["messages"]))
        self.assertFalse(Sub.search([("partner_id", "=", self.customer_a.id)]))

    def test_tenant_tampering_refused(self):
        """A tenant's status fields, and an active tenant's customer, subscription
        and code, are refused to plain writes."""
        sub = self._active()
        sub_b = self._subscription(partner=self.customer_b)
        sub_b.action_activate()
        tenant = self._tenant("guarded", sub)
        tenant.action_provision()
        for field, value in {
            "state": "suspended",
            "suspended_by_subscription": True,
            "state_message": "forged",
            "provisioned_date": "2020-01-01 00:00:00",
            "archived_date": "2020-01-01 00:00:00",
            "partner_id": self.customer_b.id,
            "subscription_id": sub_b.id,
            "code": "renamed",
            "company_id": self.other_company.id,
        }.items():
            with self.subTest(field=field), self.assertRaises(UserError):
                tenant.with_user(self.paas_user).write({field: value})
        self.assertEqual(tenant.state, "active")
        self.assertEqual(tenant.partner_id, self.customer_a)
        with self.assertRaises(UserError):
            self.env["woow.paas.tenant"].with_user(self.paas_user).create(
                {"name": "X", "code": "born-active", "partner_id": self.customer_a.id,
                 "subscription_id": sub.id, "state": "active"}
            )  # fmt: skip
        self.assertFalse(self.env["woow.paas.tenant"].search([("code", "=", "born-active")]))

    def test_superuser_may_write(self):
        """The superuser (data files, migrations, trusted code) is not refused."""
        sub = self._active()
        sub.sudo().write({"cancel_reason": "Data fix"})
        self.assertEqual(sub.cancel_reason, "Data fix")

    def test_customer_moves_keep_tenants_consistent(self):
        """A started subscription keeps its customer; a draft cannot leave its tenants behind."""
        sub = self._active()
        with self.assertRaises(UserError):
            sub.with_user(self.paas_user).partner_id = self.customer_b
        draft = self._subscription()
        self._tenant("follows-draft", draft)
        with self.assertRaises(ValidationError):
            draft.with_user(self.paas_user).partner_id = self.customer_b
        self.assertEqual(draft.partner_id, self.customer_a)
        self.assertFalse(
            self.env["woow.paas.tenant"]
            .with_user(self.portal_b)
            .search([("code", "=", "follows-draft")])
        )

    def test_provisioning_callbacks(self):
        """Only provisioning ends provisioning, and never into an active tenant
        under a stopped subscription."""
        sub = self._active()
        tenant = self._tenant("in-progress", sub)
        tenant._paas_transition("provisioning", "tenant.provisioning")
        with self.assertRaises(UserError):
            tenant.with_user(self.paas_user).action_activate()
        with self.assertRaises(UserError):
            tenant.with_user(self.paas_user).action_suspend()
        self.assertFalse(hasattr(tenant, "action_fail"))
        self.assertEqual(tenant.state, "provisioning")
        sub.action_suspend()
        tenant._paas_provisioned()
        self.assertEqual(tenant.state, "suspended")
        self.assertTrue(tenant.suspended_by_subscription)
        self.assertTrue(tenant.provisioned_date)
        self.assertEqual(
            self.assertEmitted(tenant, "tenant.provisioned", count=1).payload["to"], "suspended"
        )
        sub.action_reactivate()
        self.assertEqual(tenant.state, "active")

    def test_portal_reads_whole_records(self):
        """A portal user reads its own subscription and tenant with no field
        list (as the portal and the API will), and sees no operator field."""
        sub = self._active()
        tenant = self._tenant("portal-read", sub)
        tenant.action_provision()
        for record in (sub, tenant):
            values = record.with_user(self.portal_a).read()[0]
            self.assertEqual(values["id"], record.id)
            self.assertNotIn("event_count", values)

    def test_partner_fields_hidden_outside_paas(self):
        """Internal users outside the PaaS groups read partners without the PaaS fields."""
        internal = self.env["res.users"].create(
            {"name": "Accountant", "login": "test_integrity_internal",
             "group_ids": [Command.set(self.env.ref("base.group_user").ids)]}
        )  # fmt: skip
        visible = self.env["res.partner"].with_user(internal).fields_get(attributes=())
        self.assertFalse([name for name in visible if name.startswith("paas_")])
        self.assertIn("is_paas_customer", visible)
        self.assertTrue(self.customer_a.with_user(internal).read(list(visible)[:50]))
        self.assertIn(
            "paas_subscription_count",
            self.env["res.partner"].with_user(self.paas_user).fields_get(attributes=()),
        )

    def test_paas_user_is_no_contact_manager(self):
        """PaaS Users create and edit customers, but delete none and get no contact rights."""
        self.assertFalse(self.paas_user.has_group("base.group_partner_manager"))
        partner = self.env["res.partner"].with_user(self.paas_user).create({"name": "New Co"})
        partner.write({"phone": "+32 2 000 00 00"})
        with self.assertRaises(AccessError):
            partner.unlink()

    def test_emit_returns_caller_records(self):
        """_emit returns the events in the caller's environment, not as superuser."""
        sub = self._subscription().with_user(self.paas_user)
        events = self.env["woow.paas.event"].with_user(self.paas_user)._emit("test.caller", sub)
        self.assertEqual(events.env.uid, self.paas_user.id)
        self.assertFalse(events.env.su)


@tagged("post_install", "-at_install")
class TestRpcTampering(WoowPaasRpcMixin, HttpCase, WoowPaasCase):
    """The same refusals over JSON-RPC, as an integrator would try them."""

    @mute_logger("odoo.http")
    def test_rpc_tampering(self):
        """A PaaS User or Manager over RPC can neither write a state, create a
        running record, change a running plan, nor call a provisioning callback."""
        for login in ("test_paas_user", "test_paas_manager"):
            with self.subTest(login=login):
                self._try_tampering(login)

    @mute_logger("odoo.http")
    def test_rpc_tenant_code_with_final_newline(self):
        """A tenant code with a final newline (which "$" lets through) is
        refused over JSON-RPC; no tenant is created."""
        self.authenticate("test_paas_manager", "test_paas_manager")
        for code in ("x\n", "acme-rpc\n"):
            with self.subTest(code=code):
                answer = self._call(
                    "woow.paas.tenant", "create",
                    [{"name": "Newline", "code": code, "partner_id": self.customer_a.id}],
                )  # fmt: skip
                self.assertEqual(
                    answer["error"]["data"]["name"], "odoo.exceptions.ValidationError", answer
                )
        self.assertFalse(
            self.env["woow.paas.tenant"].search_count([("code", "in", ("x\n", "acme-rpc\n"))])
        )

    def _try_tampering(self, login):
        sub = self._subscription()
        sub.action_activate()
        tenant = self._tenant(f"rpc-{login.replace('_', '-')}", sub)
        tenant._paas_transition("provisioning", "tenant.provisioning")
        events = len(self._events(sub))
        self.authenticate(login, login)
        model = "woow.paas.subscription"
        answer = self._call(model, "write", [sub.id], {"state": "cancelled"})
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        answer = self._call(
            model, "create", [{"partner_id": self.customer_a.id,
                               "plan_id": self.plan_monthly.id, "state": "active"}]
        )  # fmt: skip
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        answer = self._call(
            model, "write", [sub.id], {"plan_id": self.plan_yearly.id},
            context={"woow_paas_plan_change": True},
        )  # fmt: skip
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        for method in ("_paas_provisioned", "_paas_provision_failed", "_paas_renew"):
            answer = self._call("woow.paas.tenant", method, [tenant.id])
            self.assertIn("error", answer)
        answer = self._call("woow.paas.tenant", "action_activate", [tenant.id])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertEqual(sub.state, "active")
        self.assertEqual(sub.plan_id, self.plan_monthly)
        self.assertEqual(tenant.state, "provisioning")
        self.assertEqual(len(self._events(sub)), events)
