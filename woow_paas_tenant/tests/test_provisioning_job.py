"""The provisioning job as queue_job knows it: its channel and retry pattern
(declared as data), and whether a run will be retried, without a tenant
database."""

from odoo.addons.queue_job.job import Job
from odoo.addons.woow_paas_tenant.provisioning import TenantProvisioning

from .common import WoowPaasTenantCase


class TestProvisioningJob(WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db_plan = cls.env["woow.paas.plan"].create(
            {"name": "Job Database", "code": "job-db", "price": 10.0, "paas_isolation": "database"}
        )
        cls.db_sub = cls._subscription(partner=cls.customer_a, plan=cls.db_plan)
        cls.db_sub.action_activate()
        cls.tenant = cls._tenant("job-db", cls.db_sub)
        cls.tenant.write({"state": "provisioning"})

    def test_job_function_declared(self):
        """Backoff 10 s, 20 s, 40 s... up to 10 minutes, in the tenant
        layer's channel; template builds and pool refills share it."""
        Function = self.env["queue.job.function"]
        config = Function.job_config(
            Function.job_function_name("woow.paas.tenant", "_paas_provision_job")
        )
        self.assertEqual(config.channel, "root.woow_paas_tenant")
        self.assertEqual(config.retry_pattern, {1: 10, 2: 20, 3: 40, 4: 80, 5: 160, 6: 320, 7: 600})
        for model, method in (
            ("woow.paas.db.template", "_paas_build"),
            ("woow.paas.plan", "_paas_refill_pool"),
        ):
            config = Function.job_config(Function.job_function_name(model, method))
            self.assertEqual(config.channel, "root.woow_paas_tenant", method)

    def test_enqueued_in_channel(self):
        key = self.tenant._paas_provision_job_key()
        self.tenant.with_delay(identity_key=key, max_retries=8)._paas_provision_job()
        job = self.env["queue.job"].search([("identity_key", "=", key)])
        self.assertEqual(job.channel, "root.woow_paas_tenant")
        delayed = Job.load(self.env, job.uuid)
        # The delay grows with the retries, as the pattern says.
        delays = []
        for retry in (1, 2, 3, 7, 8):
            delayed.retry = retry
            delays.append(delayed._get_retry_seconds())
        self.assertEqual(delays, [10, 20, 40, 600, 600])

    def test_retries_left(self):
        """A run is retried while the stored job has attempts left after this
        one; not outside a job, nor for a job that is not stored."""
        self.assertFalse(TenantProvisioning(self.tenant).retries_left())
        unknown = self.tenant.with_context(job_uuid="no-such-job")
        self.assertFalse(TenantProvisioning(unknown).retries_left())
        key = self.tenant._paas_provision_job_key()
        self.tenant.with_delay(identity_key=key, max_retries=3)._paas_provision_job()
        job = self.env["queue.job"].search([("identity_key", "=", key)])
        running = self.tenant.with_context(job_uuid=job.uuid)
        for retry, left in ((0, True), (1, True), (2, False)):
            job.retry = retry
            self.assertEqual(TenantProvisioning(running).retries_left(), left, retry)
