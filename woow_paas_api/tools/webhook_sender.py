"""The HTTP side of the webhook worker: the threads post chains of prepared
deliveries with keep-alive sessions. Nothing here touches the ORM."""

import logging
import threading
import time
from http.cookiejar import DefaultCookiePolicy

from . import webhook as wh

# The deliveries' logger, whichever file logs (operators filter on it).
_logger = logging.getLogger("odoo.addons.woow_paas_api.models.woow_paas_webhook_delivery")


class SessionPool:
    """One keep-alive session per kind (guarded or not) and pool size,
    shared by the worker's threads. Kept on the registry of the database
    (``woow.paas.webhook.delivery._webhook_sessions()``), not in the module."""

    def __init__(self):
        self._sessions = {}
        self._lock = threading.Lock()

    def get(self, guarded, pool_size):
        with self._lock:
            session = self._sessions.get((guarded, pool_size))
            if session is None:
                session = wh.new_session(guarded=guarded, pool_size=pool_size)
                session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
                self._sessions[guarded, pool_size] = session
            return session


def post_chain(chain, sessions, size):
    """Post a chain's jobs one after another (in a worker thread: no ORM).

    Returns one result per job: ``wh.post``'s tuple, or ``None`` for a job
    not sent, because an earlier one of an ordered chain failed or the
    chain ran out of time (the first job always goes). A request that
    raises is a failed attempt of its own delivery, never the chain's end.
    """
    results = []
    for job in chain["jobs"]:
        if results and (
            time.monotonic() > chain["stop_at"] or (chain["ordered"] and not succeeded(results[-1]))
        ):
            results.append(None)
            continue
        if job.get("refused"):
            results.append((None, 0, "", None, job["refused"]))
            continue
        try:
            results.append(
                wh.post(sessions.get(job["guarded"], size), job["url"], job["body"], job["headers"])
            )
        except Exception as exc:  # one bad request must not stop the batch
            _logger.warning("Webhook delivery %s could not be sent", job["id"], exc_info=True)
            results.append(
                (None, 0, "", None, f"The request could not be sent: {type(exc).__name__}: {exc}")
            )
    return results


def succeeded(result):
    return result is not None and result[0] is not None and 200 <= result[0] < 300
