"""Provisioning of a database tenant: one run of the queue job
``woow.paas.tenant._paas_provision_job``, as a plain object created per run.

The run holds its state itself: the connection to the tenant database that
its steps share, and the administrator's password hash worked out in a thread
while PostgreSQL copies the template. Every step checks first whether it
already happened, so a crash at any point is resumed by running the job again.
The retry delays are queue_job's: the ``retry_pattern`` of the job function
(data/queue_job_data.xml)."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import psycopg2

from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import NoSuchJobError, RetryableJobError
from odoo.addons.queue_job.job import Job

from . import pgtools, tenantdb
from .models.woow_paas_tenant_provision_step import PROVISION_STEPS

_logger = logging.getLogger(__name__)

# Key of the transaction-scoped advisory lock that one provisioning of a
# tenant holds (second key: the tenant id).
PROVISION_LOCK_KEY = 0x57_6F_6F_77  # "Woow"
# Seconds before a job that found another provisioning of its tenant running
# tries again.
LOCKED_RETRY_SECONDS = 10


class TenantProvisioning:
    """One provisioning run of ``tenant`` (a database tenant in state
    ``provisioning``): :meth:`run` does the steps of :data:`PROVISION_STEPS`,
    each a ``step_<name>`` method returning True when it found its work
    already done."""

    def __init__(self, tenant):
        tenant.ensure_one()
        self.tenant = tenant.sudo()
        self.env = self.tenant.env
        # Future of the administrator's password hash (PBKDF2, deliberately
        # slow), None when the password came hashed with a warm database.
        self.password_hash = None
        # The connection to the tenant database that the steps share, opened
        # at first use and closed at the end of the run.
        self.connection = None
        self._resources = ExitStack()

    def run(self):
        """Run the steps; returns the job's result. Transient errors are
        retried while the job has retries left; other errors end the tenant
        in ``failed`` with the reason."""
        tenant = self.tenant
        if tenant.state != "provisioning":
            return f"Tenant {tenant.code} is {tenant.state}: nothing to provision."
        if not tenant._paas_provision_lock():
            raise RetryableJobError(
                f"Another provisioning of tenant {tenant.code} is running.",
                seconds=LOCKED_RETRY_SECONDS,
            )
        with self._resources:
            if not tenant.paas_pool_password:
                pool = self._resources.enter_context(ThreadPoolExecutor(max_workers=1))
                crypt = self.env["res.users"]._crypt_context()
                self.password_hash = pool.submit(crypt.hash, tenant.paas_admin_password)
            return self.run_steps()

    def run_steps(self):
        tenant = self.tenant
        Step = self.env["woow.paas.tenant.provision.step"].sudo()
        last = Step.search([("tenant_id", "=", tenant.id)], order="attempt desc", limit=1)
        attempt = last.attempt + 1 if last else 1
        for step, _label in PROVISION_STEPS:
            start = time.perf_counter()
            try:
                with self.env.cr.savepoint():
                    done_before = getattr(self, f"step_{step}")()
            except (pgtools.TransientError, psycopg2.Error, OSError, UserError) as exc:
                reason = str(exc).strip() or exc.__class__.__name__
                retry = pgtools.is_transient(exc) and self.retries_left()
                Step.create(
                    {
                        "tenant_id": tenant.id,
                        "attempt": attempt,
                        "step": step,
                        "status": "retry" if retry else "failed",
                        "duration_ms": 1000 * (time.perf_counter() - start),
                        "message": reason[:500],
                    }
                )
                if retry:
                    # No delay given: the job function's retry pattern applies.
                    raise RetryableJobError(reason) from exc
                _logger.info(
                    "Provisioning of tenant %s failed at %s: %s", tenant.code, step, reason
                )
                tenant._paas_provision_failed(
                    self.env._("Provisioning failed at step %(step)s: %(reason)s",
                               step=dict(PROVISION_STEPS)[step], reason=reason)
                )  # fmt: skip
                return reason
            Step.create(
                {
                    "tenant_id": tenant.id,
                    "attempt": attempt,
                    "step": step,
                    "status": "skipped" if done_before else "done",
                    "duration_ms": 1000 * (time.perf_counter() - start),
                }
            )
            self.after_step(step)
        tenant._paas_provisioned()
        return "provisioned"

    def after_step(self, step):
        """Called after each step is done and logged; the tests replace it
        to inject a crash there."""

    def retries_left(self):
        """Whether the queue job running this will be retried after a
        retryable error (a job that is not stored, or run outside a job,
        is not)."""
        job_uuid = self.env.context.get("job_uuid")
        if not job_uuid:
            return False
        try:
            job = Job.load(self.env, job_uuid)
        except NoSuchJobError:
            return False
        # ``retry`` counts the attempts before this one: queue_job fails the
        # job instead of retrying once this attempt reaches ``max_retries``.
        return not job.max_retries or job.retry + 1 < job.max_retries

    @contextmanager
    def tenant_cursor(self):
        """The run's connection to the tenant database, committed at the end
        of the block (one transaction per step)."""
        if self.connection is None:
            tenant = self.tenant
            self.connection = self._resources.enter_context(
                pgtools.connect(tenant._paas_conninfo(), tenant.paas_db_name, autocommit=False)
            )
        try:
            yield self.connection
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def hashed_password(self):
        if self.password_hash is not None:
            return self.password_hash.result()
        return self.env["res.users"]._crypt_context().hash(self.tenant.paas_admin_password)

    # Each step returns True when it found its work already done.
    def step_database(self):
        tenant = self.tenant
        conninfo = tenant._paas_conninfo()
        if pgtools.db_exists(conninfo, tenant.paas_db_name):
            return True
        pool = self.env["woow.paas.db.pool"].sudo().search([("tenant_id", "=", tenant.id)], limit=1)
        if pool and pgtools.db_exists(conninfo, pool.db_name):
            # A warm database: a rename instead of a copy.
            pgtools.rename_db(conninfo, pool.db_name, tenant.paas_db_name)
            pgtools.rename_filestore(pool.db_name, tenant.paas_db_name)
            pool.unlink()
            return False
        tenant.paas_template_id._paas_check_usable()
        try:
            pgtools.create_db_from_template(
                conninfo, tenant.paas_db_name, tenant.paas_template_id.db_name
            )
        except psycopg2.errors.DuplicateDatabase:
            return True
        return False

    def step_filestore(self):
        tenant = self.tenant
        return not pgtools.copy_filestore(tenant.paas_template_id.db_name, tenant.paas_db_name)

    def step_identity(self):
        with self.tenant_cursor() as conn, conn.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")
            row = cr.fetchone()
            if row and row[0] != self.tenant.paas_template_id.database_uuid:
                return True
            tenantdb.renew_identity(cr)
        return False

    def step_admin(self):
        tenant = self.tenant
        login = tenant.paas_admin_login
        with self.tenant_cursor() as conn, conn.cursor() as cr:
            admin_id = tenantdb.xmlid(cr, "base", "user_admin")
            cr.execute("SELECT login, partner_id FROM res_users WHERE id = %s", [admin_id])
            current_login, partner_id = cr.fetchone()
            if current_login == login:
                return True
            # Written with the login, in the step's one transaction: a resumed
            # provisioning finds both or neither.
            signin = tenant._paas_signin_param().format(uid=admin_id)
            tenantdb.set_param(cr, tenantdb.SIGNIN_PARAM, signin)
            tenantdb.signal_params(cr)
            if not tenant.paas_pool_password:
                tenantdb.set_admin_password(cr, self.hashed_password())
            cr.execute("UPDATE res_users SET login = %s WHERE id = %s", [login, admin_id])
            cr.execute(
                "UPDATE res_partner SET name = %s, email = %s WHERE id = %s",
                [tenant.partner_id.name or login, login, partner_id],
            )
        return False

    def step_company(self):
        tenant = self.tenant
        customer = tenant.partner_id
        lang = customer.lang or "en_US"
        name = tenant.commercial_partner_id.name
        with self.tenant_cursor() as conn, conn.cursor() as cr:
            company_id = tenantdb.xmlid(cr, "base", "main_company")
            admin_id = tenantdb.xmlid(cr, "base", "user_admin")
            cr.execute("SELECT code FROM res_lang WHERE active")
            if lang not in {code for (code,) in cr.fetchall()}:
                lang = "en_US"
            cr.execute(
                """SELECT c.name, p.lang, p.tz FROM res_company c, res_users u
                     JOIN res_partner p ON p.id = u.partner_id
                    WHERE c.id = %s AND u.id = %s""",
                [company_id, admin_id],
            )
            if cr.fetchone() == (name, lang, customer.tz or None):
                return True
            cr.execute("UPDATE res_company SET name = %s WHERE id = %s", [name, company_id])
            cr.execute(
                "UPDATE res_partner SET name = %s"
                " WHERE id = (SELECT partner_id FROM res_company WHERE id = %s)",
                [name, company_id],
            )
            cr.execute(
                "UPDATE res_partner SET lang = %s, tz = %s"
                " WHERE id = (SELECT partner_id FROM res_users WHERE id = %s)",
                [lang, customer.tz or None, admin_id],
            )
        return False

    def step_limits(self):
        return not self.tenant._paas_push_params(self.tenant_cursor)
