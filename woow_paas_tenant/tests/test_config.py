from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestConfig(WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Key = cls.env["woow.paas.config.key"]
        cls.key_bool = Key.create(
            {"name": "Beta", "code": "test_beta", "value_type": "boolean", "default_value": "no"}
        )
        cls.key_int = Key.create(
            {"name": "Seats", "code": "test_seats", "value_type": "integer", "default_value": "3"}
        )
        cls.key_sel = Key.create(
            {"name": "Theme", "code": "test_theme", "value_type": "selection",
             "selection_values": "light, dark", "default_value": "light"}
        )  # fmt: skip
        cls.key_text = Key.create({"name": "Motto", "code": "test_motto", "value_type": "text"})
        cls.env["woow.paas.config.plan.value"].create(
            {"key_id": cls.key_int.id, "plan_id": cls.plan_monthly.id, "value": "10"}
        )

    def test_effective_value_tenant_plan_default(self):
        """Tenant override, else plan default, else key default, typed."""
        tenant = self.tenant_a
        self.assertIs(tenant._paas_get_config("test_beta"), False)
        self.assertEqual(tenant._paas_get_config("test_seats"), 10)
        self.assertEqual(tenant._paas_get_config("test_theme"), "light")
        self.assertIsNone(tenant._paas_get_config("test_motto"))
        tenant._paas_set_config("test_seats", 25)
        tenant._paas_set_config("test_beta", True)
        tenant._paas_set_config("test_motto", "Ship it")
        self.assertEqual(tenant._paas_get_config("test_seats"), 25)
        self.assertIs(tenant._paas_get_config("test_beta"), True)
        self.assertEqual(tenant._paas_get_config("test_motto"), "Ship it")
        self.assertEqual(self.tenant_b._paas_get_config("test_seats"), 10)
        self.sub_b.action_change_plan(self.plan_yearly)
        self.assertEqual(self.tenant_b._paas_get_config("test_seats"), 3)
        tenant._paas_set_config("test_seats", None)
        self.assertEqual(tenant._paas_get_config("test_seats"), 10)

    def test_bad_values_refused(self):
        """A value of the wrong type is refused with a message naming the key and the type."""
        cases = [
            ("test_seats", "many", "expected a whole number"),
            ("test_beta", "perhaps", "expected true or false"),
            ("test_theme", "purple", "expected one of light, dark"),
        ]
        for code, value, expected in cases:
            with self.subTest(code=code), self.assertRaisesRegex(ValidationError, expected):
                self.tenant_a._paas_set_config(code, value)
        key = self.key_int
        with self.assertRaisesRegex(ValidationError, "test_seats"):
            self.env["woow.paas.tenant.config"].create(
                {"tenant_id": self.tenant_a.id, "key_id": key.id, "value": "1.5"}
            )
        with self.assertRaises(ValidationError):
            self.env["woow.paas.config.plan.value"].create(
                {"key_id": self.key_bool.id, "plan_id": self.plan_yearly.id, "value": "2"}
            )
        with self.assertRaises(ValidationError):
            key.default_value = "x"
        with self.assertRaises(ValidationError):
            self.env["woow.paas.config.key"].create(
                {"name": "Bad", "code": "test_bad", "value_type": "selection"}
            )

    def test_unknown_key(self):
        """Reading a key nobody declared is an error, not a silent None."""
        with self.assertRaisesRegex(UserError, "Unknown configuration key"):
            self.tenant_a._paas_get_config("test_nope")

    def test_tenant_user_reads_config(self):
        """Tenant app code running as a plain internal user reads its settings."""
        tenant = self.user_a.with_user(self.user_a).paas_tenant_id
        self.assertEqual(tenant._paas_get_config("test_seats"), 10)
