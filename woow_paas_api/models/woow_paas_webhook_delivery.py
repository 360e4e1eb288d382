import json
import logging
import math
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta
from http.cookiejar import DefaultCookiePolicy

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools import webhook as wh

_logger = logging.getLogger(__name__)

CRON_XMLID = "woow_paas_api.ir_cron_woow_paas_webhook_deliver"
CONCURRENCY_PARAM = "woow_paas_api.webhook_concurrency"
RETENTION_PARAM = "woow_paas_api.webhook_retention_days"
LEASE_PARAM = "woow_paas_api.webhook_lease_seconds"
HOLD_PARAM = "woow_paas_api.webhook_order_hold_attempts"
DEFAULT_RETENTION = 30
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
# An endpoint that has failed without a single success for this long is
# disabled and its owner told through a webhook.endpoint_disabled event.
DISABLE_AFTER = timedelta(days=5)
STATES = [
    ("pending", "Pending"),
    ("delivering", "Delivering"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("disabled", "Endpoint Disabled"),
]

_sessions = {}
_sessions_lock = threading.Lock()


def _session(guarded, pool_size):
    """One keep-alive session per kind and process, shared by the threads."""
    with _sessions_lock:
        session = _sessions.get((guarded, pool_size))
        if session is None:
            session = wh.new_session(guarded=guarded, pool_size=pool_size)
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            _sessions[guarded, pool_size] = session
        return session


def _post_chain(chain, size):
    """Post a chain's jobs one after another (in a worker thread: no ORM).

    Returns one result per job: ``wh.post``'s tuple, or ``None`` for a job
    not sent, because an earlier one of an ordered chain failed or the
    chain ran out of time (the first job always goes). A request that
    raises is a failed attempt of its own delivery, never the chain's end.
    """
    results = []
    for job in chain["jobs"]:
        if results and (
            time.monotonic() > chain["stop_at"]
            or (chain["ordered"] and not _succeeded(results[-1]))
        ):
            results.append(None)
            continue
        if job.get("refused"):
            results.append((None, 0, "", None, job["refused"]))
            continue
        try:
            results.append(
                wh.post(_session(job["guarded"], size), job["url"], job["body"], job["headers"])
            )
        except Exception as exc:  # one bad request must not stop the batch
            _logger.warning("Webhook delivery %s could not be sent", job["id"], exc_info=True)
            results.append(
                (None, 0, "", None, f"The request could not be sent: {type(exc).__name__}: {exc}")
            )
    return results


def _succeeded(result):
    return result is not None and result[0] is not None and 200 <= result[0] < 300


class WoowPaasWebhookDelivery(models.Model):
    """One event to send to one endpoint: the outbox row of the worker.

    Deliveries are inserted by the fan-out in the transaction that creates
    the event, so an event and its deliveries commit (or vanish) together.
    The worker claims due rows with ``FOR UPDATE SKIP LOCKED`` (any number
    of workers and servers may run it), posts them concurrently outside any
    lock and records each attempt. ``webhook_id`` stays the same across
    retries and redeliveries, so that receivers can deduplicate.
    """

    _name = "woow.paas.webhook.delivery"
    _description = "PaaS Webhook Delivery"
    _order = "id desc"
    _rec_name = "webhook_id"

    endpoint_id = fields.Many2one(
        "woow.paas.webhook.endpoint", required=True, readonly=True, ondelete="cascade",
        index=True,
    )  # fmt: skip
    event_id = fields.Many2one(
        "woow.paas.event", readonly=True, ondelete="cascade", index="btree_not_null",
        help="Empty for a test message.",
    )  # fmt: skip
    event_type = fields.Char(compute="_compute_event_type", search="_search_event_type")
    webhook_id = fields.Char(string="Webhook ID", required=True, readonly=True, index=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True)
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer(string="Last Status", readonly=True)
    last_latency_ms = fields.Integer(string="Last Latency (ms)", readonly=True)
    last_response = fields.Text(string="Last Response Excerpt", readonly=True)
    last_error = fields.Char(readonly=True)
    is_test = fields.Boolean(readonly=True)
    attempt_ids = fields.One2many("woow.paas.webhook.attempt", "delivery_id", readonly=True)

    _event_endpoint_uniq = models.UniqueIndex(
        "(event_id, endpoint_id) WHERE event_id IS NOT NULL",
        "An event is delivered once per endpoint.",
    )
    _due_idx = models.Index("(next_attempt_at, id) WHERE state IN ('pending', 'delivering')")
    # The order rule looks up an endpoint's waiting deliveries.
    _endpoint_waiting_idx = models.Index(
        "(endpoint_id, id) WHERE state IN ('pending', 'delivering')"
    )

    @api.depends("event_id", "is_test")
    def _compute_event_type(self):
        for delivery in self:
            delivery.event_type = (
                "webhook.test" if delivery.is_test else delivery.event_id.sudo().event_type
            )

    def _search_event_type(self, operator, value):
        return [("event_id.event_type", operator, value)]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_redeliver(self):
        """Send these deliveries again, soon, with their schedule of retries
        restarted (and the same webhook-id). Deliveries still waiting to be
        sent and test messages are left as they are. The caller must be
        allowed to change their endpoints. Returns how many were queued."""
        self.endpoint_id.check_access("write")
        disabled = self.endpoint_id.filtered(lambda e: not e.enabled)
        if disabled:
            raise UserError(
                self.env._("Enable the endpoint %s before redelivering.", disabled[0].url)
            )
        deliveries = self.filtered(
            lambda d: d.state not in ("pending", "delivering") and not d.is_test
        )
        deliveries.sudo()._requeue()
        return len(deliveries)

    def _requeue(self):
        """Make these deliveries due now with a fresh schedule of retries."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE woow_paas_webhook_delivery
                      SET state = 'pending', attempts = 0, next_attempt_at = %s,
                          write_date = %s, write_uid = %s
                    WHERE id IN %s AND state NOT IN ('pending', 'delivering')""",
                fields.Datetime.now(),
                fields.Datetime.now(),
                self.env.uid,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["state", "attempts", "next_attempt_at"])
        self._trigger_worker()

    # ------------------------------------------------------------------
    # Fan-out
    # ------------------------------------------------------------------
    @api.model
    def _fan_out(self, events):
        """Insert the deliveries of ``events`` to every enabled endpoint that
        accepts them, in one ``INSERT ... SELECT``, and wake the worker.

        Routing: an endpoint's patterns match the type (empty: all); a
        customer's endpoint takes only events whose ``partner_id`` is its
        customer, an operator's only events of its company. Returns the
        number of deliveries inserted.
        """
        Endpoint = self.env["woow.paas.webhook.endpoint"]
        table = Endpoint._routing_table()
        if not table or not events:
            return 0
        Endpoint.flush_model(["enabled"])
        endpoint_ids, event_ids, webhook_ids = [], [], []
        for event in events:
            event_type, partner_id = event.event_type, event.partner_id.id
            company_id = event.company_id.id
            for endpoint_id, patterns, customer_id, endpoint_company in table:
                if customer_id is not None:
                    if partner_id != customer_id:
                        continue
                elif company_id and company_id != endpoint_company:
                    continue
                if patterns and not self.env["woow.paas.webhook.endpoint"]._matches(
                    patterns, event_type
                ):
                    continue
                endpoint_ids.append(endpoint_id)
                event_ids.append(event.id)
                webhook_ids.append(self._webhook_id(event.uuid, endpoint_id))
        if not endpoint_ids:
            return 0
        now = fields.Datetime.now()
        query = SQL(
            """INSERT INTO woow_paas_webhook_delivery
                   (endpoint_id, event_id, webhook_id, state, attempts, next_attempt_at,
                    is_test, create_uid, create_date, write_uid, write_date)
               SELECT v.endpoint_id, v.event_id, v.webhook_id, 'pending', 0, %(now)s,
                      false, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(endpoints)s::int[], %(events)s::int[],
                             %(webhook_ids)s::varchar[])
                      AS v(endpoint_id, event_id, webhook_id)
                 JOIN woow_paas_webhook_endpoint e ON e.id = v.endpoint_id AND e.enabled
               ON CONFLICT DO NOTHING""",
            now=now, uid=self.env.uid, endpoints=endpoint_ids, events=event_ids,
            webhook_ids=webhook_ids,
        )  # fmt: skip
        self.env.cr.execute(query)
        inserted = self.env.cr.rowcount
        # One wake-up per transaction is enough: the worker takes all that is due.
        if inserted and not self.env.cr.precommit.data.get("woow_paas_webhook_triggered"):
            self.env.cr.precommit.data["woow_paas_webhook_triggered"] = True
            self._trigger_worker()
        return inserted

    @api.model
    def _fan_out_window(self, endpoint, start, end):
        """Insert ``endpoint``'s deliveries of the events it accepts that
        occurred in ``[start, end]`` (a replay), in event order, in one
        statement; an event it already has is skipped (both bounds are
        included: an event of the second it was disabled or re-enabled is
        then neither lost nor sent twice). Returns how many.

        The routing is :meth:`_fan_out`'s, in SQL: its patterns (letters,
        digits, ``._-`` and the ``*`` wildcard) become ``LIKE`` patterns.
        """
        endpoint = endpoint.sudo()
        patterns = [
            p.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%").replace("*", "%")
            for p in endpoint._event_patterns()
        ]
        if endpoint.is_customer_endpoint:
            audience = SQL("ev.partner_id = %s", endpoint.partner_id.id)
        else:
            audience = SQL("(ev.company_id IS NULL OR ev.company_id = %s)", endpoint.company_id.id)
        kinds = SQL("ev.event_type LIKE ANY(%s)", patterns) if patterns else SQL("TRUE")
        now = fields.Datetime.now()
        self.flush_model()
        self.env["woow.paas.event"].flush_model()
        query = SQL(
            """INSERT INTO woow_paas_webhook_delivery
                   (endpoint_id, event_id, webhook_id, state, attempts, next_attempt_at,
                    is_test, create_uid, create_date, write_uid, write_date)
               SELECT %(endpoint)s, ev.id,
                      'msg_' || regexp_replace(ev.uuid, '^evt_', '') || '_' || %(endpoint)s,
                      'pending', 0, %(now)s, false, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM woow_paas_event ev
                WHERE ev.occurred_at >= %(start)s AND ev.occurred_at <= %(end)s
                  AND %(audience)s AND %(kinds)s
                ORDER BY ev.id
               ON CONFLICT DO NOTHING""",
            endpoint=endpoint.id, now=now, uid=self.env.uid, start=start, end=end,
            audience=audience, kinds=kinds,
        )  # fmt: skip
        self.env.cr.execute(query)
        inserted = self.env.cr.rowcount
        if inserted:
            self._trigger_worker()
        return inserted

    @api.model
    def _webhook_id(self, event_uuid, endpoint_id):
        return f"msg_{(event_uuid or '').removeprefix('evt_')}_{endpoint_id}"

    @api.model
    def _trigger_worker(self, at=None):
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at)

    @api.model
    def _create_test(self, endpoint):
        return self.create(
            {"endpoint_id": endpoint.id, "is_test": True,
             "next_attempt_at": fields.Datetime.now(),
             "webhook_id": f"msg_test_{uuid.uuid4().hex}"}
        )  # fmt: skip

    @api.model
    def _cancel_pending(self, endpoints):
        """Mark the waiting deliveries of disabled ``endpoints``."""
        self.flush_model()
        query = SQL(
            """UPDATE woow_paas_webhook_delivery SET state = 'disabled',
                      next_attempt_at = NULL, write_date = %s, write_uid = %s
                WHERE endpoint_id IN %s AND state IN ('pending', 'delivering')""",
            fields.Datetime.now(),
            self.env.uid,
            tuple(endpoints.ids) or (0,),
        )
        self.env.cr.execute(query)
        self.invalidate_model(["state", "next_attempt_at"])

    @api.autovacuum
    def _gc_finished(self):
        """Delete finished deliveries (and their attempts) older than
        ``woow_paas_api.webhook_retention_days`` (default 30) days; the events
        themselves stay in the event log."""
        try:
            days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or 0)
        except ValueError:
            days = 0
        cutoff = fields.Datetime.now() - timedelta(days=days if days > 0 else DEFAULT_RETENTION)
        self.flush_model()
        query = SQL(
            """DELETE FROM woow_paas_webhook_delivery
                WHERE state IN ('delivered', 'failed', 'disabled') AND create_date < %s""",
            cutoff,
        )
        self.env.cr.execute(query)
        self.invalidate_model()
        return self.env.cr.rowcount

    # ------------------------------------------------------------------
    # Worker
    # ------------------------------------------------------------------
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
                            running[pool.submit(_post_chain, chain, size)] = chain
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

    def _deliver(self):
        """Post these deliveries now and record the results.

        Does not commit: the cron's pipeline does, tests and the benchmark
        call this directly. An ordered endpoint's deliveries go one after
        another in id (event) order and stop at the first failure; the
        others concurrently. The threads only do HTTP (no ORM): requests are
        prepared before and results written after, in bulk.
        """
        if not self:
            return
        size = self._concurrency()
        chains = self._prepare_chains(size, time.monotonic() + self._lease() / 2)
        if len(chains) == 1 or size == 1:
            outcome = [_post_chain(chain, size) for chain in chains]
        else:
            with ThreadPoolExecutor(max_workers=min(size, len(chains))) as pool:
                outcome = list(pool.map(_post_chain, chains, [size] * len(chains)))
        jobs = [job for chain in chains for job in chain["jobs"]]
        self._record(jobs, [result for results in outcome for result in results])

    def _prepare_chains(self, size, stop_at):
        """Group the prepared requests into chains for the threads: one chain
        per ordered endpoint (in id order), and each unordered endpoint's
        deliveries (and test messages) spread over up to ``size`` chains.
        A chain starts no request after ``stop_at`` (monotonic), so that a
        slow receiver cannot keep a claim past half its lease."""
        jobs = self.sorted("id")._prepare_requests()
        ordered, loose = {}, []
        for job in jobs:
            if job["ordered"] and not job["is_test"]:
                ordered.setdefault(job["endpoint_id"], []).append(job)
            else:
                loose.append(job)
        chains = [{"jobs": chain, "ordered": True, "stop_at": stop_at}
                  for chain in ordered.values()]  # fmt: skip
        if loose:
            slices = min(size, len(loose))
            step = math.ceil(len(loose) / slices)
            chains += [
                {"jobs": loose[i : i + step], "ordered": False, "stop_at": stop_at}
                for i in range(0, len(loose), step)
            ]
        return chains

    def _prepare_requests(self):
        """One job per delivery: URL, signed body and headers. A delivery whose
        message cannot be built is refused alone (its attempt says why)."""
        now = fields.Datetime.now()
        timestamp = str(int(time.time()))
        signing = {}  # endpoint id: (secrets, custom headers)
        jobs = []
        for delivery in self.sudo():
            endpoint = delivery.endpoint_id
            job = {
                "id": delivery.id, "endpoint_id": endpoint.id, "url": endpoint.url,
                "guarded": not endpoint.allow_private_network, "attempts": delivery.attempts,
                "is_test": delivery.is_test, "ordered": endpoint.ordered,
                # The claim's lease is its token: a worker whose lease ran
                # out (another one claimed the row since) records its
                # attempt but does not overwrite the row.
                "lease": delivery.next_attempt_at if delivery.state == "delivering" else None,
            }  # fmt: skip
            jobs.append(job)
            if not endpoint.enabled and not delivery.is_test:
                job["refused"] = "The endpoint is disabled."
                continue
            try:
                if endpoint.id not in signing:
                    signing[endpoint.id] = (
                        endpoint._signing_secrets(now),
                        endpoint._parsed_headers(),
                    )
                secrets_, headers = signing[endpoint.id]
                body = json.dumps(
                    delivery._body(), separators=(",", ":"), default=str, ensure_ascii=False
                ).encode()
                job["headers"] = {
                    **headers,
                    "Content-Type": "application/json",
                    "webhook-id": delivery.webhook_id,
                    "webhook-timestamp": timestamp,
                    "webhook-signature": wh.signature_header(
                        secrets_, delivery.webhook_id, timestamp, body
                    ),
                }
                job["body"] = body
            except Exception as exc:  # one bad message must not stop the batch
                _logger.warning("Webhook delivery %s cannot be built", delivery.id, exc_info=True)
                job["refused"] = f"The message could not be built: {exc}"[:500]
        return jobs

    def _body(self):
        """The Standard Webhooks body: ``{"type", "timestamp", "data"}``; ``data``
        is the event as ``GET /api/v1/events/{id}`` returns it."""
        self.ensure_one()
        if self.is_test:
            return {
                "type": "webhook.test",
                "timestamp": fields.Datetime.now().isoformat() + "Z",
                "data": {"endpoint_id": self.endpoint_id.id,
                         "message": "A test message from Woow PaaS."},
            }  # fmt: skip
        event = self.event_id
        occurred = event.occurred_at.isoformat() + "Z"
        return {
            "type": event.event_type,
            "timestamp": occurred,
            "data": {
                "id": event.uuid,
                "type": event.event_type,
                "occurred_at": occurred,
                "customer_id": event.partner_id.id or None,
                "subscription_id": event.subscription_id.id or None,
                "tenant_id": event.tenant_id.id or None,
                "plan": event.plan_id.code or None,
                "payload": event.payload or {},
            },
        }

    def _record(self, jobs, results):
        """Write one attempt per result and each delivery's new state, in
        bulk; disable endpoints that answered 410 or failed for too long.

        A ``None`` result is a delivery its chain did not send (held behind
        an earlier failure of an ordered endpoint, or out of time): it goes
        back to *pending*, its attempts unchanged, due with the delivery that
        held it (or at once).
        """
        now = fields.Datetime.now()
        rows = {k: [] for k in ("id", "state", "attempts", "next", "status", "latency",
                                "excerpt", "error", "delivered", "lease", "tried")}  # fmt: skip
        attempts = []
        gone, failing, succeeding = {}, set(), set()
        held_until = {}  # endpoint id: when its failed head is tried again
        hold = self._hold_attempts()
        for job, result in zip(jobs, results, strict=True):
            rows["id"].append(job["id"])
            rows["lease"].append(job["lease"])
            if result is None:
                rows["state"].append("pending")
                rows["attempts"].append(job["attempts"])
                rows["next"].append(held_until.get(job["endpoint_id"]) or now)
                for name in ("status", "latency", "excerpt", "error", "delivered"):
                    rows[name].append(None)
                rows["tried"].append(False)
                continue
            status, latency, excerpt, retry_after, error = result
            # PostgreSQL stores no NUL: a receiver's answer must not fail the batch.
            excerpt, error = (text.replace("\x00", "\ufffd") if text else text
                              for text in (excerpt, error))  # fmt: skip
            count = job["attempts"] + 1
            next_at = None
            if status is not None and 200 <= status < 300:
                state = "delivered"
                succeeding.add(job["endpoint_id"])
            else:
                if error is None:
                    error = wh.describe_status(status)
                failing.add(job["endpoint_id"])
                delay = None if job["is_test"] else wh.backoff(count)
                if status == 410:
                    state = "disabled"
                    gone[job["endpoint_id"]] = f"The endpoint answered 410 Gone on {now} UTC."
                elif delay is None:
                    state = "failed"
                else:
                    state = "pending"
                    next_at = now + timedelta(seconds=max(delay, retry_after or 0))
                    if job["ordered"] and not job["is_test"] and count < hold:
                        held_until.setdefault(job["endpoint_id"], next_at)
            rows["state"].append(state)
            rows["attempts"].append(count)
            rows["next"].append(next_at)
            rows["status"].append(status)
            rows["latency"].append(latency)
            rows["excerpt"].append(excerpt or None)
            rows["error"].append((error or "")[:500] or None)
            rows["delivered"].append(now if state == "delivered" else None)
            rows["tried"].append(True)
            attempts.append(
                {"delivery_id": job["id"], "endpoint_id": job["endpoint_id"],
                 "attempted_at": now, "attempt_number": count, "status_code": status or 0,
                 "latency_ms": latency, "response_excerpt": excerpt or False,
                 "error": (error or "")[:500] or False, "success": state == "delivered"}
            )  # fmt: skip
        self.env.flush_all()
        query = SQL(
            """UPDATE woow_paas_webhook_delivery d
                  SET state = v.state, attempts = v.attempts, next_attempt_at = v.next_at,
                      last_status_code = CASE WHEN v.tried THEN v.status
                                              ELSE d.last_status_code END,
                      last_latency_ms = CASE WHEN v.tried THEN v.latency
                                             ELSE d.last_latency_ms END,
                      last_response = CASE WHEN v.tried THEN v.excerpt ELSE d.last_response END,
                      last_error = CASE WHEN v.tried THEN v.error ELSE d.last_error END,
                      last_attempt_at = CASE WHEN v.tried THEN %(now)s
                                             ELSE d.last_attempt_at END,
                      delivered_at = COALESCE(v.delivered, d.delivered_at),
                      write_date = %(now)s, write_uid = %(uid)s
                 FROM unnest(%(ids)s::int[], %(states)s::varchar[], %(attempts)s::int[],
                             %(next)s::timestamp[], %(status)s::int[], %(latency)s::int[],
                             %(excerpt)s::text[], %(error)s::varchar[],
                             %(delivered)s::timestamp[], %(lease)s::timestamp[],
                             %(tried)s::bool[])
                      AS v(id, state, attempts, next_at, status, latency, excerpt, error,
                           delivered, lease, tried)
                WHERE d.id = v.id
                  AND (v.lease IS NULL
                       OR (d.state = 'delivering' AND d.next_attempt_at = v.lease))""",
            now=now, uid=self.env.uid, ids=rows["id"], states=rows["state"],
            attempts=rows["attempts"], next=rows["next"], status=rows["status"],
            latency=rows["latency"], excerpt=rows["excerpt"], error=rows["error"],
            delivered=rows["delivered"], lease=rows["lease"], tried=rows["tried"],
        )  # fmt: skip
        self.env.cr.execute(query)
        self.invalidate_model()
        if attempts:
            self.env["woow.paas.webhook.attempt"].sudo().create(attempts)
        self._record_endpoint_health(now, gone, failing - succeeding, succeeding)

    @api.model
    def _record_endpoint_health(self, now, gone, failing, succeeding):
        Endpoint = self.env["woow.paas.webhook.endpoint"].sudo()
        if succeeding:
            Endpoint.browse(succeeding).filtered("failing_since").write({"failing_since": False})
        if failing:
            Endpoint.browse(failing).filtered(lambda e: not e.failing_since).write(
                {"failing_since": now}
            )
            for endpoint in Endpoint.browse(failing):
                if endpoint.enabled and endpoint.failing_since <= now - DISABLE_AFTER:
                    gone.setdefault(
                        endpoint.id,
                        f"Every delivery failed since {endpoint.failing_since} UTC.",
                    )
        if gone:
            Endpoint.browse(list(gone))._disable(gone)

    def _delivery_summary(self):
        """For the REST API and the portal."""
        self.ensure_one()
        return {
            "id": self.id, "endpoint_id": self.endpoint_id.id,
            "event_id": self.event_id.sudo().uuid or None, "event_type": self.event_type,
            "webhook_id": self.webhook_id, "state": self.state, "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at or None,
            "last_attempt_at": self.last_attempt_at or None,
            "delivered_at": self.delivered_at or None,
            "last_status_code": self.last_status_code or None,
            "last_latency_ms": self.last_latency_ms if self.last_attempt_at else None,
            "last_response": self.last_response or None, "last_error": self.last_error or None,
            "created_at": self.create_date,
        }  # fmt: skip
