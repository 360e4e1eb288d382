"""Base class for tenant-layer tests; addons built on woow_paas_tenant reuse it."""

import os
import re

import requests

from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.woow_paas_core.tests.common import WoowPaasCase
from odoo.addons.woow_paas_tenant import pgtools


class WoowPaasTenantCase(WoowPaasCase):
    """Two customers each with a running subscription and an active tenant
    (``tenant_a``, ``tenant_b``), and internal users working in them:
    ``user_a`` (tenant A only), ``user_b`` (tenant B only) and ``user_ab``
    (allowed in both, current tenant A). Each user's password is its login.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("tenant-a", cls.sub_a)
        cls.tenant_b = cls._tenant("tenant-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()
        cls.user_a = cls._tenant_user("tenant_user_a", cls.tenant_a)
        cls.user_b = cls._tenant_user("tenant_user_b", cls.tenant_b)
        cls.user_ab = cls._tenant_user("tenant_user_ab", cls.tenant_a | cls.tenant_b)

    @classmethod
    def _tenant_user(cls, login, tenants, groups="base.group_user", **vals):
        """An internal user allowed in ``tenants``, the first one current."""
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            password=login,
            paas_tenant_ids=[Command.set(tenants.ids)],
            paas_tenant_id=tenants[:1].id,
            **vals,
        )

    @classmethod
    def _plan_limit(cls, plan, resource_code, limit):
        """Set (or add) ``plan``'s limit for ``resource_code``."""
        resource = cls.env["woow.paas.resource"]._get_by_code(resource_code)
        line = plan.quota_ids.filtered(lambda q: q.resource_id == resource)
        if line:
            line.limit = limit
        else:
            cls.env["woow.paas.plan.quota"].create(
                {"plan_id": plan.id, "resource_id": resource.id, "limit": limit}
            )


class WoowPaasDatabaseTenantCase(WoowPaasTenantCase):
    """Tenant case plus database-per-tenant mode on a second PostgreSQL
    cluster (:class:`.pg_cluster.SecondCluster`): ``server`` (the only
    active database server), ``db_plan`` (isolation ``database``, modules
    base, web and the agent, its template built once per test run) and
    ``db_sub``, a running subscription of customer A on it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from .pg_cluster import PASSWORD, ROLE, SecondCluster

        cls.cluster = SecondCluster.get()
        # Before Odoo's own check, which would log the child process as a leftover.
        cls.addClassCleanup(cls.cluster.stop_odoo)
        Server = cls.env["woow.paas.db.server"]
        Server.search([]).write({"active": False})
        cls.server = Server.create(
            {
                "name": "Second cluster",
                "host": "127.0.0.1",
                "port": cls.cluster.port,
                "role": ROLE,
                "password": PASSWORD,
                "capacity": 50,
                "db_prefix": cls.cluster.prefix,
            }
        )
        cls.customer_a.email = "owner@customer-a.example.com"
        cls.db_plan = cls.env["woow.paas.plan"].create(
            {
                "name": "Test Database",
                "code": "test-database",
                "price": 90.0,
                "paas_isolation": "database",
                "paas_modules": "base,web,woow_paas_tenant_agent",
            }
        )
        cls._plan_limit(cls.db_plan, "users", 3)
        cls.template = cls.db_plan._paas_template(cls.server)
        cls._use_run_template(cls.template)
        cls.db_sub = cls._subscription(partner=cls.customer_a, plan=cls.db_plan)
        cls.db_sub.action_activate()

    @classmethod
    def _use_run_template(cls, template):
        """Build the template database the first time in a run; later
        classes point their template record at the one already built."""
        built = cls.cluster.templates.get(template.modules)
        if built:
            template.sudo().write(built)
            return
        template._paas_build()
        assert template.state == "ready", template.build_log
        cls.cluster.templates[template.modules] = {
            "db_name": template.db_name,
            "state": "ready",
            "database_uuid": template.database_uuid,
            "build_seconds": template.build_seconds,
        }

    def _login(self, tenant, login=None, password=None):
        """Sign in to ``tenant`` with the login form of an odoo-bin serving
        the second cluster, reached by host name; returns the HTTP session
        and whether the sign-in worked."""
        port = self.cluster.start_odoo(f"^({self.cluster.prefix}platform|{self.cluster.prefix}%d)$")
        session = requests.Session()
        session.woow_url = url = f"http://127.0.0.1:{port}"
        session.woow_headers = headers = {"Host": f"{tenant.code}.localhost:{port}"}
        page = session.get(f"{url}/web/login", headers=headers, timeout=120)
        self.assertEqual(page.status_code, 200, page.text[:500])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{url}/web/login",
            data={
                "login": login or tenant.paas_admin_login,
                "password": password or tenant.sudo().paas_admin_password,
                "csrf_token": csrf,
            },
            headers=headers,
            allow_redirects=False,
            timeout=120,
        )
        signed_in = response.status_code == 303 and "/web/login" not in response.headers["Location"]
        return session, signed_in

    def _signin(self, tenant, token=None):
        """Open ``tenant``'s one-time sign-in link (or one with ``token``) on
        the odoo-bin serving the second cluster; returns the HTTP status and
        the user id of the session it leaves (False when not signed in)."""
        port = self.cluster.start_odoo(f"^({self.cluster.prefix}platform|{self.cluster.prefix}%d)$")
        session = requests.Session()
        url = f"http://127.0.0.1:{port}"
        headers = {"Host": f"{tenant.code}.localhost:{port}"}
        token = token or tenant.sudo().paas_signin_token
        response = session.get(
            f"{url}/woow_paas_agent/signin",
            params={"token": token},
            headers=headers,
            allow_redirects=False,
            timeout=120,
        )
        info = session.post(
            f"{url}/web/session/get_session_info",
            json={"jsonrpc": "2.0", "params": {}},
            headers=headers,
            timeout=120,
        ).json()
        return response.status_code, (info.get("result") or {}).get("uid") or False

    def _drop_later(self, tenant_or_name):
        """Drop the tenant database (and filestore) at the end of the test."""
        name = getattr(tenant_or_name, "paas_db_name", None) or tenant_or_name
        if not isinstance(name, str):
            name = f"{self.cluster.prefix}{tenant_or_name.code}"
        self.addCleanup(pgtools.remove_filestore, name)
        self.addCleanup(pgtools.drop_db, self.cluster.conninfo, name)

    def _tenant_db(self, tenant, query, args=None):
        """Rows of ``query`` run in ``tenant``'s own database."""
        with (
            pgtools.connect(self.cluster.conninfo, tenant.paas_db_name) as conn,
            conn.cursor() as cr,
        ):
            cr.execute(query, args)
            return cr.fetchall()

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
