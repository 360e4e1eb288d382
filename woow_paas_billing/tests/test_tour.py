from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUsageTour(HttpCase):
    def test_metric_tour(self):
        """A PaaS Manager opens Usage > Metrics in a real browser and creates a
        unique-count metric, which asks for the property it counts."""
        new_test_user(
            self.env, login="tour_paas_manager", groups="woow_paas_core.group_paas_manager"
        )
        self.start_tour("/odoo", "woow_paas_billing_metric_tour", login="tour_paas_manager")
        metric = self.env["woow.paas.metric"].search([("code", "=", "tour_logins")])
        self.assertEqual(metric.name, "Tour Logins")
        self.assertEqual(metric.aggregation, "unique_count")
        self.assertEqual(metric.property_key, "user_id")
