"""The customer journeys, in headless Chromium, on the demo as
``scripts/run.sh`` builds it (every addon, demo data, the Dedicated plan's
template and Northwind's database tenant on the local PostgreSQL, the demo
Stripe provider against localstripe). Tagged ``woow_demo``: the repo-level
``tests/test_demo_journeys.py`` builds a throw-away demo and runs them with
``--test-tags woow_demo``; on a database without demo data (the suite's test
database) they skip themselves."""

from unittest.mock import patch

from odoo.tests import HttpCase, tagged

JOURNEY_MODULES = (
    "woow_paas_portal_billing",
    "woow_paas_billing_stripe",
    "woow_paas_portal_tenant",
    "woow_paas_tenant_agent",
)

from .common import SigninLinkFollower


@tagged("post_install", "-at_install", "woow_demo")
class TestDemoJourneys(SigninLinkFollower, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        installed = cls.env["ir.module.module"].search(
            [("name", "in", JOURNEY_MODULES), ("state", "=", "installed")]
        )
        if (
            len(installed) < len(JOURNEY_MODULES)
            or not cls.env["woow.paas.signup"]._paas_demo_mode()
        ):
            cls.skipTest(cls, "the demo's journeys need a demo database (scripts/run.sh)")
        cls.demo_tenant = cls.env.ref("woow_paas_tenant.tenant_northwind_dedicated_demo")
        if cls.demo_tenant.state != "active":
            cls.skipTest(cls, "the demo's database tenant is not running (scripts/run.sh)")
        cls.northwind = cls.env.ref("woow_paas_core.partner_northwind_demo")
        cls.stripe = cls.env.ref("payment.payment_provider_stripe")

    # ------------------------------------------------------------------
    # (a) From the pricing page into a Dedicated tenant's own database
    # ------------------------------------------------------------------
    def _signin_target(self, parts):
        """The test server itself: the demo's odoo-bin serves tenant databases by host name."""
        return f"http://127.0.0.1:{parts.port}", parts.netloc

    def _signin_back_tenant(self, parts):
        code = parts.hostname.split(".", 1)[0]
        return self.env["woow.paas.tenant"].search([("code", "=", code)])

    def test_journey_signup_dedicated_pay_signin(self):
        """Anonymous: the pricing page, sign-up to Dedicated, the confirmation
        link from the demo mailbox, the password, the tenant step, Pay now
        with 4242 (at localstripe), the tenant's own database provisioned,
        then signed in there as its administrator."""
        from odoo.addons.woow_paas_tenant import pgtools

        self.followed = []
        server = self.demo_tenant.paas_db_server_id
        db_name = f"{server.db_prefix}journey-dedicated"
        self.addCleanup(pgtools.remove_filestore, db_name)
        self.addCleanup(pgtools.drop_db, server._paas_conninfo(), db_name)
        # No job runner sees the test's transaction: the jobs (the first
        # invoice's charge, the provisioning) run where they are queued.
        with patch("odoo.addons.queue_job.delay.must_run_without_delay", return_value=True):
            self.start_tour("/paas/plans", "woow_paas_demo_journey_signup_tour", timeout=300)
        user = self.env["res.users"].search([("login", "=", "dana@journey.example.com")])
        self.assertTrue(user)
        tenant = self.env["woow.paas.tenant"].search([("code", "=", "journey-dedicated")])
        self.assertEqual(tenant.plan_id, self.demo_tenant.plan_id)
        self.assertEqual(tenant.paas_db_name, db_name)
        self.assertEqual(tenant.state, "active", tenant.state_message)
        self.assertEqual(tenant.subscription_id.state, "active")
        self.assertEqual(tenant.partner_id.commercial_partner_id.name, "Journey Labs")
        first = tenant.subscription_id.invoice_ids.filtered(
            lambda m: m.paas_invoice_kind == "period"
        )
        self.assertEqual(len(first), 1)
        self.assertIn(first.payment_state, ("paid", "in_payment"))
        self.assertEqual(first.transaction_ids.provider_id, self.stripe)
        self.assertEqual(first.transaction_ids.token_id.payment_details, "4242")
        ((url, status, uid),) = self.followed
        self.assertIn(f"//journey-dedicated.{tenant.paas_url.split('.', 1)[1]}/", url)
        with (
            pgtools.connect(server._paas_conninfo(), db_name) as conn,
            conn.cursor() as cr,
        ):
            cr.execute("SELECT id FROM res_users WHERE login = %s", [tenant.paas_admin_login])
            ((admin_id,),) = cr.fetchall()
        self.assertEqual((status, uid), (303, admin_id))

    # ------------------------------------------------------------------
    # (b) /my/usage: another subscription's figures
    # ------------------------------------------------------------------
    def test_journey_usage_switch_subscription(self):
        """Northwind's portal user reads its usage, switches to another
        subscription and reads that one's figures, formatted."""
        self.start_tour("/my/usage", "woow_paas_demo_journey_usage_tour", login="paas.portal")

    # ------------------------------------------------------------------
    # (c) An open invoice paid with 4242
    # ------------------------------------------------------------------
    def test_journey_pay_open_invoice(self):
        """Northwind's portal user opens an open invoice, Pay Now, 4242: paid."""
        open_invoices = self.env["account.move"].search(
            [
                ("partner_id", "child_of", self.northwind.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        invoices = open_invoices.filtered(lambda m: m._has_to_be_paid())
        self.assertTrue(invoices, "the demo gives Northwind an open invoice")
        self.start_tour(
            "/my/invoices", "woow_paas_demo_journey_pay_invoice_tour", login="paas.portal"
        )
        paid = invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        self.assertEqual(len(paid), 1, "one invoice paid, the one opened")
        tx = paid.transaction_ids
        self.assertEqual((tx.provider_id, tx.state), (self.stripe, "done"))
        self.assertTrue(paid.currency_id.is_zero(paid.amount_residual))
