"""Webhook benchmarks: fan-out cost per event, and deliveries per second of
one worker (claim, sign, post concurrently over keep-alive, record in bulk)
against a naive loop that posts one delivery at a time with ``requests``
and writes its result with the ORM, both to a local receiver; and the
latency from an event's commit to its delivery under a steady 100 events/s
(``webhooks_latency``)."""

import os
import subprocess
import sys
import tempfile
import threading
import time

from common import Counter, bench

RECEIVER = r"""
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
delay = float(sys.argv[1])
log = open(sys.argv[2], "a", buffering=1) if len(sys.argv) > 2 else None
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 65536
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if log:
            log.write(f"{self.headers['webhook-id']} {time.time()}\n")
        if delay:
            time.sleep(delay)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class _Receiver:
    """A receiver in its own process (so that it does not share the GIL with
    the worker), answering 200 after ``delay`` seconds."""

    def __init__(self, delay, log=None):
        self.delay = delay
        self.log = log

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(self.delay), *([self.log] if self.log else [])],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}/hook"
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def _naive(env, deliveries):
    """One at a time, a new connection each, the ORM write per delivery."""
    import json

    import requests

    from odoo import fields

    from odoo.addons.woow_paas_api.tools import webhook as wh

    start = time.perf_counter()
    for delivery in deliveries:
        endpoint = delivery.endpoint_id
        body = json.dumps(delivery._body()).encode()
        stamp = str(int(time.time()))
        response = requests.post(
            endpoint.url, data=body, timeout=(5, 15), allow_redirects=False,
            headers={"Content-Type": "application/json", "webhook-id": delivery.webhook_id,
                     "webhook-timestamp": stamp,
                     "webhook-signature": wh.sign(endpoint.secret, delivery.webhook_id, stamp,
                                                  body)},
        )  # fmt: skip
        delivery.write(
            {"state": "delivered" if response.ok else "pending", "attempts": 1,
             "last_status_code": response.status_code, "last_attempt_at": fields.Datetime.now()}
        )  # fmt: skip
    env.flush_all()
    return len(deliveries) / (time.perf_counter() - start)


def _worker(env, Delivery):
    start = time.perf_counter()
    sent = 0
    while True:
        batch = Delivery._claim_due()
        if not batch:
            break
        batch._deliver()
        sent += len(batch)
    env.flush_all()
    return sent, sent / (time.perf_counter() - start)


def _emit(Event, tenants, size, event_type):
    for start in range(0, size, len(tenants)):
        Event._emit(event_type, tenants[: min(len(tenants), size - start)], {"i": start})


@bench
def webhooks(env, size=2000):
    """Emit ``size`` events (batches of 100) to one endpoint, against the same
    events with no endpoint; deliver them with the worker (claims of 200, 16
    threads) and compare with the naive loop on a tenth of them, with the
    receiver answering at once and after 20 ms (a close receiver on a real
    network)."""
    if "woow.paas.webhook.delivery" not in env:
        return
    Delivery = env["woow.paas.webhook.delivery"]
    Event = env["woow.paas.event"]
    # Only the benchmark's endpoint may receive (the transaction rolls back).
    env.cr.execute("UPDATE woow_paas_webhook_endpoint SET enabled = false")
    env.cr.execute("UPDATE woow_paas_webhook_delivery SET state = 'failed'"
                   " WHERE state IN ('pending', 'delivering')")  # fmt: skip
    env.invalidate_all()
    env.registry.clear_cache()
    partner = env["res.partner"].create({"name": "Webhook Bench Customer", "is_company": True})
    tenants = env["woow.paas.tenant"].create(
        [{"name": f"Hook bench {i}", "code": f"hook-bench-{i}", "partner_id": partner.id}
         for i in range(100)]
    )  # fmt: skip
    for delay in (0.0, 0.02):
        with _Receiver(delay) as receiver:
            # Throughput: deliveries in parallel (an ordered endpoint sends one
            # at a time, so at most one per receiver round trip).
            endpoint = env["woow.paas.webhook.endpoint"].create(
                {"url": receiver.url, "allow_private_network": True,
                 "event_types": "bench.*", "ordered": False}
            )  # fmt: skip
            label = f"delay_{int(delay * 1000)}ms"
            if delay == 0:
                # The same events with no endpoint to feed: the baseline of the fan-out.
                endpoint.enabled = False
                with Counter(env) as bare:
                    _emit(Event, tenants, size, "bench.bare")
                endpoint.enabled = True
            with Counter(env) as fan_out:
                _emit(Event, tenants, size, "bench.happened")
            if delay == 0:
                yield ("emit.ms_per_event", 1000 * fan_out.seconds / size, "ms",
                       1000 * bare.seconds / size)  # fmt: skip
                yield ("emit.queries_per_100_events", fan_out.queries / (size / 100),
                       "queries", bare.queries / (size / 100))  # fmt: skip
            sent, rate = _worker(env, Delivery)
            assert sent == size, (sent, size)
            assert (
                Delivery.search_count(
                    [("endpoint_id", "=", endpoint.id), ("state", "=", "delivered")]
                )
                == size
            )
            naive_size = max(50, size // 10)
            again = Delivery.search([("endpoint_id", "=", endpoint.id)], limit=naive_size)
            baseline = _naive(env, again)
            yield (f"{label}.deliveries_per_s", rate, "deliveries/s", baseline)
            endpoint.enabled = False


# Producers are processes (several Odoo workers committing events), each
# with its own registry: in one process the GIL, not the database, would set
# the pace.
PRODUCERS = 4
PRODUCER = r"""
import sys
sys.path.insert(0, sys.argv[1])
import odoo
from odoo.modules.registry import Registry
odoo.tools.config.parse_config(["-c", sys.argv[2], "-d", sys.argv[3], "--log-level=warn"])
registry = Registry(sys.argv[3])
from bench_webhooks import _produce
print("READY", flush=True)
sys.stdin.readline()
committed = {}
_produce(registry, int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), committed)
with open(sys.argv[7], "w") as out:
    out.writelines(f"{key} {value}\n" for key, value in committed.items())
"""


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _produce(registry, endpoint_id, seconds, rate, committed):
    """Emit ``rate`` events a second for ``seconds``, one transaction each (the
    worst case: one worker wake-up per event), noting each one's commit time
    by its webhook-id in ``committed`` (shared by the producers' threads)."""
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "Latency bench"})
        cr.commit()
        time.sleep(0.1)  # the producers start together
        Event = env["woow.paas.event"]
        start = time.monotonic()
        for n in range(int(seconds * rate)):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            event = Event._emit("benchlat.tick", partner, {"n": n})
            webhook_id = event.env["woow.paas.webhook.delivery"]._webhook_id(event.uuid,
                                                                           endpoint_id)  # fmt: skip
            # Taken before the commit: a delivery can arrive before this
            # thread runs again, and the commit's own time counts against us.
            committed[webhook_id] = time.time()
            cr.commit()


def _run_producers(env, endpoint_id, seconds, rate, committed):
    """Start the producer processes, let them go together, gather their
    commit times into ``committed``; return the events per second made."""
    import odoo

    outputs, procs = [], []
    for _i in range(PRODUCERS):
        with tempfile.NamedTemporaryFile("w", suffix=".out", delete=False) as out:
            outputs.append(out.name)
        procs.append(subprocess.Popen(
            [sys.executable, "-c", PRODUCER, os.path.dirname(os.path.abspath(__file__)),
             odoo.tools.config["config"], env.cr.dbname, str(endpoint_id), str(seconds),
             str(rate / PRODUCERS), outputs[-1]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        ))  # fmt: skip
    for proc in procs:
        assert proc.stdout.readline().strip() == "READY"
    start = time.monotonic()
    for proc in procs:
        proc.stdin.write("GO\n")
        proc.stdin.flush()
    for proc in procs:
        proc.wait()
    elapsed = time.monotonic() - start
    for path in outputs:
        with open(path) as lines:
            for line in lines:
                webhook_id, stamp = line.split()
                committed[webhook_id] = float(stamp)
        os.unlink(path)
    return len(committed) / elapsed


def _run_worker(registry, stop):
    """The worker's cron method in a loop, as the cron would run it."""
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        while not stop.is_set():
            env["woow.paas.webhook.delivery"]._cron_deliver(time_budget=5, idle_linger=0.5)
            cr.commit()


def _run_naive(registry, endpoint_id, stop):
    """Poll for pending deliveries, post each with requests.post (a new
    connection each), write its result with the ORM, commit per batch."""
    import json

    import requests

    import odoo

    from odoo.addons.woow_paas_api.tools import webhook as wh

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Delivery = env["woow.paas.webhook.delivery"]
        while not stop.is_set():
            batch = Delivery.search(
                [("endpoint_id", "=", endpoint_id), ("state", "=", "pending")], order="id",
                limit=20,
            )  # fmt: skip
            if not batch:
                cr.commit()
                time.sleep(0.01)
                continue
            for delivery in batch:
                endpoint = delivery.endpoint_id
                body = json.dumps(delivery._body()).encode()
                stamp = str(int(time.time()))
                response = requests.post(
                    endpoint.url, data=body, timeout=(5, 15), allow_redirects=False,
                    headers={"Content-Type": "application/json",
                             "webhook-id": delivery.webhook_id, "webhook-timestamp": stamp,
                             "webhook-signature": wh.sign(endpoint.secret, delivery.webhook_id,
                                                          stamp, body)},
                )  # fmt: skip
                delivery.write({"state": "delivered" if response.ok else "pending",
                                "attempts": 1})  # fmt: skip
            cr.commit()


def _latency_run(env, seconds, rate, delay, naive):
    """One run: a receiver in its own process logging arrival times, the
    producer, and one worker (ours or the naive loop) in threads with their
    own cursors. Returns the latencies in seconds; an event not delivered
    within 20 s of the end counts with its wait so far (a lower bound)."""
    registry = env.registry
    with registry.cursor() as cr:
        setup = env(cr=cr)
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
            path = log.name
        with _Receiver(delay, path) as receiver:
            endpoint = setup["woow.paas.webhook.endpoint"].create(
                {"url": receiver.url, "allow_private_network": True,
                 "event_types": "benchlat.*", "ordered": False}
            )  # fmt: skip
            endpoint_id = endpoint.id
            cr.commit()
            committed, stop = {}, threading.Event()
            worker = threading.Thread(
                target=_run_naive if naive else _run_worker,
                args=(registry, endpoint_id, stop) if naive else (registry, stop),
            )
            worker.start()
            try:
                produced = _run_producers(env, endpoint_id, seconds, rate, committed)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    with open(path) as lines:
                        if sum(1 for _line in lines) >= len(committed):
                            break
                    time.sleep(0.2)
            finally:
                stop.set()
                worker.join(60)
            end = time.time()
            arrived = {}
            with open(path) as lines:
                for line in lines:
                    webhook_id, stamp = line.split()
                    arrived.setdefault(webhook_id, float(stamp))
            os.unlink(path)
            # Leave nothing behind: the endpoint (its deliveries cascade), the
            # events, and the worker's wake-ups.
            cr.execute("DELETE FROM woow_paas_webhook_endpoint WHERE id = %s", (endpoint_id,))
            cr.execute("DELETE FROM woow_paas_event WHERE event_type = 'benchlat.tick'")
            cr.execute("DELETE FROM res_partner WHERE name = 'Latency bench'")
            cron = setup.ref("woow_paas_api.ir_cron_woow_paas_webhook_deliver")
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", (cron.id,))
            cr.commit()
    latencies = [arrived.get(webhook_id, end) - at for webhook_id, at in committed.items()]
    share = sum(1 for webhook_id in committed if webhook_id in arrived) / max(len(committed), 1)
    return latencies, share, produced


@bench
def webhooks_latency(env, size=60):
    """100 events/s, each committed alone, for ``size`` seconds (default 60;
    ``--size 20`` for a quick run), to one unordered endpoint whose receiver
    answers after 20 ms: p50/p99 from an event's commit to its arrival at
    the receiver, with one worker (the cron's method in a loop) against the
    naive loop. This benchmark commits (it needs other transactions to see
    the events) and deletes what it made."""
    if "woow.paas.webhook.delivery" not in env:
        return
    ours, ours_share, ours_rate = _latency_run(env, size, 100, 0.02, naive=False)
    naive, naive_share, naive_rate = _latency_run(env, size, 100, 0.02, naive=True)
    yield ("produced.events_per_s", ours_rate, "events/s", naive_rate)
    yield ("latency.p50_ms", 1000 * _percentile(ours, 0.5), "ms",
           1000 * _percentile(naive, 0.5))  # fmt: skip
    yield ("latency.p99_ms", 1000 * _percentile(ours, 0.99), "ms",
           1000 * _percentile(naive, 0.99))  # fmt: skip
    yield ("latency.max_ms", 1000 * max(ours), "ms", 1000 * max(naive))
    yield ("latency.delivered_share", ours_share, "share", naive_share)
