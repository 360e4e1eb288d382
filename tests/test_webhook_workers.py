"""A webhook worker killed mid-batch loses nothing: a real ``odoo-bin`` runs
the delivery cron against a local receiver, is SIGKILLed while it holds
claimed deliveries, and a second ``odoo-bin`` delivers everything, including
what the first had claimed, once its lease runs out.

Settings come from ``scripts/test.sh`` through ``WOOW_*`` variables.
"""

import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from odoo_process import DB_PREFIX, _env, _odoo, _psql, drop_database, new_database
from standardwebhooks import Webhook
from test_api_workers import _free_port

EVENTS = 120
LEASE = 8
SETUP = f"""
import json
Param = env["ir.config_parameter"]
Param.set_param("woow_paas_api.webhook_lease_seconds", "{LEASE}")
Param.set_param("woow_paas_api.webhook_concurrency", "4")
Endpoint = env["woow.paas.webhook.endpoint"]
ordered = Endpoint.create({{"url": "URL/ordered", "allow_private_network": True,
                            "event_types": "crash.*"}})
loose = Endpoint.create({{"url": "URL/loose", "allow_private_network": True,
                          "event_types": "crash.*", "ordered": False}})
partners = env["res.partner"].create([{{"name": f"Crash {{i}}"}} for i in range({EVENTS})])
env["woow.paas.event"]._emit("crash.test", partners, lambda p: {{"partner": p.id}})
env.cr.commit()
print("SECRETS", json.dumps({{"ordered": ordered.secret, "loose": loose.secret}}))
"""


class _Receiver:
    """Answers 200 after a short delay (so that claims stay in flight) and
    records every request with the time it arrived."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(
                        (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                time.sleep(0.05)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the killed worker's connections break: expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _start_worker(db):
    """odoo-bin with one cron thread (the webhook worker) and nothing else to do."""
    return subprocess.Popen(
        [_env("WOOW_PYTHON"), _env("WOOW_ODOO_BIN"), "-c", _env("WOOW_ODOO_CONF"), "-d", db,
         f"--db-filter=^{db}$", "--workers=0", "--max-cron-threads=1",
         f"--http-port={_free_port()}", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wake(db):
    """The cron thread sleeps up to a minute between polls: wake it now."""
    # Odoo listens (and notifies) on the postgres database.
    subprocess.run(["psql", "-d", "postgres", "-Atqc", f"NOTIFY cron_trigger, '{db}'"], check=True)


def _wait(condition, timeout, db=None, message=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if db:
            _wake(db)
        time.sleep(0.3)
    pytest.fail(f"timed out: {message}")


@pytest.fixture(name="crash_db")
def _crash_db():
    if "woow_paas_api" not in os.environ.get("WOOW_ADDONS", ""):
        pytest.fail("woow_paas_api is missing from the repository")
    db = f"{DB_PREFIX}_webhook_workers"
    new_database(db, ["woow_paas_api"])
    yield db
    drop_database(db)


def _states(db):
    rows = _psql(db, "select state, count(*) from woow_paas_webhook_delivery group by state")
    return {state: int(count) for state, count in (line.split("|") for line in rows.splitlines())}


def test_worker_killed_mid_batch_loses_nothing(crash_db):
    """SIGKILL the worker while it holds claims: a second worker delivers every
    event at least once, signed; what the first had claimed goes out after its
    lease; the ordered endpoint still gets each event first in event order."""
    db = crash_db
    receiver = _Receiver()
    workers = []
    try:
        output = _odoo("shell", "-c", _env("WOOW_ODOO_CONF"), "-d", db, "--log-level=warn",
                       stdin=SETUP.replace("URL", receiver.url))  # fmt: skip
        secrets = json.loads(output.split("SECRETS", 1)[1].strip().splitlines()[0])
        assert _states(db) == {"pending": 2 * EVENTS}

        first = _start_worker(db)
        workers.append(first)
        _wait(lambda: len(receiver.requests) >= 40 and _states(db).get("delivering"), 60, db,
              "the first worker did not start delivering")  # fmt: skip
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = time.monotonic()
        claimed = _psql(
            db, "select id || '|' || next_attempt_at from woow_paas_webhook_delivery"
            " where state = 'delivering'",
        ).splitlines()  # fmt: skip
        assert claimed, "the worker held no claim when killed"
        assert _states(db).get("pending"), "the first worker should not have finished"

        second = _start_worker(db)
        workers.append(second)
        _wait(lambda: _states(db) == {"delivered": 2 * EVENTS}, 90, db,
              f"not everything was delivered: {_states(db)}")  # fmt: skip
        assert time.monotonic() - killed_at >= LEASE / 2

        ids = dict(
            line.split("|")
            for line in _psql(
                db, "select webhook_id, id from woow_paas_webhook_delivery"
            ).splitlines()
        )
        received = {}
        for path, headers, body in receiver.requests:
            kind = path.rsplit("/", 1)[1]
            Webhook(secrets[kind]).verify(body, headers)
            received.setdefault(headers["webhook-id"], path)
        assert set(received) == set(ids), "an event was lost"
        # What the dead worker had claimed went out again only after its lease.
        for line in claimed:
            delivery_id, lease_end = line.split("|")
            late = _psql(
                db, "select count(*) from woow_paas_webhook_attempt where delivery_id ="
                f" {delivery_id} and attempted_at >= '{lease_end}'::timestamp"
                " - interval '1 second'",
            )  # fmt: skip
            assert late == "1", (delivery_id, lease_end)
        firsts = [
            int(ids[webhook_id]) for webhook_id, path in received.items() if path == "/ordered"
        ]
        assert firsts == sorted(firsts), "the ordered endpoint got an event before an older one"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(30)
                except subprocess.TimeoutExpired:
                    worker.kill()
        receiver.close()
