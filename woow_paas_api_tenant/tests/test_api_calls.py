"""API calls of a credential acting for a tenant: a bucket per tenant rated
from the plan's api_calls limit, the calls counted toward the tenant's quota
by the cron (not by the request), a used-up quota answering 429."""

import os
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase
from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase

REDIS_URL = os.environ.get("WOOW_REDIS_URL", "redis://127.0.0.1:6379/0")


@tagged("post_install", "-at_install")
class TestApiCalls(WoowPaasApiCase, WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 7,200 calls a month: the tenant's bucket holds 10 an hour.
        cls._plan_limit(cls.plan_monthly, "api_calls", 7200)
        cls.tenant_a._paas_quota_sync()
        cls.tenant_key = cls._key(cls.portal_a, "wpk_tenantky_secret_0123456",
                                  scopes="plans:read", paas_tenant_id=cls.tenant_a.id)  # fmt: skip
        cls.Bucket = cls.env["woow.paas.api.rate.bucket"].sudo()

    def setUp(self):
        super().setUp()
        self.Bucket._pop_call_counts()  # counts of other tests' calls

    def _line(self, tenant=None):
        return (tenant or self.tenant_a).quota_ids.filtered(
            lambda q: q.resource_code == "api_calls"
        )

    def _calls(self, count, key=None):
        return [self.api("GET", "/api/v1/plans", key or self.tenant_key) for _i in range(count)]

    def _check_tenant_bucket_and_count(self):
        answers = self._calls(11)
        self.assertEqual([a.status_code for a in answers], [200] * 10 + [429])
        self.assertEqual(answers[0].headers["RateLimit-Policy"],
                         '"credential";q=600;w=60, "tenant";q=10;w=3600')  # fmt: skip
        # The tenant's bucket is the nearest to empty: it is the one shown.
        self.assertEqual(answers[0].headers["X-RateLimit-Limit"], "10")
        self.assertEqual(answers[9].headers["X-RateLimit-Remaining"], "0")
        refused = self.assertProblem(answers[10], 429)
        self.assertIn("10 per hour (tenant)", refused["detail"])
        self.assertGreaterEqual(int(answers[10].headers["Retry-After"]), 300)
        # The requests wrote nothing on the quota line: the cron counts them.
        self.assertEqual(self._line().usage, 0)
        self.assertEqual(self.Bucket._cron_count_api_calls(), {self.tenant_a.id: 10})
        self.assertEqual(self._line().usage, 10)
        self.assertEqual(self.Bucket._cron_count_api_calls(), {})  # counted once
        self.assertEqual(self._line().usage, 10)

    def test_tenant_bucket_and_count_postgresql(self):
        """10 calls an hour pass, the 11th is refused by the tenant's bucket;
        the cron adds the 10 served calls (not the refused one) to the quota."""
        self._check_tenant_bucket_and_count()

    def test_tenant_bucket_and_count_redis(self):
        """The same with the buckets and counters in Redis."""
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for name in client.scan_iter(f"woow_paas_api:{self.env.cr.dbname}:*"):
            client.delete(name)
        self.env["ir.config_parameter"].sudo().set_param("woow_paas_api.redis_url", REDIS_URL)
        self._check_tenant_bucket_and_count()
        self.assertFalse(
            self.Bucket.search([("bucket", "=", f"tenant:{self.tenant_a.id}")]),
            "Redis holds the buckets, not PostgreSQL",
        )

    def test_quota_used_up(self):
        """Once the period's calls reach the limit, calls get a 429 until the
        period ends; thresholds are announced as for any consumption."""
        self._line()._paas_roll_period()
        self._line()._paas_set_usage(7199)
        self.assertEqual(self._calls(1)[0].status_code, 200)
        self.Bucket._cron_count_api_calls()
        self.assertEqual(self._line().usage, 7200)
        self.assertEqual(
            sorted(e.payload["threshold"] for e in self._events(self.tenant_a, "quota.warning")),
            [80, 100],
        )
        refused = self._calls(1)[0]
        problem = self.assertProblem(refused, 429)
        self.assertIn("tenant quota of this period is used up", problem["detail"])
        self.assertEqual(refused.headers["X-RateLimit-Remaining"], "0")
        self.assertGreater(int(refused.headers["Retry-After"]), 0)
        self.assertEqual(self.Bucket._cron_count_api_calls(), {}, "a refused call is not counted")
        # A new period (renewal) starts from zero: calls pass again.
        end = self.sub_a.current_period_end
        self.sub_a.sudo().write(
            {"current_period_start": end, "current_period_end": end + timedelta(days=30)}
        )
        self.assertEqual(self._calls(1)[0].status_code, 200)
        self.Bucket._cron_count_api_calls()
        self.assertEqual(self._line().usage, 1)

    def test_unlimited_and_unbound(self):
        """A tenant without a limit only counts its calls (no tenant policy in
        the headers); a key for no tenant counts toward none."""
        self._plan_limit(self.plan_monthly, "api_calls", 0)
        self._line().write({"use_override": False})
        self.plan_monthly.quota_ids.filtered(lambda q: q.resource_code == "api_calls").unlink()
        self.assertTrue(self._line().is_unlimited)
        answer = self._calls(1)[0]
        self.assertEqual(answer.headers["RateLimit-Policy"], '"credential";q=600;w=60')
        self._calls(2, self.key_a)
        self.assertEqual(self.Bucket._cron_count_api_calls(), {self.tenant_a.id: 1})
        self.assertEqual(self._line().usage, 1)

    def test_oauth_client_for_a_tenant(self):
        """An OAuth2 client acting for a tenant: its tokens' calls count
        toward that tenant too (the client, not the token, names it)."""
        client = self.env["woow.paas.oauth.client"].create(
            {"name": "Tenant app", "user_id": self.portal_a.id, "scopes": "plans:read",
             "paas_tenant_id": self.tenant_a.id}
        )  # fmt: skip
        secret = client.action_generate_secret()["context"]["default_key"]
        answer = self.opener.post(
            self.base_url() + "/oauth2/token", auth=(client.client_id, secret),
            data={"grant_type": "client_credentials", "scope": "plans:read"}, timeout=30,
        )  # fmt: skip
        self.assertEqual(answer.status_code, 200, answer.text)
        token = answer.json()
        answers = self._calls(3, token["access_token"])
        self.assertEqual([a.status_code for a in answers], [200] * 3)
        self.assertIn('"tenant";q=10;w=3600', answers[0].headers["RateLimit-Policy"])
        self.assertEqual(self.Bucket._cron_count_api_calls(), {self.tenant_a.id: 3})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            client.paas_tenant_id = self.tenant_b

    def test_customer_key_for_own_tenants_only(self):
        """A customer's key may not act for another customer's tenant."""
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.key_a.paas_tenant_id = self.tenant_b
        self.operator_key.paas_tenant_id = self.tenant_b  # operators may
