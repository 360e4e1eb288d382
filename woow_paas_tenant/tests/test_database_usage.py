"""Usage of database tenants measured inside their own databases, and the
limits held there against the tenant's administrator (second PostgreSQL
cluster)."""

import os

from odoo.addons.woow_paas_tenant import pgtools

from .common import WoowPaasDatabaseTenantCase


class TestDatabaseTenantUsage(WoowPaasDatabaseTenantCase):
    def test_usage_measured_inside_database(self):
        """The usage cron measures a database tenant in its own database:
        storage = database size + filestore, users = its internal users."""
        self._plan_limit(self.db_plan, "storage_mb", 100000)
        tenant = self._new_tenant("db-measure")
        self._provision(tenant)
        marker = os.path.join(pgtools.filestore_path(tenant.paas_db_name), "two-mb.bin")
        with open(marker, "wb") as f:
            f.write(b"\0" * 2 * 1024 * 1024)
        self._insert_internal_user(tenant, "second@example.com")
        # A portal-like row (no group) does not count, whatever its flag says.
        self._tenant_db(
            tenant,
            "INSERT INTO res_users (login, partner_id, company_id, active, share)"
            " SELECT 'nogroup@example.com', partner_id, company_id, true, false"
            " FROM res_users WHERE login = %s RETURNING id",
            [tenant.paas_admin_login],
        )
        (size,) = self._tenant_db(tenant, "SELECT pg_database_size(current_database())")[0]
        tenant.paas_usage_measured_at = False
        self.env["woow.paas.tenant"]._cron_measure_usage()
        storage = tenant.quota_ids.filtered(lambda q: q.resource_code == "storage_mb")
        files = pgtools.filestore_size(tenant.paas_db_name)
        self.assertGreater(files, 2 * 1024 * 1024 - 1)
        self.assertAlmostEqual(storage.usage, (size + files) / 1024 / 1024, delta=1.0)
        self.assertGreater(storage.usage, 5)
        users = tenant.quota_ids.filtered(lambda q: q.resource_code == "users")
        self.assertEqual(users.usage, 2)

    def test_tenant_admin_cannot_lift_limits(self):
        """Over JSON-RPC the tenant's administrator can neither uninstall the
        agent, nor change the pushed limit, nor add users past it through
        the groups; what is done behind the ORM's back (SQL) is caught by
        the usage job: users over the limit announced (quota.exceeded),
        the limits written back, a missing agent flagged."""
        tenant = self._new_tenant("db-tamper")
        self._provision(tenant)
        session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)

        def error(response):
            self.assertIn("error", response, response)
            return response["error"]["data"]["message"]

        (agent,) = self._rpc(
            session, "ir.module.module", "search", [("name", "=", "woow_paas_tenant_agent")]
        )["result"]
        for method in ("button_immediate_uninstall", "button_uninstall", "module_uninstall"):
            message = error(self._rpc(session, "ir.module.module", method, [agent]))
            self.assertIn("the platform manages", message)
        message = error(
            self._rpc(session, "ir.module.module", "write", [agent], {"state": "uninstalled"})
        )
        self.assertIn("the platform manages", message)
        message = error(
            self._rpc(
                session, "ir.config_parameter", "set_param", "woow_paas_agent.max_users", "99"
            )
        )
        self.assertIn("set by the platform", message)
        group_user = self._rpc(
            session, "ir.model.data", "check_object_reference", "base", "group_user"
        )["result"][1]
        new_ids = [
            self._rpc(
                session, "res.users", "create",
                {"name": f"Nobody {i}", "login": f"nobody{i}", "group_ids": [(6, 0, [])]},
            )["result"]
            for i in range(3)
        ]  # fmt: skip
        message = error(
            self._rpc(
                session, "res.groups", "write", [group_user],
                {"user_ids": [(4, user_id) for user_id in new_ids]},
            )
        )  # fmt: skip
        self.assertIn("allows 3 internal users", message)
        self.assertEqual(
            self._tenant_db(
                tenant,
                "SELECT state FROM ir_module_module WHERE name = 'woow_paas_tenant_agent'",
            ),
            [("installed",)],
        )

        # Behind the ORM's back: 3 more internal users (one flagged share),
        # a higher limit, the agent marked uninstalled.
        for i, share in enumerate((False, False, True)):
            self._insert_internal_user(tenant, f"sql{i}@example.com", share=share)
        self._tenant_db(
            tenant,
            "UPDATE ir_config_parameter SET value = '999'"
            " WHERE key = 'woow_paas_agent.max_users' RETURNING key",
        )
        self._tenant_db(
            tenant,
            "UPDATE ir_module_module SET state = 'uninstalled'"
            " WHERE name = 'woow_paas_tenant_agent' RETURNING name",
        )
        tenant.paas_usage_measured_at = False
        self.env["woow.paas.tenant"]._cron_measure_usage()
        users = tenant.quota_ids.filtered(lambda q: q.resource_code == "users")
        self.assertEqual((users.usage, users.effective_limit), (4, 3))
        self.assertTrue(users.over_limit_since)
        (event,) = self._events(tenant, "quota.exceeded")
        self.assertEqual(event.payload["usage"], 4)
        self.assertTrue(event.payload["measured"])
        self.assertEqual(self._snapshot(tenant)["params"]["woow_paas_agent.max_users"], "3")
        self.assertTrue(tenant.paas_agent_missing)
        notes = "\n".join(tenant.message_ids.mapped("body"))
        self.assertIn("Measured over its limit", notes)
        self.assertIn("written back", notes)
        self.assertIn("not installed in the tenant database", notes)
        self.assertEqual(tenant.state, "active")
