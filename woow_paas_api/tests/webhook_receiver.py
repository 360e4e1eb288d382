"""A local HTTP receiver for webhook tests: records what it gets and answers
what it is told (status, headers, delay), in order."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``with Receiver() as receiver:``; ``receiver.url``; ``receiver.answers``
    is a list of ``(status, headers, delay)`` consumed one per request (the
    last one repeats); ``receiver.requests`` the ``(headers, body)`` got."""

    def __init__(self, answers=None):
        self.answers = list(answers or [(200, {}, 0)])
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One write per answer: keep-alive clients would otherwise wait
            # for delayed ACKs (Nagle).
            disable_nagle_algorithm = True
            wbufsize = 65536

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                              body))  # fmt: skip
                    answers = receiver.answers
                    status, headers, delay = answers.pop(0) if len(answers) > 1 else answers[0]
                if delay:
                    time.sleep(delay)
                payload = b'{"ok": true}'
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
