import threading
import uuid
from datetime import datetime, timedelta, timezone

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

WORKERS = 3
EVENTS = 300


@tagged("post_install", "-at_install")
class TestConcurrentIngest(BaseCase):
    """Three workers ingest the same batch at the same moment, each on its own
    database connection, and commit: every event is stored once and counted
    once in the rollups. The rows are committed, so the test uses its own
    tenant and metric codes and deletes them afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.suffix = uuid.uuid4().hex[:10]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create({"name": f"Concurrent {self.suffix}"})
            tenant = env["woow.paas.tenant"].create(
                {"name": "Concurrent", "code": f"conc-{self.suffix}", "partner_id": partner.id}
            )
            # Running without a subscription: only ingestion matters here.
            cr.execute(SQL("UPDATE woow_paas_tenant SET state = 'active' WHERE id = %s", tenant.id))
            metric = env["woow.paas.metric"].create(
                {"name": "Concurrent", "code": f"conc_{self.suffix}"}
            )
            self.ids = (partner.id, tenant.id, metric.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        partner_id, tenant_id, metric_id = self.ids
        with self.registry.cursor() as cr:
            for query in (
                SQL("DELETE FROM woow_paas_usage_event WHERE tenant_id = %s", tenant_id),
                SQL("DELETE FROM woow_paas_usage_rollup WHERE tenant_id = %s", tenant_id),
                SQL(
                    "DELETE FROM woow_paas_event WHERE tenant_id = %s OR partner_id = %s"
                    " OR (res_model = 'woow.paas.tenant' AND res_id = %s)",
                    tenant_id,
                    partner_id,
                    tenant_id,
                ),
                SQL(
                    "DELETE FROM mail_message WHERE model = 'woow.paas.tenant' AND res_id = %s",
                    tenant_id,
                ),
                SQL(
                    "DELETE FROM mail_followers WHERE res_model = 'woow.paas.tenant'"
                    " AND res_id = %s",
                    tenant_id,
                ),
                SQL("DELETE FROM woow_paas_tenant WHERE id = %s", tenant_id),
                SQL("DELETE FROM woow_paas_metric WHERE id = %s", metric_id),
            ):
                cr.execute(query)
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].browse(partner_id).unlink()

    def test_same_batch_three_workers(self):
        """The same batch from three connections at once: stored and counted once."""
        _partner_id, tenant_id, metric_id = self.ids
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        batch = [
            {
                "tenant": f"conc-{self.suffix}",
                "metric": f"conc_{self.suffix}",
                "quantity": 2,
                "timestamp": (now - timedelta(minutes=n)).isoformat(),
                "idempotency_key": f"k{n}",
            }
            for n in range(EVENTS)
        ]
        barrier = threading.Barrier(WORKERS)
        outcomes, errors = [], []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    barrier.wait(timeout=30)
                    # As an RPC or HTTP call runs it: a serialization failure
                    # (another worker stored the same keys first) is retried.
                    outcomes.append(
                        retrying(lambda: env["woow.paas.usage.event"].ingest(batch), env)
                    )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors, errors)
        self.assertEqual(len(outcomes), WORKERS)
        statuses = [[r["status"] for r in results] for results in outcomes]
        for n in range(EVENTS):
            column = sorted(results[n] for results in statuses)
            self.assertEqual(column, ["accepted", "duplicate", "duplicate"], f"event k{n}")
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*), sum(quantity) FROM woow_paas_usage_event"
                    " WHERE tenant_id = %s",
                    tenant_id,
                )
            )
            self.assertEqual(cr.fetchone(), (EVENTS, 2 * EVENTS))
            cr.execute(
                SQL(
                    "SELECT sum(event_count), sum(quantity_sum) FROM woow_paas_usage_rollup"
                    " WHERE tenant_id = %s AND metric_id = %s",
                    tenant_id,
                    metric_id,
                )
            )
            self.assertEqual(cr.fetchone(), (EVENTS, 2 * EVENTS))

    def test_overlapping_batches_without_retry(self):
        """ingest() itself is safe at Odoo's default isolation (REPEATABLE
        READ), as a job or a cron calls it: three workers that already read
        the database (their snapshot is older than the others' commits) send
        overlapping batches with repeats; none is retried, none fails, every
        event is stored and counted once, in the events and the rollups."""
        _partner_id, tenant_id, metric_id = self.ids
        now = datetime.now(timezone.utc).replace(tzinfo=None)

        def event(n):
            return {
                "tenant": f"conc-{self.suffix}",
                "metric": f"conc_{self.suffix}",
                "quantity": n % 3 + 1,
                "timestamp": (now - timedelta(minutes=n % 90)).isoformat(),
                "idempotency_key": f"o{n}",
            }

        # Worker w sends keys [100 w, 100 w + 200), some twice: each overlaps
        # the next one by half.
        batches = [
            [event(n) for n in range(100 * w, 100 * w + 200)] + [event(100 * w + 5)]
            for w in range(WORKERS)
        ]
        keys = range(100 * (WORKERS + 1))
        barrier = threading.Barrier(WORKERS)
        outcomes, errors = {}, []

        def worker(w):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    # A job's earlier work: the transaction's snapshot is taken.
                    env["woow.paas.metric"].search_count([])
                    barrier.wait(timeout=30)
                    outcomes[w] = env["woow.paas.usage.event"].ingest(batches[w])
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors, errors)
        accepted = {}
        for w, results in outcomes.items():
            self.assertEqual(len(results), len(batches[w]))
            self.assertEqual(results[-1]["status"], "duplicate")
            for result in results:
                self.assertIn(result["status"], ("accepted", "duplicate"), result)
                if result["status"] == "accepted":
                    key = result["idempotency_key"]
                    self.assertNotIn(key, accepted, f"{key} accepted twice")
                    accepted[key] = w
        self.assertEqual(set(accepted), {f"o{n}" for n in keys})
        total = sum(n % 3 + 1 for n in keys)
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*), sum(quantity) FROM woow_paas_usage_event"
                    " WHERE tenant_id = %s",
                    tenant_id,
                )
            )
            self.assertEqual(cr.fetchone(), (len(keys), total))
            cr.execute(
                SQL(
                    "SELECT sum(event_count), sum(quantity_sum) FROM woow_paas_usage_rollup"
                    " WHERE tenant_id = %s AND metric_id = %s",
                    tenant_id,
                    metric_id,
                )
            )
            self.assertEqual(cr.fetchone(), (len(keys), total))
