"""What the tenant's own administrator cannot do to the platform's limits:
make internal users past the limit by any path, change the pushed
parameters, or remove the agent."""

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user

LIMIT = r"allows \d+ internal users"


class TestTenantAdmin(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("woow_paas_agent.contact", "support@platform.example.com")
        cls.admin = new_test_user(cls.env, login="tenant_admin", groups="base.group_system")
        cls.group_user = cls.env.ref("base.group_user")
        # A user of no type (no group at all): not internal, not counted.
        cls.outsider = cls.env["res.users"].create(
            {"name": "Outsider", "login": "outsider", "group_ids": [Command.set([])]}
        )
        cls.team = cls.env["res.groups"].create(
            {"name": "Team", "user_ids": [Command.link(cls.outsider.id)]}
        )
        cls.internal_count = cls.env["res.users"].search_count([("share", "=", False)])
        cls.params.set_param("woow_paas_agent.max_users", str(cls.internal_count))

    def setUp(self):
        super().setUp()
        self.assertTrue(self.outsider.share)

    def _as_admin(self, model):
        return self.env[model].with_user(self.admin)

    def assertRefused(self, pattern=LIMIT, exception=UserError):
        return _Refused(self, exception, pattern)

    def _internal_count(self):
        return self.env["res.users"].search_count([("share", "=", False)])

    # ------------------------------------------------------------------
    # The internal-user limit on every path
    # ------------------------------------------------------------------
    def test_group_user_gets_members(self):
        """Adding users to base.group_user from the group side is refused
        past the limit (user_ids and all_user_ids)."""
        group = self.group_user.with_user(self.admin)
        with self.assertRefused():
            group.write({"user_ids": [Command.link(self.outsider.id)]})
        with self.assertRefused():
            group.write({"all_user_ids": [Command.link(self.outsider.id)]})
        self.assertTrue(self.outsider.share)
        self.assertEqual(self._internal_count(), self.internal_count)

    def test_group_made_to_imply_group_user(self):
        """A group with members made to imply base.group_user, or a new group
        created so, is refused past the limit."""
        with self.assertRefused():
            self.team.with_user(self.admin).write(
                {"implied_ids": [Command.link(self.group_user.id)]}
            )
        with self.assertRefused():
            self.group_user.with_user(self.admin).write(
                {"implied_by_ids": [Command.link(self.team.id)]}
            )
        with self.assertRefused():
            self._as_admin("res.groups").create(
                {
                    "name": "Sneaky",
                    "implied_ids": [Command.link(self.group_user.id)],
                    "user_ids": [Command.link(self.outsider.id)],
                }
            )
        self.assertTrue(self.outsider.share)

    def test_user_paths(self):
        """Creating with groups or the default ones, group commands on a user and an
        import are refused past the limit; nothing is made."""
        Users = self._as_admin("res.users")
        with self.assertRefused():
            Users.create(
                {"name": "Typed", "login": "typed", "group_ids": [Command.set(self.group_user.ids)]}
            )
        with self.assertRefused():
            Users.create({"name": "Defaults", "login": "defaults"})  # default groups: internal
        with self.assertRefused():
            self.outsider.with_user(self.admin).write(
                {"group_ids": [Command.link(self.group_user.id)]}
            )
        result = Users.load(["name", "login", "group_ids/id"], [["Imp", "imp", "base.group_user"]])
        self.assertFalse(result["ids"])
        self.assertRegex(str(result["messages"]), LIMIT)
        made = self.env["res.users"].search([("login", "in", ("typed", "defaults", "imp"))])
        self.assertFalse(made)
        self.assertEqual(self._internal_count(), self.internal_count)

    def test_portal_user_made_internal(self):
        """A portal user turned internal (the user form's type) is refused."""
        portal = new_test_user(self.env, login="tenant_portal", groups="base.group_portal")
        with self.assertRefused():
            portal.with_user(self.admin).write(
                {
                    "group_ids": [
                        Command.unlink(self.env.ref("base.group_portal").id),
                        Command.link(self.group_user.id),
                    ]
                }
            )
        self.assertTrue(portal.share)

    def test_room_made_and_over_limit_edits(self):
        """Archiving an internal user makes room (on the group side too); a
        database over its limit (a smaller plan) still edits the rights of
        its users and archives them, but adds none."""
        self.params.set_param("woow_paas_agent.max_users", False)
        employee = new_test_user(self.env, login="tenant_employee", groups="base.group_user")
        self.params.set_param("woow_paas_agent.max_users", str(self._internal_count()))
        employee.with_user(self.admin).action_archive()
        self.group_user.with_user(self.admin).write({"user_ids": [Command.link(self.outsider.id)]})
        self.assertFalse(self.outsider.share)
        self.params.set_param("woow_paas_agent.max_users", "1")
        self.outsider.with_user(self.admin).write(
            {"group_ids": [Command.link(self.env.ref("base.group_allow_export").id)]}
        )
        with self.assertRefused():
            employee.with_user(self.admin).action_unarchive()
        self.outsider.with_user(self.admin).action_archive()

    # ------------------------------------------------------------------
    # The platform's parameters
    # ------------------------------------------------------------------
    def test_pushed_parameters_read_only(self):
        """The administrator cannot change, delete, create or rename a
        woow_paas_agent.* parameter; the platform (superuser) can."""
        Params = self._as_admin("ir.config_parameter")
        owned = "platform for your plan"
        with self.assertRefused(owned, AccessError):
            Params.set_param("woow_paas_agent.max_users", "999")
        with self.assertRefused(owned, AccessError):
            Params.set_param("woow_paas_agent.max_users", False)
        with self.assertRefused(owned, AccessError):
            Params.set_param("woow_paas_agent.suspended", "1")
        with self.assertRefused(owned, AccessError):
            Params.create({"key": "woow_paas_agent.suspended_reason", "value": "x"})
        param = Params.search([("key", "=", "woow_paas_agent.max_users")])
        with self.assertRefused(owned, AccessError):
            param.write({"key": "renamed.max_users"})
        with self.assertRefused(owned, AccessError):
            param.unlink()
        other = Params.create({"key": "tenant.own", "value": "1"})
        with self.assertRefused(owned, AccessError):
            other.write({"key": "woow_paas_agent.max_users_2"})
        other.write({"value": "2"})  # its own parameters are its own
        kept = self.params.get_param("woow_paas_agent.max_users")
        self.assertEqual(kept, str(self.internal_count))
        self.params.set_param("woow_paas_agent.max_users", "999")
        self.assertEqual(self.params.get_param("woow_paas_agent.max_users"), "999")

    def test_group_user_external_id_kept(self):
        """base.group_user cannot be pointed at another group from inside."""
        data = self._as_admin("ir.model.data").search(
            [("module", "=", "base"), ("name", "=", "group_user")]
        )
        with self.assertRefused("base.group_user", AccessError):
            data.write({"res_id": self.team.id})
        with self.assertRefused("base.group_user", AccessError):
            data.unlink()
        self.assertEqual(self.env.ref("base.group_user"), self.group_user)

    # ------------------------------------------------------------------
    # The agent itself
    # ------------------------------------------------------------------
    def test_agent_not_removable(self):
        """Every way to uninstall the agent, or a module it needs, or to make
        the loader skip it, is refused to the administrator."""
        Modules = self._as_admin("ir.module.module")
        agent = Modules.search([("name", "=", "woow_paas_tenant_agent")])
        web = Modules.search([("name", "=", "web")])
        self.assertEqual(agent.state, "installed")
        managed = "the platform manages"
        for attempt in (
            agent.button_uninstall,
            agent.button_immediate_uninstall,
            agent.module_uninstall,
            web.button_uninstall,
            lambda: agent.write({"state": "uninstalled"}),
            lambda: agent.write({"state": "to remove"}),
            lambda: web.write({"state": "uninstalled"}),
            lambda: agent.write({"name": "renamed_agent"}),
            lambda: (
                self._as_admin("base.module.uninstall")
                .create({"module_ids": [Command.set(agent.ids)]})
                .action_uninstall()
            ),
        ):
            with self.assertRefused(managed, AccessError):
                attempt()
        self.assertEqual(agent.state, "installed")
        self.assertEqual(agent.name, "woow_paas_tenant_agent")
        agent.write({"state": "to upgrade"})  # an upgrade keeps it: allowed
        self.assertEqual(agent.state, "to upgrade")
        # The platform (the superuser) may still remove it.
        agent.with_user(self.env.ref("base.user_root")).button_uninstall()
        self.assertEqual(agent.state, "to remove")


class _Refused:
    """``assertRaisesRegex`` in a savepoint, as the refused request rolls back."""

    def __init__(self, case, exception, pattern):
        self.raises = case.assertRaisesRegex(exception, pattern)
        self.savepoint = case.env.cr.savepoint()

    def __enter__(self):
        self.raises.__enter__()
        self.savepoint.__enter__()
        return self

    def __exit__(self, *exc):
        self.savepoint.__exit__(*exc)
        return self.raises.__exit__(*exc)
