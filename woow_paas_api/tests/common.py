"""Base class for API tests: keys with known secrets and an HTTP client."""

import json

from odoo import models
from odoo.tests import HttpCase

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

ALL_SCOPES = (
    "plans:read subscriptions:read subscriptions:write tenants:read tenants:write events:read"
)


class WoowPaasApiCase(HttpCase, WoowPaasCase):
    """An operator key (PaaS User) and a key for each customer's portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secrets = {}
        cls.operator_key = cls._key(cls.paas_user, "wpk_opertest_secret_0123456789")
        cls.key_a = cls._key(cls.portal_a, "wpk_custatest_secret_0123456789")
        cls.key_b = cls._key(cls.portal_b, "wpk_custbtest_secret_0123456789")

    @classmethod
    def _key(cls, user, secret, scopes=ALL_SCOPES, **vals):
        key = cls.env["woow.paas.api.key"].create(
            {"name": f"Test {user.login}", "user_id": user.id, "scopes": scopes, **vals}
        )
        key._demo_set_secret(secret)
        cls.secrets[key.id] = secret
        return key

    def api(self, method, path, key=None, body=None, headers=None, raw=None):
        """Call the API; ``key`` is a key record, a secret string, or None."""
        secret = self.secrets[key.id] if isinstance(key, models.BaseModel) else key
        all_headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        if body is not None or raw is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.opener.request(
            method, self.base_url() + path, data=data, headers=all_headers, timeout=30
        )
        return response

    def assertProblem(self, response, status):
        self.assertEqual(response.status_code, status, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual(problem["status"], status)
        self.assertTrue(problem["title"])
        return problem
