from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestApiKeyTour(HttpCase):
    def test_api_key_tour(self):
        """A PaaS Manager creates an API key in the back office and sees it once."""
        new_test_user(
            self.env, login="tour_api_manager", groups="woow_paas_core.group_paas_manager"
        )
        self.start_tour("/odoo", "woow_paas_api_key_tour", login="tour_api_manager")
        key = self.env["woow.paas.api.key"].search([("name", "=", "Tour integration")])
        self.assertEqual(key.state, "active")
        self.assertEqual(key.user_id.login, "tour_api_manager")
