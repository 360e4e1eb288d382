from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestApiKey(WoowPaasCase, TransactionCase):
    def test_generate_shows_once_and_stores_hash(self):
        """The secret is shown once; only a keyed hash and a lookup prefix are stored."""
        key = self.env["woow.paas.api.key"].with_user(self.paas_user).create({"name": "CI"})
        action = key.action_generate()
        secret = action["context"]["default_key"]
        self.assertTrue(secret.startswith("wpk_"))
        self.assertGreater(len(secret), 40)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT lookup, key_hash FROM woow_paas_api_key WHERE id = %s", (key.id,)
        )
        lookup, key_hash = self.env.cr.fetchone()
        self.assertEqual(lookup, secret[:12])
        self.assertNotIn(secret, key_hash)
        self.assertEqual(len(key_hash), 64)
        Key = self.env["woow.paas.api.key"]
        self.assertEqual(Key._authenticate(secret), key)
        self.assertFalse(Key._authenticate(secret[:-1] + "x"))
        self.assertFalse(Key._authenticate("not-a-key"))

    def test_revoked_and_expired_keys_fail(self):
        """A revoked or expired key authenticates nothing."""
        Key = self.env["woow.paas.api.key"]
        revoked = Key.create({"name": "Old"})
        secret = revoked.action_generate()["context"]["default_key"]
        revoked.action_revoke()
        self.assertEqual(revoked.state, "revoked")
        self.assertFalse(Key._authenticate(secret))
        expired = Key.create(
            {"name": "Short", "expires_at": fields.Datetime.now() - timedelta(minutes=1)}
        )
        secret = expired.action_generate()["context"]["default_key"]
        self.assertEqual(expired.state, "expired")
        self.assertFalse(Key._authenticate(secret))

    def test_scopes_validated(self):
        """Unknown or empty scopes are refused."""
        for scopes in ("tenants:read admin:all", " "):
            with self.subTest(scopes=scopes), self.assertRaises(ValidationError):
                self.env["woow.paas.api.key"].create({"name": "Bad", "scopes": scopes})

    def test_users_see_their_own_keys(self):
        """A PaaS User sees only their own keys; a manager sees all."""
        mine = self.env["woow.paas.api.key"].with_user(self.paas_user).create({"name": "Mine"})
        other = self.env["woow.paas.api.key"].create({"name": "Other"})
        visible = self.env["woow.paas.api.key"].with_user(self.paas_user).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(other, visible)
        self.assertIn(other, self.env["woow.paas.api.key"].with_user(self.paas_manager).search([]))
