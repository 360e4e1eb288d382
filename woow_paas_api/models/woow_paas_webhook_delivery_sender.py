import json
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import webhook as wh
from ..tools.webhook_sender import SessionPool, post_chain

# The deliveries' logger, whichever file logs (operators filter on it).
_logger = logging.getLogger("odoo.addons.woow_paas_api.models.woow_paas_webhook_delivery")

# An endpoint that has failed without a single success for this long is
# disabled and its owner told through a webhook.endpoint_disabled event.
DISABLE_AFTER = timedelta(days=5)


class WoowPaasWebhookDeliverySender(models.AbstractModel):
    """The sending half of the webhook worker, for
    ``woow.paas.webhook.delivery``: sign and post claimed deliveries
    (threads do the HTTP, no ORM) and record their attempts, their new
    states and their endpoints' health."""

    _name = "woow.paas.webhook.delivery.sender"
    _description = "PaaS Webhook Delivery Sending"

    @api.model
    def _webhook_sessions(self):
        """The keep-alive sessions of this database's worker threads, kept on
        the registry (the same for every cron run of the process)."""
        registry = self.env.registry
        pool = getattr(registry, "_woow_paas_webhook_sessions", None)
        if pool is None:
            pool = registry.__dict__.setdefault("_woow_paas_webhook_sessions", SessionPool())
        return pool

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
        sessions = self._webhook_sessions()
        chains = self._prepare_chains(size, time.monotonic() + self._lease() / 2)
        if len(chains) == 1 or size == 1:
            outcome = [post_chain(chain, sessions, size) for chain in chains]
        else:
            with ThreadPoolExecutor(max_workers=min(size, len(chains))) as pool:
                outcome = list(
                    pool.map(post_chain, chains, [sessions] * len(chains), [size] * len(chains))
                )
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
