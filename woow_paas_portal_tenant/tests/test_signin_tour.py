"""The customer's journey into a real tenant database, in a browser: the
tenant list, the tenant page, Sign in as administrator. The tenant database
lives on the tenant layer's second PostgreSQL cluster, served by host name
by an odoo-bin of its own (slow to set up: one test)."""

from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.woow_paas_tenant.tests.common import WoowPaasDatabaseTenantCase

from .common import SigninLinkFollower


@tagged("post_install", "-at_install")
class TestSigninTour(SigninLinkFollower, WoowPaasDatabaseTenantCase, HttpCase):
    def _signin_target(self, parts):
        """The odoo-bin this test starts for the tenant database, on its own port."""
        return f"http://127.0.0.1:{self.tenant_port}", f"{parts.hostname}:{self.tenant_port}"

    def _signin_back_tenant(self, parts):
        return self.tour_tenant

    def test_customer_signs_in_as_administrator(self):
        """A signed-in customer opens its tenant's page and clicks Sign in as
        administrator: a fresh one-time link signs the browser in to the
        tenant database as its administrator; it is good once, and the link
        made at provisioning stops working."""
        tenant = self._tenant("tour-signin", self.db_sub)
        self._drop_later(tenant)
        with trap_jobs() as trap:
            tenant.action_provision()
            trap.perform_enqueued_jobs()
        self.assertEqual(tenant.state, "active", tenant.state_message)
        first_token = tenant.sudo().paas_signin_token
        self.assertTrue(first_token)
        self.tour_tenant = tenant
        self.followed = []
        self.tenant_port = self.cluster.start_odoo(
            f"^({self.cluster.prefix}platform|{self.cluster.prefix}%d)$"
        )
        minted = []
        Tenant = type(self.env["woow.paas.tenant"])
        mint = Tenant._paas_mint_signin_link

        def spy(record, *args, **kwargs):
            url = mint(record, *args, **kwargs)
            minted.append(url)
            return url

        with patch.object(Tenant, "_paas_mint_signin_link", spy):
            self.start_tour(
                "/my/tenants", "woow_paas_portal_tenant_signin_tour", login="test_portal_a"
            )
        self.assertEqual(len(minted), 1)
        ((url, status, uid),) = self.followed
        self.assertEqual(url, minted[0])
        (admin_id,) = self._tenant_db(
            tenant, "SELECT id FROM res_users WHERE login = %s", [tenant.paas_admin_login]
        )[0]
        self.assertEqual((status, uid), (303, admin_id))
        self.assertFalse(
            self._tenant_db(
                tenant, "SELECT 1 FROM ir_config_parameter WHERE key = 'woow_paas_agent.signin'"
            ),
            "the link is spent",
        )
        token = url.split("token=")[1]
        self.assertEqual(self._signin(tenant, token=token), (403, False), "good once")
        self.assertEqual(self._signin(tenant, token=first_token), (403, False), "replaced")
        event = self.assertEmitted(tenant, "tenant.signin_link_issued", count=1)
        self.assertEqual(event.user_id, self.portal_a)
