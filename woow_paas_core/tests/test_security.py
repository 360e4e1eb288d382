from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import WoowPaasCase, WoowPaasRpcMixin


class PortalFixture:
    """Customer A and B each with a running subscription and a tenant."""

    @classmethod
    def _setup_portal_fixture(cls):
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("tenant-a", cls.sub_a)
        cls.tenant_b = cls._tenant("tenant-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()


@tagged("post_install", "-at_install")
class TestRecordRules(WoowPaasCase, PortalFixture):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()

    def test_portal_sees_only_own_customer(self):
        """Search, count and read of a portal user stop at its commercial partner."""
        for model, own, other in (
            ("woow.paas.subscription", self.sub_a, self.sub_b),
            ("woow.paas.tenant", self.tenant_a, self.tenant_b),
        ):
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.portal_a)
                self.assertEqual(Model.search([]), own)
                self.assertEqual(Model.search_count([]), 1)
                self.assertEqual(Model.search_count([("id", "=", other.id)]), 0)
                key = "code" if model == "woow.paas.tenant" else "name"
                self.assertFalse(Model.search([(key, "=", other[key])]))
                self.assertEqual(Model.browse(own.id).read(["state"])[0]["state"], "active")
                with self.assertRaises(AccessError):
                    Model.browse(other.id).read(["state"])
                self.assertFalse(Model._read_group([], ["commercial_partner_id"], ["__count"])[1:])

    def test_portal_cannot_write(self):
        """A portal user writes, creates and deletes none of them, even its own."""
        sub = self.sub_a.with_user(self.portal_a)
        tenant = self.tenant_a.with_user(self.portal_a)
        with self.assertRaises(AccessError):
            tenant.write({"name": "Hijacked"})
        with self.assertRaises(AccessError):
            sub.action_suspend()
        with self.assertRaises(AccessError):
            tenant.action_suspend()
        with self.assertRaises(AccessError):
            self.env["woow.paas.tenant"].with_user(self.portal_a).create(
                {"name": "New", "code": "portal-new", "partner_id": self.customer_a.id}
            )
        with self.assertRaises(AccessError):
            sub.unlink()
        self.assertEqual(self.tenant_a.name, "Tenant-A")
        self.assertEqual(self.sub_a.state, "active")

    def test_portal_has_no_event_log(self):
        """Portal users cannot read the platform event log."""
        with self.assertRaises(AccessError):
            self.env["woow.paas.event"].with_user(self.portal_a).search([])

    def test_portal_plans(self):
        """Portal users see public plans and the plans they subscribe to."""
        private = self.env["woow.paas.plan"].create(
            {"name": "Private", "code": "private", "is_public": False}
        )
        Plan = self.env["woow.paas.plan"].with_user(self.portal_a)
        self.assertNotIn(private, Plan.search([]))
        self.sub_a.action_change_plan(private)
        self.assertIn(private, Plan.search([]))
        self.assertNotIn(private, Plan.with_user(self.portal_b).search([]))
        users = self.env.ref("woow_paas_core.resource_users")
        quota = self.env["woow.paas.plan.quota"].create(
            {"plan_id": private.id, "resource_id": users.id, "limit": 7}
        )
        Quota = self.env["woow.paas.plan.quota"]
        self.assertIn(quota, Quota.with_user(self.portal_a).search([]))
        self.assertNotIn(quota, Quota.with_user(self.portal_b).search([]))

    def test_user_rights(self):
        """PaaS users run subscriptions but do not edit plans; managers do."""
        with self.assertRaises(AccessError):
            self.plan_monthly.with_user(self.paas_user).price = 1
        self.plan_monthly.with_user(self.paas_manager).price = 31
        self.assertEqual(self.plan_monthly.price, 31)
        with self.assertRaises(AccessError):
            self._subscription().with_user(self.paas_user).unlink()
        internal = self.env["res.users"].create(
            {
                "name": "No PaaS",
                "login": "test_no_paas",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["woow.paas.tenant"].with_user(internal).search([])


@tagged("post_install", "-at_install")
class TestRpcIsolation(WoowPaasRpcMixin, HttpCase, WoowPaasCase, PortalFixture):
    """The same isolation holds over JSON-RPC, as a browser would call it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_fixture()

    @mute_logger("odoo.http")
    def test_rpc_portal_isolation(self):
        """Over RPC, portal A finds, counts and reads none of B's records."""
        self.authenticate("test_portal_a", "test_portal_a")
        for model, own, other in (
            ("woow.paas.tenant", self.tenant_a, self.tenant_b),
            ("woow.paas.subscription", self.sub_a, self.sub_b),
        ):
            with self.subTest(model=model):
                found = self._call(model, "search_read", [], fields=["id"])["result"]
                self.assertEqual([r["id"] for r in found], own.ids)
                self.assertEqual(self._call(model, "search_count", [])["result"], 1)
                denied = self._call(model, "read", [other.id], ["state"])
                self.assertEqual(denied["error"]["data"]["name"], "odoo.exceptions.AccessError")
                guessed = self._call(model, "search_read", [("id", "=", other.id)], fields=["id"])
                self.assertEqual(guessed["result"], [])
                write = self._call(model, "write", [own.id], {"name": "Renamed"})
                self.assertEqual(write["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.tenant_a.name, "Tenant-A")


@tagged("post_install", "-at_install")
class TestMultiCompany(WoowPaasCase):
    def test_company_isolation(self):
        """A PaaS user of another company sees none of this company's records."""
        other = self.env["res.company"].create({"name": "Other PaaS Co"})
        outsider = self.env["res.users"].create(
            {
                "name": "Outsider",
                "login": "test_outsider",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "group_ids": [(6, 0, self.env.ref("woow_paas_core.group_paas_user").ids)],
            }
        )
        sub = self._subscription()
        sub.action_activate()
        tenant = self._tenant("company-tenant", sub)
        for record in (sub, tenant):
            Model = self.env[record._name].with_user(outsider)
            self.assertFalse(Model.search([("id", "=", record.id)]))
            with self.assertRaises(AccessError):
                Model.browse(record.id).read(["name"])
        self.assertFalse(
            self.env["woow.paas.event"]
            .with_user(outsider)
            .search([("subscription_id", "=", sub.id)])
        )
