import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools.webhook_sender import post_chain

CONCURRENCY_PARAM = "woow_paas_api.webhook_concurrency"
LEASE_PARAM = "woow_paas_api.webhook_lease_seconds"
HOLD_PARAM = "woow_paas_api.webhook_order_hold_attempts"
DEFAULT_CONCURRENCY = 16
DEFAULT_BATCH = 200
# At most this many deliveries of one endpoint per claim, so that a backlog
# does not take the whole batch.
PER_ENDPOINT_CLAIM = 100
# A claimed delivery that is not recorded within the lease (a crashed
# worker) is claimed again: at-least-once. Configurable for tests and for
# receivers slower than the timeouts; never below MIN_LEASE.
DEFAULT_LEASE = 300
MIN_LEASE = 5
# An ordered endpoint's later deliveries wait while an earlier one is being
# retried, for that one's first attempts (0, 5 s, 5 min: about 5 minutes).
DEFAULT_HOLD_ATTEMPTS = 3
# An idle worker polls this often for new work, for this long, before its
# cron run ends (the fan-out's trigger starts the next run).
POLL_INTERVAL = 0.05
IDLE_LINGER = 2.0
# Claims are serialized across workers by this advisory lock (see _claim_due).
CLAIM_LOCK = 0x776F6F77  # "woow"


class WoowPaasWebhookDeliveryScheduler(models.AbstractModel):
    """The scheduling half of the webhook worker, for
    ``woow.paas.webhook.delivery``: the cron's pipeline, the claims of due
    deliveries (leased, serialized across workers) and the worker's settings.
    Preparing, sending and recording is ``woow.paas.webhook.delivery.sender``.
    """

    _name = "woow.paas.webhook.delivery.scheduler"
    _description = "PaaS Webhook Delivery Scheduling"

    @api.model
    def _cron_deliver(self, time_budget=50, batch_size=DEFAULT_BATCH, idle_linger=IDLE_LINGER):
        """Deliver what is due for up to ``time_budget`` seconds, as a pipeline.

        Claims go to a pool of threads that only do HTTP; each endpoint's
        chain of deliveries is recorded as soon as it is done, and the freed
        threads take new claims at once. A slow or failing endpoint thus
        holds one thread, never the others' deliveries. An idle worker polls
        for ``idle_linger`` seconds before its run ends.

        This cron commits: once after each claim (so that other workers skip
        the claimed rows while this one posts them, without holding locks
        during HTTP calls) and once per recorded group of chains (a crash
        loses at most what was in flight, which is sent again after the
        lease).
        """
        deadline = time.monotonic() + time_budget
        Cron = self.env["ir.cron"]
        size = self._concurrency()
        lease = self._lease()
        sessions = self._webhook_sessions()
        running = {}
        done = 0
        idle_since = None
        pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="woow-webhook")
        try:
            while True:
                now = time.monotonic()
                claimed = self.browse()
                if now < deadline and len(running) < size:
                    limit = max(10, batch_size * (size - len(running)) // size)
                    claimed = self._claim_serialized(limit)
                    if claimed:
                        for chain in claimed._prepare_chains(size, now + lease / 2):
                            running[pool.submit(post_chain, chain, sessions, size)] = chain
                if not running:
                    if now >= deadline:
                        break
                    if claimed is None:  # another worker was claiming: not idle
                        time.sleep(POLL_INTERVAL)
                        continue
                    idle_since = idle_since or now
                    if now - idle_since >= idle_linger:
                        break
                    time.sleep(POLL_INTERVAL)
                    continue
                idle_since = None
                finished, _pending = wait(
                    running, timeout=POLL_INTERVAL if len(running) < size else None,
                    return_when=FIRST_COMPLETED,
                )  # fmt: skip
                if finished:
                    jobs, results = [], []
                    for future in finished:
                        chain = running.pop(future)
                        jobs += chain["jobs"]
                        results += future.result()
                    self.browse([job["id"] for job in jobs])._record(jobs, results)
                    done += len(jobs)
                    Cron._commit_progress(len(jobs))
        finally:
            # What is still in flight is posted, not recorded: sent again
            # after its lease (at least once).
            pool.shutdown(wait=True, cancel_futures=True)
        self._schedule_next_run()
        return done

    @api.model
    def _concurrency(self):
        size = self.env["ir.config_parameter"].sudo().get_param(CONCURRENCY_PARAM)
        try:
            size = int(size or DEFAULT_CONCURRENCY)
        except ValueError:
            size = DEFAULT_CONCURRENCY
        return max(1, min(size, 64))

    @api.model
    def _lease(self):
        """Seconds a claim is leased for (``woow_paas_api.webhook_lease_seconds``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(LEASE_PARAM)
        try:
            value = float(value or DEFAULT_LEASE)
        except ValueError:
            value = DEFAULT_LEASE
        return max(value, MIN_LEASE)

    @api.model
    def _hold_attempts(self):
        value = self.env["ir.config_parameter"].sudo().get_param(HOLD_PARAM)
        try:
            return max(int(value), 0) if value else DEFAULT_HOLD_ATTEMPTS
        except ValueError:
            return DEFAULT_HOLD_ATTEMPTS

    @api.model
    def _claim_serialized(self, limit):
        """Claim in a transaction of its own, one worker at a time, and commit.

        Claims are serialized by a transaction-scoped advisory lock taken
        without waiting (a busy lock: nothing claimed this round), in READ
        COMMITTED so that the claim sees every claim committed before the
        lock was granted: the per-endpoint order rule relies on it. A claim
        is one indexed statement, so serializing it costs little. Returns the
        claimed deliveries, or ``None`` when the claim was skipped (the lock
        busy, or a conflict), to be tried again soon.
        """
        Cron = self.env["ir.cron"]
        Cron._commit_progress()
        cr = self.env.cr
        try:
            # Only at the start of a transaction (a test's never is).
            if cr._cnx.info.transaction_status == TRANSACTION_STATUS_IDLE:
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (CLAIM_LOCK,))
            if not cr.fetchone()[0]:
                claimed = None
            else:
                with cr.savepoint(flush=False):
                    claimed = self._claim_due(limit)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # A row changed under the claim (a redelivery): claim again soon.
            claimed = None
        Cron._commit_progress()  # commit the claim: no row lock is held while posting
        return claimed

    @api.model
    def _claim_due(self, limit=DEFAULT_BATCH):
        """Lease up to ``limit`` due deliveries to this worker and return them.

        Due rows go oldest first (by id, that is event order): an ordered
        endpoint's earlier delivery is then never left out of a claim that
        takes a later one (as it could be if due times ordered the claim: a
        crashed worker's rows fall due after their lease, later than the
        rows behind them). Rows locked by another transaction are skipped.
        An endpoint gives at most :data:`PER_ENDPOINT_CLAIM` rows per claim. For an *ordered*
        endpoint, nothing is claimed while another of its deliveries is in
        flight (leased) or while an earlier one waits for a retry during its
        first ``woow_paas_api.webhook_order_hold_attempts`` attempts (3);
        test messages neither wait nor hold.
        """
        now = fields.Datetime.now()
        self.flush_model()
        query = SQL(
            """WITH candidates AS (
                   SELECT d.id, d.endpoint_id, d.next_attempt_at
                     FROM woow_paas_webhook_delivery d
                     JOIN woow_paas_webhook_endpoint e ON e.id = d.endpoint_id
                    WHERE d.state IN ('pending', 'delivering')
                      AND d.next_attempt_at <= %(now)s
                      AND (e.enabled OR d.is_test)
                      AND (d.is_test OR NOT e.ordered OR NOT EXISTS (
                           SELECT 1 FROM woow_paas_webhook_delivery h
                            WHERE h.endpoint_id = d.endpoint_id
                              AND h.state IN ('pending', 'delivering')
                              AND h.next_attempt_at > %(now)s
                              AND NOT h.is_test
                              AND (h.state = 'delivering'
                                   OR (h.id < d.id AND h.attempts < %(hold)s))))
                    ORDER BY d.id
                    LIMIT %(scan)s
                      FOR UPDATE OF d SKIP LOCKED
               ), ranked AS (
                   SELECT id,
                          row_number() OVER (PARTITION BY endpoint_id ORDER BY id) AS rank
                     FROM candidates
               ), chosen AS (
                   SELECT id FROM ranked WHERE rank <= %(per_endpoint)s
                    ORDER BY id LIMIT %(limit)s
               )
               UPDATE woow_paas_webhook_delivery d
                  SET state = 'delivering', next_attempt_at = %(lease)s
                 FROM chosen WHERE d.id = chosen.id
            RETURNING d.id""",
            now=now, lease=now + timedelta(seconds=self._lease()), limit=limit,
            scan=limit * 4, per_endpoint=PER_ENDPOINT_CLAIM, hold=self._hold_attempts(),
        )  # fmt: skip
        self.env.cr.execute(query, log_exceptions=False)  # a conflict is retried
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state", "next_attempt_at"])
        return self.browse(sorted(ids))

    @api.model
    def _schedule_next_run(self):
        """Wake the worker for the next retry, or the end of a crashed
        worker's lease, due before the next minute."""
        self.env.cr.execute(
            """SELECT min(next_attempt_at) FROM woow_paas_webhook_delivery
                WHERE state IN ('pending', 'delivering')"""
        )
        (next_at,) = self.env.cr.fetchone()
        if next_at and next_at < fields.Datetime.now() + timedelta(minutes=1):
            self._trigger_worker(max(next_at, fields.Datetime.now()))
