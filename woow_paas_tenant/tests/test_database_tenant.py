"""Database-per-tenant mode on a real second PostgreSQL cluster: a template
built by odoo-bin, tenant databases copied from it, sign-in over HTTP,
limits and suspension enforced inside, crashes resumed, races and bad input."""

import os
import time
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError
from odoo.sql_db import db_connect

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.woow_paas_tenant import pgtools
from odoo.addons.woow_paas_tenant.models.woow_paas_tenant_provision_step import PROVISION_STEPS
from odoo.addons.woow_paas_tenant.provisioning import PROVISION_LOCK_KEY, TenantProvisioning

from .common import WoowPaasDatabaseTenantCase
from .pg_cluster import free_port

STEPS = [step for step, _label in PROVISION_STEPS]


class _Crash(BaseException):
    """Stands for the worker dying: not an Exception, nothing catches it."""


class TestDatabaseTenant(WoowPaasDatabaseTenantCase):
    def test_template_built_by_odoo(self):
        """The template is a real Odoo database with the plan's modules."""
        with (
            pgtools.connect(self.cluster.conninfo, self.template.db_name) as conn,
            conn.cursor() as cr,
        ):
            cr.execute(
                "SELECT name FROM ir_module_module WHERE state = 'installed'"
                " AND name IN ('base', 'web', 'woow_paas_tenant_agent') ORDER BY name"
            )
            rows = [name for (name,) in cr.fetchall()]
        self.assertEqual(rows, ["base", "web", "woow_paas_tenant_agent"])
        self.assertTrue(self.template.database_uuid)

    def test_provision_login_limits_suspension(self):
        """End to end: a database copied from the template, a step log, a
        sign-in by host name, the user limit and the suspension enforced
        inside the tenant database."""
        tenant = self._new_tenant("db-e2e")
        self._provision(tenant)
        self.assertEqual(tenant.state, "active", tenant.state_message)
        self.assertEqual(tenant.paas_db_name, f"{self.cluster.prefix}db-e2e")
        self.assertEqual(tenant.paas_db_server_id, self.server)
        self.assertEqual(self.server.tenant_count, 1)
        self.assertEqual(tenant.paas_provision_step_ids.mapped("step"), STEPS)
        self.assertEqual(set(tenant.paas_provision_step_ids.mapped("status")), {"done"})
        self.assertTrue(all(s.duration_ms > 0 for s in tenant.paas_provision_step_ids))
        snapshot = self._snapshot(tenant)
        self.assertTrue(snapshot["uuid_renewed"])
        self.assertTrue(snapshot["filestore"])
        self.assertEqual(snapshot["company"], ("Customer A",))
        self.assertEqual(snapshot["logins"], [("owner@customer-a.example.com",)])
        self.assertEqual(snapshot["params"]["woow_paas_agent.max_users"], "3")
        self.assertEqual(tenant.paas_url.split("://")[1].split(":")[0], "db-e2e.localhost")

        session, signed_in = self._login(tenant, password="wrong password")
        self.assertFalse(signed_in)
        session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)
        me = self._rpc(session, "res.users", "search_read", [("id", "=", 2)], ["login"])
        self.assertEqual(me["result"][0]["login"], "owner@customer-a.example.com", me)

        group_user = self._rpc(
            session, "ir.model.data", "check_object_reference", "base", "group_user"
        )["result"][1]
        for i in (1, 2):
            created = self._rpc(
                session,
                "res.users",
                "create",
                {"name": f"Employee {i}", "login": f"employee{i}", "group_ids": [(4, group_user)]},
            )
            self.assertIn("result", created, created)
        refused = self._rpc(
            session,
            "res.users",
            "create",
            {"name": "Employee 3", "login": "employee3", "group_ids": [(4, group_user)]},
        )
        self.assertIn("allows 3 internal users", refused["error"]["data"]["message"])

        # A plan change raising the limit reaches the tenant database at once.
        self._plan_limit(self.db_plan, "users", 4)
        self.db_sub.tenant_ids._paas_quota_sync()
        created = self._rpc(
            session,
            "res.users",
            "create",
            {"name": "Employee 3", "login": "employee3", "group_ids": [(4, group_user)]},
        )
        self.assertIn("result", created, created)

        # Configuration values follow the tenant into its database.
        self.env["woow.paas.config.key"].create(
            {
                "name": "Max projects",
                "code": "test_max_projects",
                "value_type": "integer",
                "default_value": "5",
            }
        )
        tenant._paas_set_config("test_max_projects", 12)
        self.assertEqual(
            self._snapshot(tenant)["params"]["woow_paas_agent.config.test_max_projects"], "12"
        )

        tenant.action_suspend(reason="unpaid invoice")
        session, signed_in = self._login(tenant)
        self.assertTrue(signed_in, "a suspended tenant still lets its users in")
        info = self._rpc(session, "res.partner", "search_read", [], ["name"], limit=1)
        self.assertIn("result", info)
        # The web client gets the banner's text with its session.
        page = session.get(f"{session.woow_url}/odoo", headers=session.woow_headers, timeout=120)
        self.assertIn("paas_suspended", page.text)
        self.assertIn("unpaid invoice", page.text)
        refused = self._rpc(session, "res.partner", "create", {"name": "New contact"})
        message = refused["error"]["data"]["message"]
        self.assertIn("suspended and read-only (unpaid invoice)", message)
        tenant.action_activate()
        created = self._rpc(session, "res.partner", "create", {"name": "New contact"})
        self.assertIn("result", created, created)

    def test_crash_after_each_step_resumes(self):
        """A crash after any step, then the job again: the same end state,
        the steps already done logged as skipped."""
        reference = self._new_tenant("db-crash-none")
        self._provision(reference)
        expected = self._snapshot(reference)
        expected["company"] = None
        for index, crash_step in enumerate(STEPS):
            tenant = self._new_tenant(f"db-crash-{index}")

            def crash(provisioning, step, crash_step=crash_step):
                if step == crash_step:
                    raise _Crash(step)

            with trap_jobs() as trap:
                tenant.action_provision()
                job = trap.enqueued_jobs[0]
                with (
                    patch.object(TenantProvisioning, "after_step", crash),
                    self.assertRaises(_Crash),
                    self.env.cr.savepoint(),
                ):
                    job.perform()
                self.assertEqual(tenant.state, "provisioning")
                job.perform()
            self.assertEqual(tenant.state, "active", tenant.state_message)
            got = self._snapshot(tenant)
            got["company"] = None
            self.assertEqual(got, expected, f"crash after {crash_step}")
            skipped = tenant.paas_provision_step_ids.filtered(lambda s: s.status == "skipped")
            self.assertEqual(skipped.mapped("step"), STEPS[: index + 1], crash_step)

    def test_signin_link_once(self):
        """The administrator's sign-in link signs in once, without the
        password; a wrong, spent or expired link is refused."""
        tenant = self._new_tenant("db-signin")
        self._provision(tenant)
        self.assertIn("://db-signin.", tenant.paas_signin_url)
        self.assertIn("/woow_paas_agent/signin?token=", tenant.paas_signin_url)
        self.assertEqual(self._signin(tenant, token="x" * 43), (403, False))
        status, uid = self._signin(tenant)
        self.assertEqual(status, 303)
        (admin_id,) = self._tenant_db(tenant, "SELECT id FROM res_users WHERE login = %s",
                                      [tenant.paas_admin_login])[0]  # fmt: skip
        self.assertEqual(uid, admin_id)
        self.assertEqual(self._signin(tenant), (403, False), "a link is good once")
        # Expired: the agent's record of a fresh link, dated yesterday.
        self._tenant_db(
            tenant,
            "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) RETURNING id",
            [
                "woow_paas_agent.signin",
                tenant._paas_signin_param().format(uid=admin_id).rsplit(":", 1)[0]
                + f":{int(time.time()) - 86400}",
            ],
        )
        self.assertEqual(self._signin(tenant), (403, False))
        # The password still works, and clearing forgets the link.
        _session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)
        tenant.with_user(self.paas_manager).action_clear_admin_password()
        self.assertFalse(tenant.paas_signin_url)

    def _drop_pool_later(self):
        def drop_pool():
            with pgtools.connect(self.cluster.conninfo) as conn, conn.cursor() as cr:
                cr.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [f"{self.cluster.prefix}pool\\_%"],
                )
                names = [name for (name,) in cr.fetchall()]
            for name in names:
                pgtools.drop_db(self.cluster.conninfo, name)
                pgtools.remove_filestore(name)

        self.addCleanup(drop_pool)

    def test_warm_pool(self):
        """With a warm pool, a sign-up takes a database already copied (a
        rename, its password already hashed), signs in, and the refill job
        brings the pool back to its size."""
        self._drop_pool_later()
        with trap_jobs() as trap:
            self.db_plan.paas_pool_size = 1
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        warm = self.db_plan.paas_pool_ids
        self.assertEqual(warm.mapped("state"), ["ready"])
        self.assertTrue(pgtools.db_exists(self.cluster.conninfo, warm.db_name))
        warm_name = warm.db_name

        tenant = self._new_tenant("db-warm")
        with trap_jobs() as trap:
            tenant.action_provision()
            self.assertTrue(tenant.paas_pool_password)
            self.assertEqual(warm.tenant_id, tenant)
            trap.assert_jobs_count(2)  # the provisioning and the refill
            trap.perform_enqueued_jobs()
        self.assertEqual(tenant.state, "active", tenant.state_message)
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, warm_name))
        self.assertFalse(warm.exists())
        refilled = self.db_plan.paas_pool_ids
        self.assertEqual(refilled.mapped("state"), ["ready"])
        refilled_name = refilled.db_name
        self.assertNotEqual(refilled_name, warm_name)
        snapshot = self._snapshot(tenant)
        self.assertTrue(snapshot["uuid_renewed"])
        self.assertTrue(snapshot["filestore"])
        self.assertEqual(snapshot["logins"], [("owner@customer-a.example.com",)])
        statuses = dict(tenant.paas_provision_step_ids.mapped(lambda s: (s.step, s.status)))
        self.assertEqual(statuses["database"], "done")
        self.assertEqual(statuses["identity"], "skipped")  # renewed when the pool was filled
        _session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)

        # Back to no pool: the warm database goes.
        with trap_jobs() as trap:
            self.db_plan.paas_pool_size = 0
            trap.perform_enqueued_jobs()
        self.assertFalse(self.db_plan.paas_pool_ids)
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, refilled_name))

    def test_two_provisionings_race(self):
        """While another transaction provisions the tenant (holds its lock),
        the job waits for a retry and makes nothing; one job per tenant is
        queued however often it is asked."""
        tenant = self._new_tenant("db-race")
        with trap_jobs() as trap:
            tenant.action_provision()
            tenant._paas_provision()  # asked again: same identity key
            self.assertEqual(len({j.identity_key for j in trap.enqueued_jobs}), 1)
            job = trap.enqueued_jobs[0]
            other = db_connect(self.env.cr.dbname).cursor()
            try:
                other.execute("SELECT pg_advisory_lock(%s, %s)", [PROVISION_LOCK_KEY, tenant.id])
                with self.assertRaises(RetryableJobError):
                    job.perform()
                self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
                self.assertFalse(tenant.paas_provision_step_ids)
            finally:
                other.execute("SELECT pg_advisory_unlock_all()")
                other.close()
            job.perform()
        self.assertEqual(tenant.state, "active", tenant.state_message)

    def _assert_nothing_made(self, tenant, code):
        self.assertEqual(tenant.state, "draft")
        self.assertFalse(tenant.paas_db_name)
        self.assertFalse(tenant.paas_provision_step_ids)
        name = f"{self.cluster.prefix}{code}"
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, name))
        self.assertFalse(os.path.exists(pgtools.filestore_path(name)))

    def _assert_refused(self, tenant, expected):
        """Provisioning ``tenant`` is refused with ``expected`` and leaves
        nothing: no job, log, database or filestore, and the tenant in draft."""
        with (
            trap_jobs() as trap,
            self.assertRaisesRegex(UserError, expected),
            self.env.cr.savepoint(),
        ):
            tenant.action_provision()
        trap.assert_jobs_count(0)
        self._assert_nothing_made(tenant, tenant.code)

    def test_bad_input_leaves_nothing(self):
        """No server with room, a server refusing connections, a missing
        template, a customer without email: one sentence each, and no
        database, filestore, job or log left."""
        tenant = self._new_tenant("db-bad")
        self.server.capacity = 0
        self._assert_refused(tenant, "No database server has room")
        self.server.capacity = 50

        dead = self.env["woow.paas.db.server"].create(
            {
                "name": "Dead",
                "host": "127.0.0.1",
                "port": free_port(),
                "role": "nobody",
                "capacity": 50,
                "sequence": 1,
                "db_prefix": self.cluster.prefix,
            }
        )
        self.server.active = False
        self._assert_refused(tenant, "refused the connection")
        # With a live server next to it, the dead one is passed over.
        self.server.active = True
        self.assertEqual(self.env["woow.paas.db.server"]._paas_place(), self.server)
        dead.active = False

        with trap_jobs() as trap:
            self.db_plan.paas_modules = "base,web,woow_paas_tenant_agent,base_setup"
        # A new version of the template is queued for building; until it is
        # built, provisioning is refused.
        self.assertEqual(self.db_plan.paas_template_version, 2)
        trap.assert_jobs_count(1)
        templates_before = self.env["woow.paas.db.template"].search_count([])
        self._assert_refused(tenant, "is missing on server")
        self.assertEqual(self.env["woow.paas.db.template"].search_count([]), templates_before)

        self.customer_a.email = False
        self._assert_refused(tenant, "has no email address")

    def test_template_dropped_fails_readably(self):
        """A template that disappears after the request ends the tenant in
        failed with a reason, no database made, and Retry works once it is
        back."""
        tenant = self._new_tenant("db-gone")
        with trap_jobs() as trap:
            tenant.action_provision()
            job = trap.enqueued_jobs[0]
            self.template.sudo().state = "failed"
            job.perform()
        self.assertEqual(tenant.state, "failed")
        self.assertIn("template database", tenant.state_message)
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        self.assertEqual(tenant.paas_provision_step_ids.status, "failed")
        self.template.sudo().state = "ready"
        self._provision(tenant)
        self.assertEqual(tenant.state, "active", tenant.state_message)

    def test_server_down_during_job_is_transient(self):
        """A server that stops answering during the job is a transient error:
        retried by queue_job while retries are left, then failed with the
        reason."""
        tenant = self._new_tenant("db-down")
        with trap_jobs() as trap:
            tenant.action_provision()
            job = trap.enqueued_jobs[0]
            self.server.sudo().port = free_port()
            job.perform()  # no stored job: no retry left
        self.assertEqual(tenant.state, "failed")
        self.assertIn("refused the connection", tenant.state_message)
        self.assertFalse(
            psycopg2.OperationalError.__name__ in tenant.state_message, tenant.state_message
        )
