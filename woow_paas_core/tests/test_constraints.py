from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import WoowPaasCase

INVALID_CODES = [
    "ab",  # too short
    "a" * 64,  # too long
    "-acme",
    "acme-",
    "Acme",
    "acme_corp",
    "acme.corp",
    "acme corp",
    "acmé",
    "",
    "www",  # reserved
    "api",
    "x\n",  # "$" matches before a final newline: refused all the same
    "acme\n",
    "\nacme",
]
VALID_CODES = ["abc", "acme", "acme-corp-2", "a" * 63, "123", "a-b"]


@tagged("post_install", "-at_install")
class TestConstraints(WoowPaasCase):
    def test_tenant_code_dns_label(self):
        """Only lowercase DNS labels of 3-63 chars, not reserved, are accepted."""
        Tenant = self.env["woow.paas.tenant"]
        for code in INVALID_CODES:
            with self.subTest(code=code), self.assertRaises(ValidationError):
                self._tenant(code, name="Bad")
            self.assertFalse(Tenant.search_count([("code", "=", code)]))
        for code in VALID_CODES:
            with self.subTest(code=code):
                self.assertEqual(self._tenant(code).code, code)

    @mute_logger("odoo.sql_db")
    def test_duplicate_codes(self):
        """Plan, tenant and resource codes are unique; the duplicate is not written."""
        self._tenant("taken")
        with self.assertRaises(IntegrityError):
            self._tenant("taken", name="Second")
        self.assertEqual(self.env["woow.paas.tenant"].search_count([("code", "=", "taken")]), 1)
        with self.assertRaises(IntegrityError):
            self.env["woow.paas.plan"].create({"name": "Again", "code": "test-monthly"})
        self.assertEqual(
            self.env["woow.paas.plan"].search_count([("code", "=", "test-monthly")]), 1
        )
        with self.assertRaises(IntegrityError):
            self.env["woow.paas.resource"].create({"name": "Users again", "code": "users"})

    def test_plan_amounts(self):
        """Negative prices and trial days are refused."""
        Plan = self.env["woow.paas.plan"]
        for vals in ({"price": -0.01}, {"trial_days": -1}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                Plan.create({"name": "Bad", "code": "bad-plan", **vals})
            self.assertFalse(Plan.search_count([("code", "=", "bad-plan")]))
        with self.assertRaises(ValidationError):
            self.plan_monthly.price = -5
        self.assertEqual(self.plan_monthly.price, 30.0)
        free = Plan.create({"name": "Free", "code": "free", "price": 0})
        self.assertEqual(free.monthly_price, 0.0)

    def test_plan_code_format(self):
        """Plan codes are URL-safe identifiers."""
        for code in ("Growth Plan", "-x", "a/b", "", "growth\n"):
            with self.subTest(code=code), self.assertRaises(ValidationError):
                self.env["woow.paas.plan"].create({"name": "X", "code": code})

    def test_quota_lines(self):
        """Quota limits are not negative, once per resource; missing means unlimited."""
        users = self.env.ref("woow_paas_core.resource_users")
        storage = self.env.ref("woow_paas_core.resource_storage_mb")
        self.plan_monthly.quota_ids = [
            (0, 0, {"resource_id": users.id, "limit": 5}),
            (0, 0, {"resource_id": storage.id, "limit": 1024}),
        ]
        self.assertEqual(self.plan_monthly._get_quota_limits(), {"users": 5, "storage_mb": 1024})
        with self.assertRaises(ValidationError):
            self.env["woow.paas.plan.quota"].create(
                {"plan_id": self.plan_yearly.id, "resource_id": users.id, "limit": -1}
            )
        self.assertFalse(self.plan_yearly.quota_ids)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["woow.paas.plan.quota"].create(
                {"plan_id": self.plan_monthly.id, "resource_id": users.id, "limit": 1}
            )

    def test_plan_copy(self):
        """A copied plan gets a free code and keeps its quotas."""
        users = self.env.ref("woow_paas_core.resource_users")
        self.plan_monthly.quota_ids = [(0, 0, {"resource_id": users.id, "limit": 5})]
        copy = self.plan_monthly.copy()
        self.assertEqual(copy.code, "test-monthly-copy")
        self.assertEqual(copy._get_quota_limits(), {"users": 5})
        self.assertEqual(self.plan_monthly.copy().code, "test-monthly-copy-2")

    def test_references_per_company(self):
        """A company with its own sequence numbers its subscriptions from it;
        a reference is unique within a company."""
        other = self.env["res.company"].create({"name": "Numbered Co"})
        self.env["ir.sequence"].create(
            {"name": "Other PaaS", "code": "woow.paas.subscription", "prefix": "OTH/",
             "padding": 3, "company_id": other.id}
        )  # fmt: skip
        sub = self.env["woow.paas.subscription"].create(
            {"partner_id": self.customer_a.id, "plan_id": self.plan_monthly.id,
             "company_id": other.id}
        )  # fmt: skip
        self.assertTrue(sub.name.startswith("OTH/"), sub.name)
        main = self._subscription()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._subscription(name=main.name)
            self.env.flush_all()

    def test_reserved_codes_are_extensible(self):
        """An addon adds the host names it serves through _paas_reserved_codes."""
        Tenant = type(self.env["woow.paas.tenant"])
        original = Tenant._paas_reserved_codes
        with (
            patch.object(Tenant, "_paas_reserved_codes", lambda self: original(self) | {"grafana"}),
            self.assertRaises(ValidationError),
        ):
            self._tenant("grafana")
        self.assertEqual(self._tenant("grafana").code, "grafana")

    def test_plan_quota_company_rule(self):
        """Quotas of another company's plan stay in that company."""
        other = self.env["res.company"].create({"name": "Quota Co"})
        plan = self.env["woow.paas.plan"].create(
            {"name": "Local", "code": "local", "company_id": other.id}
        )
        users = self.env.ref("woow_paas_core.resource_users")
        quota = self.env["woow.paas.plan.quota"].create(
            {"plan_id": plan.id, "resource_id": users.id, "limit": 3}
        )
        Quota = self.env["woow.paas.plan.quota"].with_user(self.paas_manager)
        self.assertNotIn(quota, Quota.search([]))

    def test_resource_code_format(self):
        """Resource codes are snake_case identifiers."""
        for code in ("Bad Code", "seats\n"):
            with self.subTest(code=code), self.assertRaises(ValidationError):
                self.env["woow.paas.resource"].create({"name": "Bad", "code": code})

    def test_tenant_and_subscription_same_customer(self):
        """A tenant cannot hang off another customer's subscription."""
        sub_b = self._subscription(partner=self.customer_b)
        with self.assertRaises(ValidationError):
            self._tenant("cross-customer", sub_b, partner=self.customer_a)
        self.assertFalse(
            self.env["woow.paas.tenant"].search_count([("code", "=", "cross-customer")])
        )
        # A contact of the subscription's company is the same customer.
        tenant = self._tenant("contact-tenant", sub_b, partner=self.contact_b)
        self.assertEqual(tenant.commercial_partner_id, self.customer_b)

    def test_trial_dates(self):
        """A trial cannot end before it starts."""
        with self.assertRaises(ValidationError):
            self._subscription(date_start="2026-02-01", trial_end_date="2026-01-01")

    def test_suggested_code(self):
        """The form suggests a DNS label from the tenant name."""
        with Form(self.env["woow.paas.tenant"]) as form:
            form.name = "Ácme Corp. (EU)"
            form.partner_id = self.customer_a
            self.assertEqual(form.code, "acme-corp-eu")
