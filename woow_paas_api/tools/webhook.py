"""Standard Webhooks signing, the SSRF guard and the HTTP session of the
webhook worker. Nothing here touches the ORM: the worker's threads use it."""

import base64
import errno
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import socket
import ssl
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError

_logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
# Attempts after the first one fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.2  # each delay is drawn in [d * 0.8, d * 1.2]
RETRY_AFTER_MAX = 86400
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
MAX_RESPONSE_READ = 64 * 1024  # read at most this much of an answer (keep-alive)
EXCERPT_LENGTH = 1024  # and keep this much of it
USER_AGENT = "Woow-PaaS-Webhooks/1"
RESERVED_HEADERS = {
    "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
    "host", "user-agent", "transfer-encoding", "connection",
}  # fmt: skip


# A header name is an RFC 9110 token; a value printable Latin-1 (what
# http.client can send), tabs and spaces inside it only.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(
    r"(?:[\x21-\x7e\xa1-\xff](?:[\t\x20-\x7e\xa0-\xff]*[\x21-\x7e\xa1-\xff])?)?"
)

_RANDOM = secrets.SystemRandom()


class UnsafeTarget(Exception):
    """The target resolves to an address webhooks may not reach."""


def is_header_name(name):
    """Whether ``name`` may name an HTTP header (an RFC 9110 token)."""
    return isinstance(name, str) and bool(_HEADER_NAME.fullmatch(name))


def is_header_value(value):
    """Whether ``value`` may be sent as a header value: printable Latin-1,
    no control characters (CR and LF included), no space at either end."""
    return isinstance(value, str) and bool(_HEADER_VALUE.fullmatch(value))


def new_secret():
    """A ``whsec_`` secret: 32 random bytes in base64, as Standard Webhooks says."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret, msg_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` for one secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signature_header(secrets_, msg_id, timestamp, body):
    """The ``webhook-signature`` value: one signature per secret, space-separated
    (several during a rotation's overlap)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_ if s)


def backoff(attempts, rng=None):
    """Seconds before the next try after ``attempts`` failed ones, or None
    when the schedule is exhausted."""
    if attempts > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return delay * (rng or _RANDOM).uniform(1 - JITTER, 1 + JITTER)


def retry_after(value, now=None):
    """Seconds asked by a ``Retry-After`` header (seconds or HTTP date),
    bounded to [1 s, 24 h], or None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value) if value.isdigit() else None
        if seconds is None:
            seconds = parsedate_to_datetime(value).timestamp() - (now or time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(seconds, 1), RETRY_AFTER_MAX)


def is_public_address(address):
    """Whether ``address`` is a globally routable unicast address (IPv4-mapped
    and IPv4-compatible IPv6 addresses are judged by their IPv4 part)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip.sixtofour or ip.teredo:
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )  # fmt: skip


def resolve(host, port):
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url, allow_private=False):
    """Refuse what a webhook may not target; return the addresses checked.

    Only http and https with a host; unless ``allow_private``, every address
    the host resolves to must be public (a single private one refuses it,
    so that a host with mixed records cannot be used to reach inside).
    Raises :class:`UnsafeTarget` with a sentence for the user.
    """
    try:
        parts = urlsplit(url or "")
        hostname = parts.hostname
    except ValueError as exc:  # e.g. "http://[zz::1]/": not an IPv6 address
        raise UnsafeTarget("The URL is not valid.") from exc
    if parts.scheme not in ("http", "https") or not hostname:
        raise UnsafeTarget("The URL must be an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise UnsafeTarget("The URL may not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("The URL's port is not valid.") from exc
    return _check_host(hostname, port, allow_private)


def _check_host(host, port, allow_private):
    try:
        addresses = resolve(host, port)
    except (OSError, ValueError) as exc:  # ValueError: NUL, UnicodeError: bad IDNA
        raise UnsafeTarget(f"The host {host!r} cannot be resolved.") from exc
    if not addresses:
        raise UnsafeTarget(f"The host {host} cannot be resolved.")
    if not allow_private:
        bad = [a for a in addresses if not is_public_address(a)]
        if bad:
            raise UnsafeTarget(
                f"The host {host} resolves to a private, loopback, link-local or reserved "
                f"address ({', '.join(bad)}): webhooks may only target public addresses."
            )
    return addresses


# ----------------------------------------------------------------------
# A session whose connections check the address they connect to
# ----------------------------------------------------------------------
class _GuardedConnectionMixin:
    """Resolve, check and connect to the checked address in one step, so
    that a DNS answer that changes after the save-time check (DNS
    rebinding) cannot reach a private address. TLS still verifies the
    certificate against the host name."""

    def _new_conn(self):
        try:
            addresses = _check_host(self._dns_host, self.port, allow_private=False)
        except UnsafeTarget as exc:
            raise NewConnectionError(self, str(exc)) from exc
        error = None
        for address in addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
                continue
            for option in self.socket_options or ():
                sock.setsockopt(*option)
            return sock
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        # Chained, so that the attempt log can say why in words (refused...).
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }


def new_session(guarded=True, pool_size=10):
    """A keep-alive session for the worker. ``guarded`` sessions refuse to
    connect to non-public addresses; environment proxies and .netrc are
    ignored (a proxy would bypass the guard)."""
    session = requests.Session()
    session.trust_env = False
    adapter_class = _GuardedAdapter if guarded else HTTPAdapter
    for scheme in ("http://", "https://"):
        session.mount(scheme, adapter_class(pool_connections=pool_size, pool_maxsize=pool_size))
    session.headers.update({"User-Agent": USER_AGENT})
    return session


def post(session, url, body, headers):
    """POST once; return ``(status, latency_ms, excerpt, retry_after, error)``.

    No redirects are followed (a 3xx is a failure), at most
    :data:`MAX_RESPONSE_READ` bytes of the answer are read and
    :data:`EXCERPT_LENGTH` kept. Never raises for network errors.
    """
    start = time.perf_counter()
    try:
        with session.post(
            url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False, stream=True,
        ) as response:  # fmt: skip
            chunks, size = [], 0
            for chunk in response.iter_content(8192):
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_RESPONSE_READ or time.perf_counter() - start > READ_TIMEOUT:
                    break
            excerpt = b"".join(chunks)[:EXCERPT_LENGTH].decode("utf-8", "replace")
            latency = int((time.perf_counter() - start) * 1000)
            return (
                response.status_code, latency, excerpt,
                retry_after(response.headers.get("Retry-After")), None,
            )  # fmt: skip
    except requests.RequestException as exc:
        latency = int((time.perf_counter() - start) * 1000)
        return None, latency, "", None, _describe(exc)


def describe_status(status):
    """The attempt log's sentence for an HTTP answer that is not a success:
    "The endpoint answered 500 Internal Server Error." """
    try:
        answer = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        answer = str(status)
    if 300 <= status < 400:
        return f"Redirects are not followed (answered {answer}): use the final URL."
    return f"The endpoint answered {answer}."


def _seconds(value):
    return f"{value:g} s"


def _causes(exc):
    """``exc`` and what it wraps: causes, contexts and urllib3's ``reason``."""
    seen, todo = [], [exc]
    while todo:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo += list(getattr(current, "args", ()))
    return seen


# Socket errors by errno, in words (ECONNREFUSED and friends).
_OS_ERRORS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.EHOSTDOWN: "host down",
    errno.ETIMEDOUT: "timed out",
}


def _describe(exc):
    """What went wrong before the endpoint answered, in words, for the
    attempt log that customers and operators read: "Could not connect:
    connection refused.", "Timed out after 15 s waiting for the answer.",
    never an exception's text unless nothing better is known."""
    try:
        return _explain(exc)
    except Exception:  # the worker's thread must get an answer whatever happens
        _logger.warning("Webhook failure not described: %r", exc, exc_info=True)
        return f"The request failed: {type(exc).__name__}."


def _explain(exc):
    text = str(exc)
    if "webhooks may only target public addresses" in text:
        start = text.find("The host ")
        guard = text[start:].split(")", 1)[0] + ")" if start >= 0 else text[:400]
        return f"Refused: {guard}."
    causes = _causes(exc)
    if "cannot be resolved" in text or any(
        isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError" for c in causes
    ):
        return "Could not connect: the host name does not resolve (DNS)."
    if isinstance(exc, requests.ConnectTimeout):
        return f"Could not connect: no answer within {_seconds(CONNECT_TIMEOUT)}."
    if isinstance(exc, requests.Timeout):
        return f"Timed out after {_seconds(READ_TIMEOUT)} waiting for the answer."
    if isinstance(exc, requests.exceptions.SSLError):
        verify = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
        if verify is not None:
            reason = verify.verify_message or "verification failed"
            return f"Could not connect securely: the TLS certificate was refused ({reason})."
        if any(getattr(c, "reason", None) == "WRONG_VERSION_NUMBER" for c in causes):
            return (
                "Could not connect securely: the endpoint does not answer TLS on this port "
                "(an http:// URL?)."
            )
        return "Could not connect securely: the TLS handshake failed."
    for cause in causes:
        if isinstance(cause, OSError) and cause.errno in _OS_ERRORS:
            words = _OS_ERRORS[cause.errno]
            if cause.errno == errno.ECONNRESET or not isinstance(exc, requests.ConnectionError):
                return f"The connection was closed before the endpoint answered ({words})."
            return f"Could not connect: {words}."
        if type(cause).__name__ == "RemoteDisconnected" or isinstance(cause, ConnectionResetError):
            return "The connection was closed before the endpoint answered."
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | ProtocolError):
        return "The answer could not be read: the connection broke while it was sent."
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return f"The request could not be sent: a header is not valid ({text[:200]})."
    if isinstance(exc, requests.ConnectionError):
        return f"Could not connect ({text[:300]})."
    return f"The request failed: {type(exc).__name__}: {text[:300]}"
