"""The base case of the /my/api tests."""

import re

from odoo.tests import HttpCase

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
# A public address the SSRF guard accepts; nothing is ever sent to it here
# (the endpoints that tests deliver to are loopback receivers).
PUBLIC_URL = "https://93.184.215.14/hooks"


class PortalApiCase(WoowPaasApiCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Endpoint = cls.env["woow.paas.webhook.endpoint"]
        Delivery = cls.env["woow.paas.webhook.delivery"]
        cls.client_a = cls.env["woow.paas.oauth.client"].create(
            {"name": "A's app", "user_id": cls.portal_a.id}
        )
        cls.client_b = cls.env["woow.paas.oauth.client"].create(
            {"name": "B's app", "user_id": cls.portal_b.id}
        )
        # Loopback targets (allowed by the operator): nothing listens on port 9.
        cls.endpoint_a = Endpoint.create(
            {"url": "http://127.0.0.1:9/a", "user_id": cls.portal_a.id,
             "allow_private_network": True, "description": "A's receiver"}
        )  # fmt: skip
        cls.endpoint_b = Endpoint.create(
            {"url": "http://127.0.0.1:9/b", "user_id": cls.portal_b.id,
             "allow_private_network": True, "description": "B's receiver"}
        )  # fmt: skip
        cls.delivery_a = Delivery.create(
            {"endpoint_id": cls.endpoint_a.id, "webhook_id": "msg_portal_a", "state": "failed",
             "attempts": 8, "last_status_code": 500}
        )  # fmt: skip
        cls.delivery_b = Delivery.create(
            {"endpoint_id": cls.endpoint_b.id, "webhook_id": "msg_portal_b", "state": "failed",
             "attempts": 8, "last_status_code": 500}
        )  # fmt: skip

    def _form(self, url):
        """GET a page with a form: its CSRF token and nonce."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        nonce = NONCE_RE.search(response.text)
        return {
            "csrf_token": CSRF_RE.search(response.text).group(1),
            **({"nonce": nonce.group(1)} if nonce else {}),
        }

    def _post(self, url, data, form_url=None):
        fields_ = self._form(form_url or url)
        return self.url_open(url, data={**fields_, **data}, allow_redirects=False)
