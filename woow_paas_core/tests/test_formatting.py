from odoo.tests import TransactionCase, tagged

from ..formatting import format_money, format_number, format_quantity, price_digits

NBSP = "\N{NO-BREAK SPACE}"


@tagged("post_install", "-at_install")
class TestFormatting(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        cls.resources = {
            code: cls.env.ref(f"woow_paas_core.resource_{code}")
            for code in ("users", "storage_mb", "api_calls")
        }
        # A language writing 1.234,5 (activated only: no translation is loaded).
        cls.lang_de = cls.env["res.lang"]._activate_lang("de_DE")

    def test_numbers_follow_the_language(self):
        """Digits as asked, grouped and pointed as the reader's language
        writes them; trimmed of trailing zeros on demand; no "-0"."""
        env = self.env
        self.assertEqual(format_number(env, 58.2438227881252083, 2), "58.24")
        self.assertEqual(format_number(env, 424845.0, 0), "424,845")
        self.assertEqual(format_number(env, 20.0, 2, trim=True), "20")
        self.assertEqual(format_number(env, 1.5, 2, trim=True), "1.5")
        self.assertEqual(format_number(env, -0.001, 2), "0.00")
        self.assertEqual(format_number(env, None), "")
        env_de = env(context=dict(env.context, lang=self.lang_de.code))
        self.assertEqual(format_number(env_de, 1234.5, 2), "1.234,50")
        self.assertEqual(format_number(env_de, 1234.5, 2, trim=True), "1.234,5")

    def test_money_puts_the_sign_first(self):
        """A negative amount reads "-$ 7.73" (the currency's own position
        and decimals otherwise); a unit price keeps the decimals it has."""
        env = self.env
        self.assertEqual(format_money(env, -7.73, self.usd), f"-${NBSP}7.73")
        self.assertEqual(format_money(env, 7.73, self.usd), f"${NBSP}7.73")
        self.assertEqual(format_money(env, -0.001, self.usd), f"${NBSP}0.00")
        if self.eur.position == "after":
            self.assertEqual(format_money(env, -1234.5, self.eur), f"-1,234.50{NBSP}€")
        self.assertEqual(price_digits(0.0005), 4)
        self.assertEqual(price_digits(8.0), 2)
        self.assertEqual(price_digits(100.0), 2)
        self.assertEqual(price_digits(0.123456789), 6)
        self.assertEqual(
            format_money(env, 0.0005, self.usd, digits=price_digits(0.0005)), f"${NBSP}0.0005"
        )

    def test_resource_quantities(self):
        """Limits say their unit, storage in the largest byte unit that
        keeps a number of 1 or more, and no limit reads "Unlimited"."""
        storage, calls, users = (self.resources[c] for c in ("storage_mb", "api_calls", "users"))
        self.assertEqual(storage._paas_format_quantity(20480), "20 GB")
        self.assertEqual(storage._paas_format_quantity(1536), "1.5 GB")
        self.assertEqual(storage._paas_format_quantity(700), "700 MB")
        self.assertEqual(calls._paas_format_limit(100000), "100,000 calls / month")
        self.assertEqual(calls._paas_format_limit(None), "Unlimited")
        self.assertEqual(calls._paas_format_limit(0), "Not included")
        self.assertEqual(calls._paas_format_usage(85000, 100000), "85,000 / 100,000 calls / month")
        self.assertEqual(storage._paas_format_usage(512, 20480), "512 MB / 20 GB")
        self.assertEqual(storage._paas_format_usage(10240, 20480), "10 / 20 GB")
        self.assertEqual(users._paas_format_usage(3, None), "3 users")
        self.assertEqual(format_quantity(self.env, 3.14159, "KB"), "3.14 KB")
