"""Every route of the OpenAPI document, fed bad input: never a 500, and
every error a problem+json (RFC 9457).

Two passes, both bounded: hand-written bad values (deep JSON, NUL in path,
query and body text, integers beyond PostgreSQL's, moments UTC cannot hold,
wrong types) for each parameter and body field of each route, with a
customer's and an operator's credential; then a few hundred cases that
schemathesis generates from the document (valid and invalid ones).
"""

import json
import logging
import time

from odoo.tests import tagged

from ..models.const import SCOPES
from .common import WoowPaasApiCase

_logger = logging.getLogger(__name__)

DEEP = "[" * 5000 + "]" * 5000
# Values a path or query parameter receives, as they appear in the URL.
BAD_URL_VALUES = [
    "%00", "a%00b", "%FF%FE", "99999999999999999999999", "-1", "1e400",
    "0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00",
]  # fmt: skip
# Values a body field receives.
BAD_VALUES = [
    "a\x00b", "\ud800", "0001-01-01T00:00:00+14:00", 2**64, 2**31, 1e308, None, {"x": [[]]},
    {"nested": json.loads("[" * 40 + "]" * 40)},
]  # fmt: skip
# Whole bodies, raw.
BAD_BODIES = [DEEP, "null", "[]", '"\\u0000"', "{", '{"a": NaN}', "1e400", "{}", b"\xff\xfe"]
SCHEMATHESIS_CASES = 300


@tagged("post_install", "-at_install")
class TestFuzz(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        scopes = " ".join(SCOPES)
        # billing:read needs read access to invoices (where billing is installed).
        readonly = cls.env.ref("account.group_account_readonly", raise_if_not_found=False)
        if readonly:
            cls.paas_manager.group_ids += readonly
        cls.fuzz_keys = [
            cls._key(cls.portal_a, "wpk_fuzzcust_secret_0123456", scopes=scopes,
                     rate_limit=1000000),
            cls._key(cls.paas_manager, "wpk_fuzzoper_secret_0123456", scopes=scopes,
                     rate_limit=1000000),
        ]  # fmt: skip
        cls.plan_monthly.portal_self_suspend = True
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_a.action_activate()
        cls.tenant_a = cls._tenant("fuzz-tenant-a", cls.sub_a)
        cls.tenant_a.action_provision()
        cls.endpoint = (
            cls.env["woow.paas.webhook.endpoint"]
            .sudo()
            .create({"url": "https://93.184.215.14/hook", "user_id": cls.portal_a.id})
        )

    def setUp(self):
        super().setUp()
        self.failures = []
        self.requests = 0
        doc = self.api("GET", "/api/v1/openapi.json").json()
        self.doc = doc
        self.operations = sorted(
            ((path, method, op) for path, item in doc["paths"].items()
             for method, op in item.items()),
            key=lambda row: row[1] == "delete",  # deletions last: they remove the fixtures
        )  # fmt: skip

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _send(self, key, method, url, raw=None, content_type="application/json"):
        headers = {"Authorization": f"Bearer {self.secrets[key.id]}"}
        if raw is not None:
            headers["Content-Type"] = content_type
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        response = self.opener.request(
            method.upper(), self.base_url() + url, data=data, headers=headers, timeout=30
        )
        self.requests += 1
        self._check(response, f"{key.name}: {method.upper()} {url[:200]} {(raw or '')[:120]!r}")
        return response

    def _check(self, response, what):
        status = response.status_code
        # requests' headers, or schemathesis' (lowercase keys, list values).
        media = response.headers.get("Content-Type") or response.headers.get("content-type")
        media = media[0] if isinstance(media, list) else media
        if status >= 500 and status != 503:
            self.failures.append(f"{status} for {what}: {response.text[:300]}")
        elif status >= 400 and media != "application/problem+json":
            self.failures.append(f"{status} not problem+json ({media}) for {what}")

    def _resolve(self, schema):
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _path(self, path, values):
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return path

    def _good_path_values(self, op):
        """Ids of records that exist, so that bad bodies and queries reach
        the route itself rather than its 404."""
        known = {
            "tenant_id": self.tenant_a.id, "sub_id": self.sub_a.id,
            "endpoint_id": self.endpoint.id, "plan_id": self.plan_monthly.id,
        }  # fmt: skip
        return {
            p["name"]: str(known.get(p["name"], 1))
            for p in op.get("parameters", [])
            if p["in"] == "path"
        }

    def _body_fields(self, op):
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            return None, {}
        schema = self._resolve(content["schema"])
        base = {}
        for name in schema.get("required", []):
            prop = self._resolve(schema["properties"][name])
            kind = prop.get("type") or next(
                (a.get("type") for a in prop.get("anyOf", []) if a.get("type") != "null"), None
            )
            base[name] = {"integer": 1, "number": 1, "boolean": True, "array": [],
                          "object": {}}.get(kind, "fuzz-value")  # fmt: skip
        return base, schema.get("properties", {})

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_fuzz_every_route(self):
        """Bad path, query and body values on every route, sent in turn with
        the customer's and the operator's credential: no 500, problem+json
        errors."""
        started = time.monotonic()
        for path, method, op in self.operations:
            good = self._good_path_values(op)
            base, properties = self._body_fields(op)
            body = json.dumps(base) if base is not None else None
            queries = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            url = self._path(path, good)
            requests = []
            for name in good:  # path parameters, one at a time
                requests += [(self._path(path, {**good, name: value}), body)
                             for value in BAD_URL_VALUES]  # fmt: skip
            for name in [*queries, "unknown"]:  # query parameters, one at a time
                requests += [(f"{url}?{name}={value}", body) for value in BAD_URL_VALUES]
            if base is not None:  # body fields, one at a time, then whole bodies
                for name in properties:
                    requests += [(url, json.dumps({**base, name: value})) for value in BAD_VALUES]
                requests += [(url, raw) for raw in BAD_BODIES]
            for index, (target, raw) in enumerate(requests):
                self._send(self.fuzz_keys[index % 2], method, target, raw)
            if base is not None:
                self._send(self.fuzz_keys[0], method, url, body, content_type="text/plain")
        self.assertFalse(self.failures, "\n".join(self.failures[:30]))
        # Bounded by construction: about 2,000 requests, some 25 s.
        _logger.info("Fuzzed %s requests in %.1f s", self.requests, time.monotonic() - started)

    def test_fuzz_oauth_endpoints(self):
        """The OAuth2 endpoints answer NUL and garbage with an OAuth2 error, not a 500."""
        for path in ("/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"):
            for data in ({"grant_type": "client_credentials", "client_id": "a\x00b",
                          "client_secret": "x\x00"},
                         {"token": "wat_\x00", "client_id": "a\x00b"},
                         {"grant_type": "refresh_token", "refresh_token": "wrt_\x00",
                          "client_id": "\x00"}):  # fmt: skip
                response = self.opener.post(self.base_url() + path, data=data, timeout=30)
                self.assertLess(response.status_code, 500, f"{path} {data}: {response.text}")
                response = self.opener.post(
                    self.base_url() + path, data=data, auth=("a\x00b", "x\x00y"), timeout=30
                )
                self.assertLess(response.status_code, 500, f"{path} {data}: {response.text}")

    def test_schemathesis(self):
        """A few hundred cases schemathesis generates from the document,
        valid and invalid, for both credentials: no 500, problem+json errors."""
        import schemathesis
        from hypothesis import HealthCheck, Phase, given, settings
        from schemathesis.generation.modes import GenerationMode

        schema = schemathesis.openapi.from_dict(self.doc)
        strategy = schema.as_strategy(GenerationMode.NEGATIVE) | schema.as_strategy()
        keys = self.fuzz_keys
        started = time.monotonic()

        @settings(max_examples=SCHEMATHESIS_CASES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy)
        def run(case):
            key = keys[self.requests % len(keys)]
            self.requests += 1
            if case.method.upper() == "DELETE":
                return  # would remove the fixtures the other cases need
            response = case.call(
                base_url=self.base_url(), session=self.opener,
                headers={"Authorization": f"Bearer {self.secrets[key.id]}"}, timeout=30,
            )  # fmt: skip
            self._check(response, f"{key.name}: {case.method} {case.formatted_path} "
                                  f"{case.query!r} {str(case.body)[:200]}")  # fmt: skip

        run()
        self.assertFalse(self.failures, "\n".join(self.failures[:30]))
        _logger.info("Ran %s schemathesis cases in %.1f s", self.requests,
                     time.monotonic() - started)  # fmt: skip
