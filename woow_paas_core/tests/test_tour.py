from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBackOfficeTour(HttpCase):
    def test_backoffice_tour(self):
        """A PaaS User creates a customer, a subscription and a tenant in a real
        browser, then activates the subscription from its form."""
        new_test_user(self.env, login="tour_paas_user", groups="woow_paas_core.group_paas_user")
        self.env["woow.paas.plan"].create({"name": "Tour Plan", "code": "tour-plan", "price": 42})
        self.start_tour("/odoo", "woow_paas_core_backoffice_tour", login="tour_paas_user")
        sub = self.env["woow.paas.subscription"].search(
            [("partner_id.name", "=", "Tour Customer Inc")]
        )
        self.assertEqual(sub.state, "active")
        self.assertEqual(sub.plan_id.code, "tour-plan")
        self.assertEqual(sub.tenant_ids.code, "tour-tenant")
        self.assertTrue(sub.partner_id.is_paas_customer)
        self.assertTrue(
            self.env["woow.paas.event"].search_count(
                [("subscription_id", "=", sub.id), ("event_type", "=", "subscription.activated")]
            )
        )
