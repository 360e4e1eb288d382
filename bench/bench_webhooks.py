"""Webhook benchmarks: fan-out cost per event, and deliveries per second of
one worker (claim, sign, post concurrently over keep-alive, record in bulk)
against a naive loop that posts one delivery at a time with ``requests``
and writes its result with the ORM, both to a local receiver."""

import subprocess
import sys
import time

from common import Counter, bench

RECEIVER = r"""
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
delay = float(sys.argv[1])
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 65536
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
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

    def __init__(self, delay):
        self.delay = delay

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(self.delay)], stdout=subprocess.PIPE, text=True
        )
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
            endpoint = env["woow.paas.webhook.endpoint"].create(
                {"url": receiver.url, "allow_private_network": True, "event_types": "bench.*"}
            )
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
