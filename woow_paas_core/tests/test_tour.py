from datetime import timedelta

from odoo import fields
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

    def test_tenant_form_follows_its_status(self):
        """In a real browser (and a real websocket), a tenant form left open
        on a stuck provisioning offers Retry, Cancel and Archive, then shows
        the tenant Failed as soon as someone else cancels it."""
        new_test_user(self.env, login="tour_paas_live", groups="woow_paas_core.group_paas_user")
        customer = self.env["res.partner"].create({"name": "Live Customer", "is_company": True})
        plan = self.env["woow.paas.plan"].create({"name": "Live", "code": "tour-live", "price": 1})
        sub = self.env["woow.paas.subscription"].create(
            {"partner_id": customer.id, "plan_id": plan.id}
        )
        sub.action_activate()
        tenant = self.env["woow.paas.tenant"].create(
            {"name": "Tour Live", "code": "tour-live", "partner_id": customer.id,
             "subscription_id": sub.id}
        )  # fmt: skip
        tenant._paas_transition(
            "provisioning",
            "tenant.provisioning",
            vals={"provisioning_date": fields.Datetime.now() - timedelta(hours=1)},
        )
        self.start_tour(
            f"/odoo/action-woow_paas_core.woow_paas_tenant_action/{tenant.id}",
            "woow_paas_core_tenant_live_tour",
            login="tour_paas_live",
        )
        self.assertEqual(tenant.state, "failed")
