import json

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase


class ExampleFixture:
    """A project with a task in each of tenant A and tenant B."""

    @classmethod
    def _setup_example_fixture(cls):
        Project = cls.env["woow.paas.example.project"]
        Task = cls.env["woow.paas.example.task"]
        cls.project_a = Project.create({"name": "Alpha Roadmap", "tenant_id": cls.tenant_a.id})
        cls.project_b = Project.create({"name": "Bravo Secret", "tenant_id": cls.tenant_b.id})
        cls.task_a = Task.create(
            {"name": "Alpha task", "project_id": cls.project_a.id, "tenant_id": cls.tenant_a.id}
        )
        cls.task_b = Task.create(
            {"name": "Bravo task", "project_id": cls.project_b.id, "tenant_id": cls.tenant_b.id}
        )


@tagged("post_install", "-at_install")
class TestIsolation(WoowPaasTenantCase, ExampleFixture):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_example_fixture()

    def test_user_finds_only_own_tenant(self):
        """search, search_count, name search and read_group stop at the user's tenant."""
        for model, own, other in (
            ("woow.paas.example.project", self.project_a, self.project_b),
            ("woow.paas.example.task", self.task_a, self.task_b),
        ):
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_a)
                self.assertEqual(Model.search([]), own)
                self.assertEqual(Model.search_count([]), 1)
                self.assertFalse(Model.search([("id", "=", other.id)]))
                self.assertFalse(Model.search([("name", "=", other.name)]))
                self.assertFalse(Model.name_search(other.name))
                groups = Model._read_group([], ["tenant_id"], ["__count"])
                self.assertEqual(groups, [(self.tenant_a, 1)])
                public = Model.formatted_read_group([], ["tenant_id"], ["__count"])
                self.assertEqual([g["__count"] for g in public], [1])
                self.assertEqual(public[0]["tenant_id"][0], self.tenant_a.id)

    def test_user_cannot_touch_other_tenant(self):
        """Reading, browsing, writing or deleting a record of another tenant by id is refused."""
        Project = self.env["woow.paas.example.project"].with_user(self.user_a)
        other = Project.browse(self.project_b.id)
        with self.assertRaises(AccessError):
            other.read(["name"])
        with self.assertRaises(AccessError):
            self.assertTrue(other.name)
        with self.assertRaises(AccessError):
            other.write({"name": "Hijacked"})
        with self.assertRaises(AccessError):
            other.unlink()
        with self.assertRaises(AccessError):
            Project.create({"name": "Planted", "tenant_id": self.tenant_b.id})
        self.assertEqual(self.project_b.name, "Bravo Secret")
        self.assertTrue(self.project_b.exists())
        mine = Project.browse(self.project_a.id)
        mine.write({"name": "Alpha Renamed"})
        self.assertEqual(mine.read(["name"])[0]["name"], "Alpha Renamed")

    def test_cross_tenant_relation_refused(self):
        """A task of tenant A cannot point at a project of tenant B, whoever links it."""
        Task = self.env["woow.paas.example.task"]
        with self.assertRaises(ValidationError) as caught:
            Task.with_user(self.user_a).create({"name": "Sneaky", "project_id": self.project_b.id})
        self.assertNotIn("Bravo", str(caught.exception))
        with self.assertRaises(ValidationError):
            Task.create(
                {"name": "Admin slip", "project_id": self.project_b.id,
                 "tenant_id": self.tenant_a.id}
            )  # fmt: skip
        with self.assertRaises(ValidationError):
            self.task_a.project_id = self.project_b

    def test_move_refused(self):
        """No user moves a record to another tenant, even one allowed in both."""
        for user in (self.user_a, self.user_ab):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.project_a.with_user(user).write({"tenant_id": self.tenant_b.id})
        self.assertEqual(self.project_a.tenant_id, self.tenant_a)
        lonely = self.env["woow.paas.example.project"].create(
            {"name": "Lonely", "tenant_id": self.tenant_a.id}
        )
        lonely.tenant_id = self.tenant_b  # the superuser may
        self.assertEqual(lonely.tenant_id, self.tenant_b)

    def test_switching_tenant_changes_visibility(self):
        """Switching the current tenant switches the visible records and the default tenant."""
        Project = self.env["woow.paas.example.project"].with_user(self.user_ab)
        self.assertEqual(Project.search([]), self.project_a)
        self.assertEqual(Project.create({"name": "In A"}).tenant_id, self.tenant_a)
        self.user_ab.with_user(self.user_ab).write({"paas_tenant_id": self.tenant_b.id})
        self.assertEqual(Project.search([]), self.project_b)
        self.assertEqual(Project.create({"name": "In B"}).tenant_id, self.tenant_b)
        with self.assertRaises(AccessError):
            Project.browse(self.project_a.id).read(["name"])
        both = Project.with_context(allowed_paas_tenant_ids=[self.tenant_a.id, self.tenant_b.id])
        self.assertEqual(len(both.search([("name", "in", ["Alpha Roadmap", "Bravo Secret"])])), 2)

    def test_suspended_tenant_is_read_only(self):
        """While its tenant is suspended, users read its records but change none."""
        self.tenant_a.action_suspend(reason="Unpaid")
        Project = self.env["woow.paas.example.project"].with_user(self.user_a)
        mine = Project.browse(self.project_a.id)
        self.assertEqual(mine.read(["name"])[0]["name"], "Alpha Roadmap")
        with self.assertRaisesRegex(UserError, "suspended: its data can be read but not changed"):
            mine.write({"name": "Changed"})
        with self.assertRaises(UserError):
            Project.create({"name": "New"})
        with self.assertRaises(UserError):
            mine.unlink()
        self.project_a.name = "Fixed by the platform"  # the superuser may
        self.tenant_a.action_activate()
        mine.write({"name": "Alpha again"})
        self.assertEqual(self.project_a.name, "Alpha again")

    def test_losing_tenant_hides_records(self):
        """Removing a tenant from a user's allowed tenants hides its records at once."""
        Project = self.env["woow.paas.example.project"].with_user(self.user_a)
        self.assertEqual(Project.search_count([]), 1)
        self.user_a.paas_tenant_ids = [(5, 0, 0)]
        self.assertEqual(Project.search_count([]), 0)
        # The same from the tenant's side (its Users tab).
        ProjectB = Project.with_user(self.user_b)
        self.assertEqual(ProjectB.search_count([]), 1)
        self.tenant_b.paas_user_ids = [(3, self.user_b.id)]
        self.assertEqual(ProjectB.search_count([]), 0)
        self.tenant_a.paas_user_ids = [(4, self.user_b.id)]
        self.assertEqual(ProjectB.search([]), self.project_a)

    def test_user_without_tenant_sees_nothing(self):
        """A user in no tenant sees no tenant-aware record; the superuser sees all."""
        Project = self.env["woow.paas.example.project"]
        self.assertEqual(Project.with_user(self.paas_manager).search_count([]), 0)
        self.assertGreaterEqual(
            Project.search_count([("id", "in", (self.project_a | self.project_b).ids)]), 2
        )


@tagged("post_install", "-at_install")
class TestRpcIsolation(HttpCase, WoowPaasTenantCase, ExampleFixture):
    """The same isolation over JSON-RPC, as the web client calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_example_fixture()

    def _call(self, model, method, *args, **kwargs):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": list(args),
                        "kwargs": kwargs,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _error(self, answer):
        return answer.get("error", {}).get("data", {}).get("name")

    @mute_logger("odoo.http")
    def test_rpc_isolation(self):
        """Over RPC, a user of tenant A finds, counts, groups, reads, writes and
        deletes none of tenant B's records."""
        self.authenticate("tenant_user_a", "tenant_user_a")
        model = "woow.paas.example.project"
        found = self._call(model, "search_read", [], fields=["name", "tenant_id"])["result"]
        self.assertEqual([r["id"] for r in found], self.project_a.ids)
        self.assertEqual(self._call(model, "search_count", [])["result"], 1)
        guessed = self._call(model, "search_read", [("id", "=", self.project_b.id)], fields=["id"])
        self.assertEqual(guessed["result"], [])
        groups = self._call(model, "formatted_read_group", [], ["tenant_id"], ["__count"])
        self.assertEqual([g["__count"] for g in groups["result"]], [1])
        web = self._call(model, "web_search_read", [], {"name": {}})["result"]
        self.assertEqual(web["length"], 1)
        for method, args in (
            ("read", ([self.project_b.id], ["name"])),
            ("web_read", ([self.project_b.id], {"name": {}})),
            ("write", ([self.project_b.id], {"name": "Hijacked"})),
            ("unlink", ([self.project_b.id],)),
        ):
            with self.subTest(method=method):
                answer = self._call(model, method, *args)
                self.assertEqual(self._error(answer), "odoo.exceptions.AccessError", answer)
        moved = self._call(model, "write", self.project_a.ids, {"tenant_id": self.tenant_b.id})
        self.assertEqual(self._error(moved), "odoo.exceptions.UserError")
        linked = self._call(
            "woow.paas.example.task", "create", {"name": "x", "project_id": self.project_b.id}
        )
        self.assertEqual(self._error(linked), "odoo.exceptions.ValidationError")
        self.assertEqual(self.project_b.name, "Bravo Secret")
        self.assertEqual(self.project_a.tenant_id, self.tenant_a)

    @mute_logger("odoo.http")
    def test_rpc_switch_tenant(self):
        """A user switching their current tenant over RPC sees the other tenant's records next."""
        self.authenticate("tenant_user_ab", "tenant_user_ab")
        model = "woow.paas.example.project"

        def names():
            found = self._call(model, "search_read", [], fields=["name"])["result"]
            return [record["name"] for record in found]

        self.assertEqual(names(), ["Alpha Roadmap"])
        user = [self.user_ab.id]
        switched = self._call("res.users", "write", user, {"paas_tenant_id": self.tenant_b.id})
        self.assertTrue(switched.get("result"), switched)
        self.assertEqual(names(), ["Bravo Secret"])
        grant = {"paas_tenant_ids": [(4, self.tenant_a.id)]}
        refused = self._call("res.users", "write", user, grant)
        self.assertTrue(self._error(refused), "a user cannot grant themselves tenants")
