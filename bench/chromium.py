"""Serve the benchmark's transaction over HTTP and drive a headless Chromium
through the DevTools protocol, to time pages as a user sees them.

The benchmark's data is never committed: while :func:`serve_transaction` is
active, every cursor that Odoo's HTTP layer opens wraps the benchmark's own
cursor (Odoo's test cursor, as ``HttpCase`` does), so the browser sees the
data set and the final rollback still removes everything.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from unittest.mock import patch

import websocket
from werkzeug.serving import make_server


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _BenchTest:
    """What ``TestCursor`` needs of the running test."""

    canonical_tag = "bench"
    test_cursor_lock_timeout = 300

    def assertCanOpenTestCursor(self):
        return True


@contextlib.contextmanager
def serve_transaction(env):
    """Serve Odoo on a free local port inside ``env.cr``'s transaction; yield the base URL."""
    import odoo.http
    import odoo.modules.module
    from odoo.modules.registry import DummyRLock, Registry
    from odoo.tests import test_cursor

    env.flush_all()
    cr, registry = env.cr, env.registry
    lock = threading.RLock()
    patches = [
        # Odoo's test cursor asks the running test whether it may open.
        patch.object(odoo.modules.module, "current_test", _BenchTest()),
        # Read-write always: a read-only test cursor would end the transaction's writes.
        patch.object(
            registry, "cursor", lambda readonly=False: test_cursor.TestCursor(cr, lock, False)
        ),
        patch.object(Registry, "_lock", DummyRLock()),
        patch.object(registry, "setup_signaling", return_value=None),
        patch.object(registry, "check_signaling", return_value=registry),
    ]
    for patcher in patches:
        patcher.start()
    port = _free_port()
    server = make_server("127.0.0.1", port, odoo.http.root, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="bench http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(10)
        for patcher in reversed(patches):
            patcher.stop()
        env.invalidate_all()


def _read(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except FileNotFoundError:
        return ""


class Chromium:
    """A headless Chromium and one page, driven over its DevTools websocket."""

    def __init__(self, executable, width=1366, height=900):
        self.profile = tempfile.mkdtemp(prefix="woow_bench_chromium_")
        self.process = subprocess.Popen(
            [
                executable, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not _read(port_file):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = int(_read(port_file).split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self._ids = iter(range(1, 1 << 30))

    def call(self, method, **params):
        """Send one command and return its result (events in between are dropped)."""
        request_id = next(self._ids)
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "script error"))
        return result["result"].get("value")

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# Installed in every new document before its own scripts: records, in ms
# from the navigation start (performance.now()'s origin), the first moment
# the selector matches.
MARK_SCRIPT = """
(() => {
    const selector = %s;
    const check = () => {
        if (window.__woowBenchReady === undefined && document.querySelector(selector)) {
            window.__woowBenchReady = performance.now();
            observer.disconnect();
        }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
})();
"""

WAIT_SCRIPT = """
new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
        if (window.__woowBenchReady !== undefined && document.readyState !== "loading") {
            resolve(window.__woowBenchReady);
        } else if (Date.now() - started > %d) {
            reject(new Error("timeout"));
        } else {
            setTimeout(poll, 20);
        }
    };
    poll();
})
"""


def time_page(browser, url, selector, timeout_ms=120000):
    """Navigate to ``url``; ms from its navigation start until ``selector`` is in the page."""
    browser.call("Page.navigate", url="about:blank")
    browser.call("Page.navigate", url=url)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            return browser.evaluate(WAIT_SCRIPT % timeout_ms)
        except RuntimeError:
            # The evaluation may land in the document being replaced: retry.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def login_session(base_url, database, login, password):
    """A session id for ``login``, from Odoo's JSON-RPC authentication route."""
    body = json.dumps(
        {"jsonrpc": "2.0", "method": "call",
         "params": {"db": database, "login": login, "password": password}}
    ).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{base_url}/web/session/authenticate",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        payload = json.load(answer)
        if payload.get("error"):
            raise RuntimeError(payload["error"]["data"]["message"])
        cookie = answer.headers.get("Set-Cookie", "")
    return cookie.split("session_id=", 1)[1].split(";", 1)[0]
