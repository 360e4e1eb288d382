from odoo.tests import tagged

from .common import WoowPaasApiCase

NESTED = """
query {
  subscriptions(first: 20) {
    reference state plan { code }
    tenants { code state plan { code } subscription { reference } }
  }
}
"""


@tagged("post_install", "-at_install")
class TestGraphql(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subs = cls.env["woow.paas.subscription"]
        for index in range(4):
            sub = cls._subscription(partner=cls.customer_a if index % 2 else cls.customer_b)
            sub.action_activate()
            cls._tenant(f"gql-{index}", sub).action_provision()
            cls.subs |= sub

    def _query(self, key, query, **extra):
        return self.api("POST", "/api/graphql", key, {"query": query, **extra})

    def test_customer_sees_its_own(self):
        """A customer's key reads its own subscriptions and their tenants only."""
        answer = self._query(self.key_a, NESTED)
        self.assertEqual(answer.status_code, 200, answer.text)
        subs = answer.json()["data"]["subscriptions"]
        own = self.subs.filtered(lambda s: s.partner_id == self.customer_a)
        self.assertEqual({s["reference"] for s in subs}, set(own.mapped("name")))
        codes = {t["code"] for s in subs for t in s["tenants"]}
        self.assertEqual(codes, {"gql-1", "gql-3"})

    def test_nested_lists_without_n_plus_one(self):
        """Nested tenants, plans and back-links cost the same number of queries
        for 2 and for 4 subscriptions."""
        counts = []
        self._query(self.operator_key, NESTED)  # warm the credential, bucket and caches
        for first in (2, 4):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            answer = self._query(self.operator_key, NESTED.replace("first: 20", f"first: {first}"))
            self.assertEqual(answer.status_code, 200, answer.text)
            self.assertEqual(len(answer.json()["data"]["subscriptions"]), first)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertGreater(counts[0], 0)
        self.assertEqual(counts[0], counts[1], counts)

    def test_limits_and_refusals(self):
        """Too deep, too costly, mutations, bad syntax and missing scopes are refused."""
        deep = "query { tenants { subscription { tenants { subscription { tenants { subscription { tenants { code } } } } } } } }"  # noqa: E501
        cases = {
            deep: "levels deep",
            "query { subscriptions(first: 100) { tenants { code } } events(first: 100) { id } tenants(first: 100) { subscription { tenants { code } } } }": "records",  # noqa: E501
            "mutation { x }": None,
            "query { nope }": None,
            "query {": "not valid GraphQL",
        }
        for query, expected in cases.items():
            with self.subTest(query=query[:30]):
                problem = self.assertProblem(self._query(self.operator_key, query), 400)
                if expected:
                    self.assertIn(expected, problem["detail"])
        narrow = self._key(self.paas_user, "wpk_gqlntest_key_0123456789", scopes="plans:read")
        self.assertProblem(self._query(narrow, "query { tenants { code } }"), 403)
        self.assertEqual(self._query(narrow, "query { plans { code } }").status_code, 200)

    def test_schema_published(self):
        """The schema is published as SDL."""
        schema = self.api("GET", "/api/graphql/schema")
        self.assertEqual(schema.status_code, 200)
        self.assertIn("type Subscription", schema.text)
