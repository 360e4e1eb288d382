import configparser
import logging
import math

from odoo import api, fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL, config

_logger = logging.getLogger(__name__)

DEFAULT_PER_MINUTE = 600
LIMIT_PARAM = "woow_paas_api.rate_limit_per_minute"
ANONYMOUS_PARAM = "woow_paas_api.anonymous_rate_limit_per_minute"
REDIS_PARAM = "woow_paas_api.redis_url"
# odoo.conf section [woow_paas_api], option redis_url: wins over the parameter.
# A section of its own, read as OCA's queue_job reads [queue_job]: Odoo warns
# about unknown options of [options].
CONF_SECTION = "woow_paas_api"

# Token buckets in Redis, atomically: every bucket of the call is refilled;
# the call passes only when each holds a token, and then takes one from each
# and counts the call where asked. KEYS: the buckets, then the counter hash.
# ARGV: per bucket its capacity, its refill per second and the counter field
# ("" for none). Redis's own clock serves every Odoo server alike.
REDIS_TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local n = #KEYS - 1
local tokens, allowed = {}, 1
for i = 1, n do
    local cap, rate = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
    local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
    local t = tonumber(state[1])
    if t == nil then
        t = cap
    else
        t = math.min(cap, t + rate * math.max(0, now - tonumber(state[2])))
    end
    tokens[i] = t
    if t < 1 then allowed = 0 end
end
local out = {allowed}
for i = 1, n do
    local cap, rate = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
    if allowed == 1 then
        tokens[i] = tokens[i] - 1
        if ARGV[3 * i] ~= '' then redis.call('HINCRBY', KEYS[n + 1], ARGV[3 * i], 1) end
    end
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i]), 'ts', tostring(now))
    redis.call('EXPIRE', KEYS[i], math.ceil(cap / rate) + 60)
    out[i + 1] = tostring(tokens[i])
end
return out
"""
# Read and reset the call counters in one step: no call is counted twice or lost.
REDIS_POP = """
local counts = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return counts
"""


class WoowPaasApiRateBucket(models.Model):
    """Token buckets of the API's rate limits, shared by every Odoo worker
    and server on the database, or on a Redis server when one is configured
    (``redis_url`` in the ``[woow_paas_api]`` section of odoo.conf, or the system parameter
    ``woow_paas_api.redis_url``).

    In PostgreSQL, one row per bucket (a credential, an address for calls
    without one, a tenant...). :meth:`_take` refills and takes a token in one
    atomic statement per bucket on a cursor of its own, so that a bucket's
    row is locked for microseconds, not for the whole request. The table is
    UNLOGGED: buckets are disposable. In Redis, one hash per bucket and one
    Lua script per call.

    A bucket may also count the calls it lets through (``pending_calls``),
    in the same statement: :meth:`_pop_call_counts` hands the counts to
    whoever aggregates them (the tenant layer's ``api_calls`` quota) without
    a write per request.
    """

    _name = "woow.paas.api.rate.bucket"
    _description = "PaaS API Rate Limit Bucket"
    _log_access = False

    bucket = fields.Char(required=True)
    tokens = fields.Float(required=True)
    allowed = fields.Boolean(help="Whether the last call was let through.")
    updated_at = fields.Datetime(required=True)
    pending_calls = fields.Integer(
        help="Calls let through and not yet handed to the quota they count for."
    )

    _bucket_uniq = models.Constraint("UNIQUE(bucket)", "One row per bucket.")

    def init(self):
        self.env.cr.execute("ALTER TABLE woow_paas_api_rate_bucket SET UNLOGGED")

    @api.model
    def _limit_per_minute(self, key=None):
        if key and key.rate_limit:
            return key.rate_limit
        param = LIMIT_PARAM if key else ANONYMOUS_PARAM
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            if int(value) > 0:
                return int(value)
        except (TypeError, ValueError):
            pass
        return DEFAULT_PER_MINUTE if key else DEFAULT_PER_MINUTE // 10

    @api.model
    def _request_buckets(self, credential):
        """The buckets a call of ``credential`` (None: no valid credential)
        takes a token from, most specific first. Hook: a layer adds its own
        (the tenant layer adds the tenant's, from the plan) by extending the
        list. Each bucket is a dict:

        - ``name``: unique name of the bucket (``key:12``, ``tenant:3``...);
        - ``policy``: its name in the ``RateLimit-Policy`` header;
        - ``quota`` and ``window``: ``quota`` calls per ``window`` seconds
          (the capacity, refilled continuously);
        - ``count`` (optional): whether to count the calls it lets through
          (read back with :meth:`_pop_call_counts`);
        - ``unlimited`` (optional): the bucket only counts; it is left out of
          the headers (its quota must still be a number, a large one);
        - ``exhausted`` (optional): seconds until calls are allowed again
          when something other than the bucket refuses them (a used-up
          monthly quota); the call then gets a 429 without taking a token.
        """
        per_minute = self._limit_per_minute(credential)
        return [
            {
                "name": credential.id if credential else f"ip:{self._remote_addr()}",
                "policy": "credential" if credential else "anonymous",
                "quota": per_minute,
                "window": 60,
            }
        ]

    @api.model
    def _remote_addr(self):
        from odoo.http import request

        return request.httprequest.remote_addr if request else "local"

    @api.model
    def _process_cache(self, name):
        """A dict kept on the database's registry (one per process and
        database, shared by its requests), not in the module."""
        registry = self.env.registry
        cache = getattr(registry, name, None)
        if cache is None:
            cache = registry.__dict__.setdefault(name, {})
        return cache

    @api.model
    def _redis_client(self, url):
        """One client (a connection pool) and its scripts per URL."""
        clients = self._process_cache("_woow_paas_api_redis_clients")
        if url not in clients:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            # setdefault: a client made by a concurrent request first is kept.
            clients.setdefault(
                url,
                (client, client.register_script(REDIS_TAKE), client.register_script(REDIS_POP)),
            )
        return clients[url]

    @api.model
    def _conf_option(self, name):
        """An option of the [woow_paas_api] section of the server's odoo.conf
        (read once per process and database)."""
        options = self._process_cache("_woow_paas_api_conf_options")
        path = config.get("config")
        if path not in options:
            parser = configparser.RawConfigParser()
            try:
                parser.read([path] if path else [])
            except configparser.Error:
                _logger.warning("Could not read the [%s] section of %s", CONF_SECTION, path)
            options[path] = dict(parser[CONF_SECTION]) if parser.has_section(CONF_SECTION) else {}
        return options[path].get(name)

    @api.model
    def _redis_url(self):
        return self._conf_option("redis_url") or (
            self.env["ir.config_parameter"].sudo().get_param(REDIS_PARAM) or ""
        )

    def _redis_prefix(self):
        return f"woow_paas_api:{self.env.cr.dbname}:"

    @api.model
    def _take_buckets(self, buckets):
        """Take one token from each bucket of ``buckets`` (see
        :meth:`_request_buckets`); return ``(allowed, [tokens left per
        bucket])``. A refused call takes nothing from the buckets it reached
        (Redis: from none)."""
        url = self._redis_url()
        if url:
            return self._redis_take(url, buckets)
        left, allowed = [], True
        for bucket in buckets:
            ok, tokens = self._take(
                bucket["name"], bucket["quota"], bucket["window"], bucket.get("count")
            )
            left.append(tokens)
            if not ok:
                allowed = False
                break
        return allowed, left

    def _redis_take(self, url, buckets):
        _client, take, _pop = self._redis_client(url)
        prefix = self._redis_prefix()
        keys = [prefix + "bucket:" + b["name"] for b in buckets] + [prefix + "calls"]
        args = []
        for b in buckets:
            args += [b["quota"], b["quota"] / b["window"], b["name"] if b.get("count") else ""]
        result = take(keys=keys, args=args)
        return bool(result[0]), [float(t) for t in result[1:]]

    @api.model
    def _take(self, bucket, quota, window=60, count=False):
        """Take one token from the PostgreSQL ``bucket`` (capacity ``quota``,
        refilled continuously over ``window`` seconds), counting the call in
        ``pending_calls`` when ``count``; return ``(allowed, tokens left)``."""
        rate = quota / float(window)
        cap = float(quota)
        counted = 1 if count else 0
        # clock_timestamp(), not now(): the time of the take itself, also when
        # the cursor shares a longer transaction (tests).
        elapsed = SQL("EXTRACT(EPOCH FROM (clock_timestamp() at time zone 'utc') - b.updated_at)")
        refill = SQL("LEAST(%s, b.tokens + %s * %s)", cap, rate, elapsed)
        with self.env.registry.cursor() as cr:
            # Buckets are disposable: no need to wait for the disk at commit.
            # Odoo's cursors are REPEATABLE READ, where two concurrent takes
            # of one bucket fail to serialise; READ COMMITTED makes the upsert
            # wait for the row instead (the classic counter). One round trip;
            # a test's cursor (a savepoint of the test) keeps its level.
            if isinstance(cr, Cursor):
                cr.execute(
                    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;"
                    " SET LOCAL synchronous_commit TO OFF"
                )
            else:
                cr.execute("SET LOCAL synchronous_commit TO OFF")
            cr.execute(
                SQL(
                    """
                    INSERT INTO woow_paas_api_rate_bucket AS b
                        (bucket, tokens, allowed, updated_at, pending_calls)
                    VALUES (%s, %s - 1, TRUE, clock_timestamp() at time zone 'utc', %s)
                    ON CONFLICT (bucket) DO UPDATE SET
                        tokens = CASE WHEN %s >= 1 THEN %s - 1 ELSE %s END,
                        allowed = %s >= 1,
                        pending_calls = COALESCE(b.pending_calls, 0)
                            + CASE WHEN %s >= 1 THEN %s ELSE 0 END,
                        updated_at = clock_timestamp() at time zone 'utc'
                    RETURNING tokens, allowed
                    """,
                    bucket, cap, counted, refill, refill, refill, refill, refill, counted,
                )
            )  # fmt: skip
            tokens, allowed = cr.fetchone()
        return allowed, tokens

    @api.model
    def _pop_call_counts(self):
        """The calls counted by buckets since the last pop, ``{bucket name:
        calls}``, and reset them: each call is handed over once. They are
        taken at once (from PostgreSQL on a READ COMMITTED cursor of their
        own, so that busy buckets never make the caller fail to serialise;
        from Redis in one script) and given back if the caller's transaction
        rolls back (a post-rollback hook)."""
        counts, restores = {}, []
        with self.env.registry.cursor() as cr:
            if isinstance(cr, Cursor):
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(
                "UPDATE woow_paas_api_rate_bucket b SET pending_calls = 0"
                " FROM (SELECT id, pending_calls FROM woow_paas_api_rate_bucket"
                "       WHERE pending_calls > 0 ORDER BY id FOR UPDATE) old"
                " WHERE b.id = old.id RETURNING b.bucket, old.pending_calls"
            )
            popped_pg = dict(cr.fetchall())
        if popped_pg:
            counts.update(popped_pg)
            restores.append(lambda: self._give_back_pg(popped_pg))
        url = self._redis_url()
        if url:
            client, _take, pop = self._redis_client(url)
            key = self._redis_prefix() + "calls"
            raw = pop(keys=[key])
            popped = {
                name.decode(): int(calls) for name, calls in zip(raw[::2], raw[1::2], strict=True)
            }
            if popped:

                def restore_redis():
                    pipe = client.pipeline()
                    for name, calls in popped.items():
                        pipe.hincrby(key, name, calls)
                    pipe.execute()

                restores.append(restore_redis)
            for name, calls in popped.items():
                counts[name] = counts.get(name, 0) + calls
        for restore in restores:
            self.env.cr.postrollback.add(restore)
        return counts

    def _give_back_pg(self, counts):
        with self.env.registry.cursor() as cr:
            if isinstance(cr, Cursor):
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            for name, calls in sorted(counts.items()):
                cr.execute(
                    "UPDATE woow_paas_api_rate_bucket SET pending_calls = pending_calls + %s"
                    " WHERE bucket = %s",
                    (calls, name),
                )

    @api.model
    def _rate_headers(self, buckets, left):
        """The rate-limit headers of a call: every policy, and the state of
        the bucket nearest to empty."""
        shown = [(b, t) for b, t in zip(buckets, left, strict=False) if not b.get("unlimited")]
        buckets, left = [b for b, _t in shown], [t for _b, t in shown]
        policies = ", ".join(f'"{b["policy"]}";q={b["quota"]};w={b["window"]}' for b in buckets)
        states = []
        for bucket, tokens in zip(buckets, left, strict=False):
            rate = bucket["quota"] / bucket["window"]
            reset = math.ceil((bucket["quota"] - max(tokens, 0)) / rate)
            states.append((max(int(tokens), 0), -reset, bucket))
        remaining, reset, bucket = min(states, key=lambda s: s[:2])
        reset = -reset
        headers = [
            ("RateLimit-Policy", policies),
            ("RateLimit", f'"{bucket["policy"]}";r={remaining};t={reset}'),
            ("X-RateLimit-Limit", str(bucket["quota"])),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset)),
        ]
        return headers, bucket

    @api.model
    def _retry_after(self, bucket, tokens):
        """Seconds until ``bucket`` (holding ``tokens``) has one token again."""
        rate = bucket["quota"] / bucket["window"]
        return max(math.ceil((1 - tokens) / rate), 1)
