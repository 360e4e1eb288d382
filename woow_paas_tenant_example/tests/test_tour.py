from odoo.tests import HttpCase, tagged

from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase

from .test_isolation import ExampleFixture


@tagged("post_install", "-at_install")
class TestSwitchTour(HttpCase, WoowPaasTenantCase, ExampleFixture):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_example_fixture()

    def test_switch_tenant_tour(self):
        """In a real browser, switching the current tenant from the systray
        switches the projects shown."""
        self.start_tour("/odoo", "woow_paas_tenant_switch_tour", login="tenant_user_ab")
        self.assertEqual(self.user_ab.paas_tenant_id, self.tenant_b)
