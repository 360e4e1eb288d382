from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import WoowPaasDatabaseTenantCase


@tagged("post_install", "-at_install")
class TestDatabaseTenantTour(WoowPaasDatabaseTenantCase, HttpCase):
    def test_manager_provisions_and_opens_a_database_tenant(self):
        """In a real browser a PaaS Manager creates a database-mode tenant and
        provisions it; the job runs (as the job runner would); the form shows
        the step log and Active; the tenant's own Odoo takes its admin's login."""
        new_test_user(self.env, login="tour_db_manager", groups="woow_paas_core.group_paas_manager")
        self.env["ir.config_parameter"].set_param("woow_paas_tenant.domain", "localhost")
        self._drop_later(f"{self.cluster.prefix}tour-database")
        with trap_jobs() as trap:
            self.start_tour(
                "/odoo", "woow_paas_tenant_database_create_tour", login="tour_db_manager"
            )
            tenant = self.env["woow.paas.tenant"].search([("code", "=", "tour-database")])
            self.assertEqual(tenant.state, "provisioning")
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
        # The trapped job belongs to the request's closed cursor: run the
        # same method on the same record here, as the job runner would.
        self.assertEqual((job.method_name, job.recordset.ids), ("_paas_provision_job", tenant.ids))
        tenant._paas_provision_job()
        self.assertEqual(tenant.state, "active", tenant.state_message)
        self.start_tour("/odoo", "woow_paas_tenant_database_follow_tour", login="tour_db_manager")
        action = tenant.action_open_paas_url()
        self.assertIn("://tour-database.localhost", action["url"])
        _session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)
