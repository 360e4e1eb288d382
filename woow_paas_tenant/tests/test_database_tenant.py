"""Database-per-tenant mode on a real second PostgreSQL cluster: a template
built by odoo-bin, tenant databases copied from it, sign-in over HTTP,
limits and suspension enforced inside, crashes resumed, races and bad input."""

import os
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.woow_paas_tenant import pgtools
from odoo.addons.woow_paas_tenant.models import woow_paas_tenant as tenant_module
from odoo.addons.woow_paas_tenant.models.woow_paas_tenant import PROVISION_LOCK_KEY
from odoo.addons.woow_paas_tenant.models.woow_paas_tenant_provision_step import PROVISION_STEPS

from .common import WoowPaasDatabaseTenantCase
from .pg_cluster import free_port

STEPS = [step for step, _label in PROVISION_STEPS]


class _Crash(BaseException):
    """Stands for the worker dying: not an Exception, nothing catches it."""


class TestDatabaseTenant(WoowPaasDatabaseTenantCase):
    def _new_tenant(self, code):
        tenant = self._tenant(code, self.db_sub)
        self._drop_later(tenant)
        return tenant

    def _provision(self, tenant):
        """Request provisioning, then run the queued job; returns the job."""
        with trap_jobs() as trap:
            tenant.action_provision()
            self.assertEqual(tenant.state, "provisioning")
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            trap.perform_enqueued_jobs()
        return job

    def _snapshot(self, tenant):
        """What a provisioned tenant database looks like, beyond its random
        UUID and secret."""
        params = dict(
            self._tenant_db(
                tenant,
                "SELECT key, value FROM ir_config_parameter"
                " WHERE key LIKE 'woow_paas_agent.%%' OR key LIKE 'database.%%'",
            )
        )
        uuid = params.pop("database.uuid")
        params.pop("database.secret")
        params.pop("database.create_date")
        # The sign-in link's record: a random token, the same for every run
        # only in that it is there.
        signin = params.pop("woow_paas_agent.signin", None)
        (company,) = self._tenant_db(tenant, "SELECT name FROM res_company ORDER BY id LIMIT 1")
        logins = self._tenant_db(
            tenant, "SELECT login FROM res_users WHERE active AND NOT share ORDER BY id"
        )
        files = os.path.isdir(pgtools.filestore_path(tenant.paas_db_name))
        return {
            "uuid_renewed": uuid != self.template.database_uuid,
            "signin_link": bool(signin),
            "params": params,
            "company": company,
            "logins": logins,
            "filestore": files,
            "state": tenant.state,
        }

    def _rpc(self, session, model, method, *args, **kwargs):
        response = session.post(
            f"{session.woow_url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                },
            },
            headers=session.woow_headers,
            timeout=120,
        )
        return response.json()

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

            def crash(tenant_, step, crash_step=crash_step):
                if step == crash_step:
                    raise _Crash(step)

            with trap_jobs() as trap:
                tenant.action_provision()
                job = trap.enqueued_jobs[0]
                with (
                    patch.object(tenant_module, "_paas_after_step", crash),
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

    def test_archive_restore(self):
        """Archive dumps the database and filestore then drops them once
        committed; Restore brings them back with the data intact; a missing
        or corrupt dump is refused with nothing made."""
        tenant = self._new_tenant("db-archive")
        self._provision(tenant)
        self._tenant_db(tenant, "UPDATE res_partner SET comment = 'kept' WHERE id = 1 RETURNING id")
        marker = os.path.join(pgtools.filestore_path(tenant.paas_db_name), "kept.txt")
        with open(marker, "w") as f:
            f.write("kept")
        before = self._snapshot(tenant)
        folder = os.path.join(self.cluster.datadir, "archives")
        self.env["ir.config_parameter"].set_param("woow_paas_tenant.archive_dir", folder)

        tenant.action_archive()
        self.assertEqual(tenant.state, "archived")
        self.assertTrue(os.path.isfile(f"{tenant.paas_archive_path}.dump"))
        self.assertTrue(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        # What the commit would run: the drop (only ours, not other addons' hooks).
        drops = [
            func
            for func in self.env.cr.postcommit._funcs
            if getattr(func, "func", None) is tenant_module._paas_drop
        ]
        self.assertEqual(len(drops), 1)
        drops[0]()
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        self.assertFalse(os.path.exists(marker))
        with self.assertRaisesRegex(UserError, "restore it instead"):
            tenant.action_activate()

        dump = f"{tenant.paas_archive_path}.dump"
        os.rename(dump, f"{dump}.moved")
        with self.assertRaisesRegex(UserError, "missing or corrupt"):
            tenant.action_restore()
        with open(dump, "wb") as f:
            f.write(b"PGDMP not really a dump")
        with self.assertRaisesRegex(UserError, "missing or corrupt"):
            tenant.action_restore()
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        self.assertEqual(tenant.state, "archived")
        os.rename(f"{dump}.moved", dump)

        tenant.action_restore()
        self.assertEqual(tenant.state, "active")
        after = self._snapshot(tenant)
        self.assertEqual(after, before)
        self.assertEqual(
            self._tenant_db(tenant, "SELECT comment FROM res_partner WHERE id = 1"), [("kept",)]
        )
        with open(marker) as f:
            self.assertEqual(f.read(), "kept")
        _session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)

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

    def test_archive_deleted_after_grace(self):
        """Delete Archive keeps the dump for the grace period (Keep Archive
        cancels); the daily job then removes the files, once, and Restore is
        no longer offered."""
        tenant = self._new_tenant("db-purge")
        self._provision(tenant)
        folder = os.path.join(self.cluster.datadir, "archives-purge")
        params = self.env["ir.config_parameter"]
        params.set_param("woow_paas_tenant.archive_dir", folder)
        params.set_param("woow_paas_tenant.archive_delete_grace_days", "3")
        tenant.action_archive()
        base = tenant.paas_archive_path
        files = [f"{base}.dump", f"{base}.filestore.tar.gz"]
        self.assertTrue(all(os.path.isfile(path) for path in files))
        with self.assertRaises(AccessError):
            tenant.with_user(self.paas_user).action_delete_archive()

        tenant.with_user(self.paas_manager).action_delete_archive()
        today = fields.Date.context_today(tenant)
        self.assertEqual(tenant.paas_archive_delete_date, today + timedelta(days=3))
        Tenant = self.env["woow.paas.tenant"]
        Tenant._cron_delete_archives()
        self.assertTrue(all(os.path.isfile(path) for path in files), "deleted before its day")
        tenant.with_user(self.paas_manager).action_keep_archive()
        self.assertFalse(tenant.paas_archive_delete_date)

        tenant.with_user(self.paas_manager).action_delete_archive()
        with freeze_time(today + timedelta(days=3)):
            Tenant._cron_delete_archives()
            Tenant._cron_delete_archives()
        self.assertFalse(any(os.path.exists(path) for path in files))
        self.assertFalse(tenant.paas_archive_path)
        self.assertEqual(tenant.state, "archived")
        self.assertEmitted(tenant, "tenant.archive_deleted", count=1)
        with self.assertRaisesRegex(UserError, "archived with its dump"):
            tenant.action_restore()
        with self.assertRaisesRegex(UserError, "still have their archive"):
            tenant.with_user(self.paas_manager).action_delete_archive()

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

    def _insert_internal_user(self, tenant, login, share=False):
        """An internal user made in the tenant database behind the ORM's
        back (what Python code run by the tenant's administrator could do)."""
        (user_id,) = self._tenant_db(
            tenant,
            "INSERT INTO res_users (login, partner_id, company_id, active, share)"
            " SELECT %s, partner_id, company_id, true, %s"
            " FROM res_users WHERE login = %s RETURNING id",
            [login, share, tenant.paas_admin_login],
        )[0]
        self._tenant_db(
            tenant,
            "INSERT INTO res_groups_users_rel (uid, gid) SELECT %s, res_id FROM ir_model_data"
            " WHERE module = 'base' AND name = 'group_user' RETURNING uid",
            [user_id],
        )

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
