from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.web.tests.test_js import unit_test_error_checker


@tagged("post_install", "-at_install")
class TestDashboardUi(HttpCase):
    def test_hoot(self):
        """The dashboard's hoot unit tests pass in a real browser."""
        self.browser_js(
            "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&filter=woow_paas_dashboard",
            "",
            "",
            login="admin",
            timeout=900,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=unit_test_error_checker,
        )

    def test_tour(self):
        """A PaaS User opens the dashboard, looks at the year and opens the
        subscriptions behind the MRR."""
        new_test_user(
            self.env, login="tour_dashboard_user", groups="woow_paas_core.group_paas_user"
        )
        plan = self.env["woow.paas.plan"].create(
            {"name": "Dashboard Tour Plan", "code": "dashboard-tour", "price": 42}
        )
        customer = self.env["res.partner"].create(
            {"name": "Dashboard Tour Customer", "is_company": True}
        )
        self.env["woow.paas.subscription"].create(
            {"partner_id": customer.id, "plan_id": plan.id}
        ).action_activate()
        self.start_tour("/odoo", "woow_paas_dashboard_tour", login="tour_dashboard_user")
