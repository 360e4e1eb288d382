from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestTenantUsers(WoowPaasTenantCase):
    def test_current_tenant_must_be_allowed(self):
        """A user cannot make current a tenant they are not allowed in."""
        with self.assertRaises(ValidationError):
            self.user_a.with_user(self.user_a).write({"paas_tenant_id": self.tenant_b.id})
        self.assertEqual(self.user_a.paas_tenant_id, self.tenant_a)

    def test_user_switches_own_tenant(self):
        """The current tenant is self-writeable among the allowed ones."""
        self.user_ab.with_user(self.user_ab).action_paas_switch_tenant(self.tenant_b.id)
        self.assertEqual(self.user_ab.paas_tenant_id, self.tenant_b)

    def test_current_follows_allowed(self):
        """Given tenants, a user starts in the first; losing the current one
        moves them to another allowed tenant, or to none."""
        user = self.env["res.users"].create(
            {"name": "Late", "login": "tenant_late",
             "paas_tenant_ids": [Command.set((self.tenant_b | self.tenant_a).ids)]}
        )  # fmt: skip
        self.assertTrue(user.paas_tenant_id)
        current = user.paas_tenant_id
        user.paas_tenant_ids = [Command.unlink(current.id)]
        self.assertEqual(user.paas_tenant_id, (self.tenant_a | self.tenant_b) - current)
        user.paas_tenant_ids = [Command.clear()]
        self.assertFalse(user.paas_tenant_id)

    def test_active_tenants_context_narrows_never_widens(self):
        """``allowed_paas_tenant_ids`` picks among the allowed tenants; others are dropped."""
        Users = self.env["res.users"]
        self.assertEqual(Users.with_user(self.user_ab)._paas_active_tenant_ids(), self.tenant_a.ids)
        both = Users.with_user(self.user_ab).with_context(
            allowed_paas_tenant_ids=[self.tenant_a.id, self.tenant_b.id]
        )
        self.assertEqual(sorted(both._paas_active_tenant_ids()), sorted(
            (self.tenant_a | self.tenant_b).ids))  # fmt: skip
        sneaky = Users.with_user(self.user_a).with_context(
            allowed_paas_tenant_ids=[self.tenant_b.id]
        )
        self.assertEqual(sneaky._paas_active_tenant_ids(), [])

    def test_tenant_users_do_not_read_tenants(self):
        """Being allowed in a tenant gives no access to the PaaS tenant records
        (core's rule: only PaaS users read them)."""
        with self.assertRaises(AccessError):
            self.env["woow.paas.tenant"].with_user(self.user_a).search([])

    def test_tenant_side_users_clear_visibility(self):
        """Adding users from the tenant side is the same as editing the users:
        current tenants follow and cached rule domains are dropped."""
        Users = self.env["res.users"]
        self.assertEqual(Users.with_user(self.user_b)._paas_active_tenant_ids(), self.tenant_b.ids)
        self.tenant_b.paas_user_ids = [Command.unlink(self.user_b.id)]
        self.assertFalse(self.user_b.paas_tenant_id)
        self.assertEqual(Users.with_user(self.user_b)._paas_active_tenant_ids(), [])
        self.tenant_a.paas_user_ids = [Command.link(self.user_b.id)]
        self.assertEqual(self.user_b.paas_tenant_id, self.tenant_a)
