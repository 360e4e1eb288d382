from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestQuotaTour(HttpCase):
    def test_quota_override_tour(self):
        """A PaaS Manager opens a tenant and overrides one of its quotas in a real browser."""
        new_test_user(
            self.env, login="tour_tenant_manager", groups="woow_paas_core.group_paas_manager"
        )
        partner = self.env["res.partner"].create(
            {"name": "Tour Quota Customer", "is_company": True}
        )
        plan = self.env["woow.paas.plan"].create({"name": "Tour Quota Plan", "code": "tour-quota"})
        api_calls = self.env.ref("woow_paas_core.resource_api_calls")
        self.env["woow.paas.plan.quota"].create(
            {"plan_id": plan.id, "resource_id": api_calls.id, "limit": 500}
        )
        sub = self.env["woow.paas.subscription"].create(
            {"partner_id": partner.id, "plan_id": plan.id}
        )
        sub.action_activate()
        tenant = self.env["woow.paas.tenant"].create(
            {"name": "Tour Quota Tenant", "code": "tour-quota-tenant",
             "partner_id": partner.id, "subscription_id": sub.id}
        )  # fmt: skip
        self.start_tour("/odoo", "woow_paas_tenant_quota_tour", login="tour_tenant_manager")
        line = tenant.quota_ids.filtered(lambda q: q.resource_code == "api_calls")
        self.assertTrue(line.use_override)
        self.assertEqual(line.override_limit, 2500)
        self.assertEqual(line.effective_limit, 2500)
