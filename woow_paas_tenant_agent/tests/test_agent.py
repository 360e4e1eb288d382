"""The agent inside a tenant database: the internal-user limit and the
read-only suspension that the platform sets as system parameters."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user


class TestAgent(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("woow_paas_agent.contact", "support@platform.example.com")
        cls.admin = new_test_user(cls.env, login="agent_admin", groups="base.group_system")
        cls.employee = new_test_user(cls.env, login="agent_employee", groups="base.group_user")

    def _internal_count(self):
        return self.env["res.users"].search_count([("share", "=", False)])

    def test_user_limit(self):
        """Past the pushed limit an internal user is refused with the limit
        and the contact; portal users do not count; no limit, no check."""
        Users = self.env["res.users"].with_user(self.admin)
        self.params.set_param("woow_paas_agent.max_users", str(self._internal_count()))
        # The savepoint rolls back like the refused request would.
        with (
            self.assertRaisesRegex(UserError, r"allows \d+ internal users.*support@platform"),
            self.env.cr.savepoint(),
        ):
            Users.create({"name": "One Too Many", "login": "one_too_many"})
        portal = new_test_user(self.env, login="agent_portal", groups="base.group_portal")
        self.assertTrue(portal.share)
        with self.assertRaisesRegex(UserError, "internal users"), self.env.cr.savepoint():
            portal.write({"group_ids": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.employee.with_user(self.admin).action_archive()
        Users.create({"name": "Replacement", "login": "replacement"})
        self.params.set_param("woow_paas_agent.max_users", False)
        Users.create({"name": "Unlimited", "login": "unlimited"})

    def test_suspension_read_only(self):
        """Suspended: users read but cannot create, write or delete, with a
        message saying why and whom to contact; reactivated, writing works again."""
        partner = self.env["res.partner"].create({"name": "Kept"})
        self.params.set_param("woow_paas_agent.suspended", "1")
        self.params.set_param("woow_paas_agent.suspended_reason", "unpaid invoice")
        as_employee = partner.with_user(self.admin)
        self.assertEqual(as_employee.name, "Kept")
        message = r"suspended and read-only \(unpaid invoice\).*support@platform"
        with self.assertRaisesRegex(UserError, message):
            as_employee.write({"name": "Changed"})
        with self.assertRaisesRegex(UserError, message):
            self.env["res.partner"].with_user(self.admin).create({"name": "New"})
        with self.assertRaisesRegex(UserError, message):
            as_employee.unlink()
        partner.write({"name": "Platform may"})  # the superuser (platform) still writes
        self.params.set_param("woow_paas_agent.suspended", False)
        as_employee.write({"name": "Changed"})
        self.assertEqual(partner.name, "Changed")
