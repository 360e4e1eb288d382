"""Rate limits on both backends, PostgreSQL (the default) and Redis (when
configured), against the real servers: the same token-bucket semantics."""

import os
import time

from odoo.tests import tagged

from .common import WoowPaasApiCase

REDIS_URL = os.environ.get("WOOW_REDIS_URL", "redis://127.0.0.1:6379/0")


@tagged("post_install", "-at_install")
class TestRateLimitBackends(WoowPaasApiCase):
    def _use_redis(self):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.ConnectionError:
            self.fail(f"no Redis server at {REDIS_URL}: start one or set WOOW_REDIS_URL")
        # Keys of earlier runs on this database would skew the buckets.
        for name in client.scan_iter(f"woow_paas_api:{self.env.cr.dbname}:*"):
            client.delete(name)
        self.env["ir.config_parameter"].sudo().set_param("woow_paas_api.redis_url", REDIS_URL)
        return client

    def _check_bucket(self, secret):
        limited = self._key(self.paas_user, secret, rate_limit=3)
        answers = [self.api("GET", "/api/v1/plans", limited) for _i in range(4)]
        self.assertEqual([a.status_code for a in answers], [200, 200, 200, 429])
        self.assertEqual(
            [a.headers["X-RateLimit-Remaining"] for a in answers], ["2", "1", "0", "0"]
        )
        self.assertEqual(answers[0].headers["RateLimit-Policy"], '"credential";q=3;w=60')
        refused = self.assertProblem(answers[3], 429)
        self.assertIn("3 per minute", refused["detail"])
        # 3 a minute: one token every 20 s.
        self.assertTrue(1 <= int(answers[3].headers["Retry-After"]) <= 20)
        return limited

    def test_postgresql_bucket(self):
        """By default buckets are rows of PostgreSQL (and Redis is untouched)."""
        limited = self._check_bucket("wpk_pgbucket_key_0123456789")
        row = self.env["woow.paas.api.rate.bucket"].search([("bucket", "=", f"key:{limited.id}")])
        self.assertEqual(len(row), 1)
        self.assertLess(row.tokens, 1)

    def test_redis_bucket(self):
        """With a Redis URL, buckets live in Redis: the same answers, and no
        row in PostgreSQL."""
        client = self._use_redis()
        limited = self._check_bucket("wpk_redisbkt_key_0123456789")
        prefix = f"woow_paas_api:{self.env.cr.dbname}:"
        self.assertLess(float(client.hget(f"{prefix}bucket:key:{limited.id}", "tokens")), 1)
        self.assertGreater(client.ttl(f"{prefix}bucket:key:{limited.id}"), 0)
        self.assertFalse(
            self.env["woow.paas.api.rate.bucket"].search([("bucket", "=", f"key:{limited.id}")])
        )

    def _check_refill_and_counts(self):
        Bucket = self.env["woow.paas.api.rate.bucket"].sudo()
        stamp = time.time()
        hourly = {"name": f"hourly:{stamp}", "policy": "test", "quota": 60, "window": 3600,
                  "count": True}  # fmt: skip
        Bucket._pop_call_counts()
        for _i in range(60):
            self.assertTrue(Bucket._take_buckets([hourly])[0])
        allowed, left = Bucket._take_buckets([hourly])
        self.assertFalse(allowed)
        self.assertLess(left[0], 1)
        # Two a second: empty, then a token back after a second.
        fast = {"name": f"fast:{stamp}", "policy": "test", "quota": 2, "window": 1}
        Bucket._take_buckets([fast])
        Bucket._take_buckets([fast])
        time.sleep(1.1)
        self.assertTrue(Bucket._take_buckets([fast])[0])
        counts = Bucket._pop_call_counts()
        self.assertEqual(counts[hourly["name"]], 60, "refused calls are not counted")
        self.assertNotIn(fast["name"], counts, "a bucket counts only when asked")
        self.assertNotIn(hourly["name"], Bucket._pop_call_counts())  # handed over once

    def test_postgresql_refill_and_counts(self):
        """Tokens come back with time; counted calls are handed over once."""
        self._check_refill_and_counts()

    def test_redis_refill_and_counts(self):
        """The same on Redis."""
        self._use_redis()
        self._check_refill_and_counts()

    def test_redis_refused_call_takes_nothing(self):
        """On Redis a call passes only when every bucket has a token; a
        refused one takes from none of them and is not counted."""
        self._use_redis()
        Bucket = self.env["woow.paas.api.rate.bucket"].sudo()
        stamp = time.time()
        roomy = {"name": f"roomy:{stamp}", "policy": "a", "quota": 100, "window": 60, "count": True}
        tight = {"name": f"tight:{stamp}", "policy": "b", "quota": 1, "window": 3600}
        Bucket._pop_call_counts()
        self.assertTrue(Bucket._take_buckets([roomy, tight])[0])
        allowed, left = Bucket._take_buckets([roomy, tight])
        self.assertFalse(allowed)
        self.assertAlmostEqual(left[0], 99, delta=0.5)
        self.assertEqual(Bucket._pop_call_counts(), {roomy["name"]: 1})
