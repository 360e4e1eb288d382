import re

from odoo.tests import tagged

from .portal_api_common import PortalApiCase


@tagged("post_install", "-at_install")
class TestPortalApiAccess(PortalApiCase):
    def _pages(self, own):
        key, client, endpoint, delivery = own
        return [
            "/my/api",
            "/my/api/keys/new",
            "/my/api/oauth/new",
            "/my/api/webhooks/new",
            f"/my/api/keys/{key.id}/revoke",
            f"/my/api/oauth/{client.id}/delete",
            f"/my/api/webhooks/{endpoint.id}",
            f"/my/api/webhooks/{endpoint.id}/page/2",
            f"/my/api/webhooks/{endpoint.id}/rotate",
            f"/my/api/webhooks/{endpoint.id}/delete",
            f"/my/api/webhooks/deliveries/{delivery.id}",
        ]

    def test_owner_sees_own_items_only(self):
        """The owner's pages answer 200 and list only the owner's items."""
        own = (self.key_a, self.client_a, self.endpoint_a, self.delivery_a)
        self.authenticate("test_portal_a", "test_portal_a")
        for url in self._pages(own):
            self.assertEqual(self.url_open(url).status_code, 200, url)
        page = self.url_open("/my/api").text
        for mine in (self.key_a.name, self.client_a.client_id, self.endpoint_a.url):
            self.assertIn(mine, page)
        for theirs in (self.key_b.name, self.client_b.client_id, self.endpoint_b.url):
            self.assertNotIn(theirs, page)
        self.assertIn(self.key_a.lookup, page)
        self.assertNotIn(self.secrets[self.key_a.id], page)
        log = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}").text
        self.assertIn(f"/my/api/webhooks/deliveries/{self.delivery_a.id}", log)

    def test_other_customer_gets_404(self):
        """Every page and action on another customer's item answers 404 and
        changes nothing."""
        own = (self.key_a, self.client_a, self.endpoint_a, self.delivery_a)
        self.authenticate("test_portal_b", "test_portal_b")
        for url in self._pages(own)[4:]:
            self.assertEqual(self.url_open(url).status_code, 404, url)
        csrf = self._form("/my/api/keys/new")
        for url in (
            f"/my/api/keys/{self.key_a.id}/revoke",
            f"/my/api/oauth/{self.client_a.id}/delete",
            f"/my/api/webhooks/{self.endpoint_a.id}",
            f"/my/api/webhooks/{self.endpoint_a.id}/rotate",
            f"/my/api/webhooks/{self.endpoint_a.id}/test",
            f"/my/api/webhooks/{self.endpoint_a.id}/delete",
            f"/my/api/webhooks/deliveries/{self.delivery_a.id}/redeliver",
        ):
            response = self.url_open(
                url, data={**csrf, "url": "http://127.0.0.1:9/x"}, allow_redirects=False
            )
            self.assertEqual(response.status_code, 404, url)
        self.assertFalse(self.key_a.revoked_at)
        self.assertTrue(self.client_a.exists())
        self.assertEqual(self.endpoint_a.url, "http://127.0.0.1:9/a")
        self.assertFalse(self.endpoint_a.previous_secret_expires_at)
        self.assertEqual(self.delivery_a.state, "failed")
        self.assertFalse(
            self.env["woow.paas.webhook.delivery"].search(
                [("endpoint_id", "=", self.endpoint_a.id), ("is_test", "=", True)]
            )
        )

    def test_public_user_is_sent_to_login(self):
        own = (self.key_a, self.client_a, self.endpoint_a, self.delivery_a)
        for url in self._pages(own):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])

    def test_home_counter(self):
        """The /my card counts live keys, clients and endpoints."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(
            "/my/counters",
            data='{"params": {"counters": ["paas_api_count"]}}',
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"], {"paas_api_count": 3})
        self.assertIn('data-placeholder_count="paas_api_count"', self.url_open("/my").text)


@tagged("post_install", "-at_install")
class TestPortalApiKeys(PortalApiCase):
    def test_create_key_shows_secret_once(self):
        """The secret is on the page that follows creation, works, and a
        second submission of the same form creates nothing."""
        self.authenticate("test_portal_a", "test_portal_a")
        form = self._form("/my/api/keys/new")
        data = {**form, "name": "Deploys", "scopes": ["plans:read", "tenants:read"],
                "expires_on": "2099-12-31"}  # fmt: skip
        response = self.url_open("/my/api/keys/new", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        secret = re.search(r'value="(wpk_[^"]+)"', response.text).group(1)
        key = self.env["woow.paas.api.key"].search([("name", "=", "Deploys")])
        self.assertEqual(len(key), 1)
        self.assertEqual(key.user_id, self.portal_a)
        self.assertEqual(key.scopes, "plans:read tenants:read")
        self.assertEqual(str(key.expires_at), "2099-12-31 23:59:59")
        self.assertEqual(self.api("GET", "/api/v1/plans", key=secret).status_code, 200)
        # A double click, a refresh or the back button posts the same form again.
        again = self.url_open("/my/api/keys/new", data=data, allow_redirects=False)
        self.assertEqual(again.status_code, 303)
        self.assertIn("notice=already_done", again.headers["Location"])
        self.assertNotIn("wpk_", again.text)
        self.assertEqual(self.env["woow.paas.api.key"].search_count([("name", "=", "Deploys")]), 1)
        self.assertNotIn(secret, self.url_open("/my/api").text)

    def test_create_key_errors_beside_fields(self):
        """Bad input re-renders the form with a message beside each field, and
        creates nothing."""
        self.authenticate("test_portal_a", "test_portal_a")
        form = self._form("/my/api/keys/new")
        response = self.url_open(
            "/my/api/keys/new",
            data={**form, "name": "", "scopes": ["plans:read", "root:everything"],
                  "expires_on": "2001-01-01"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        for field, text in (
            ("name", "This field is required."),
            ("scopes", "Unknown scopes: root:everything."),
            ("expires_on", "The expiry date must be in the future."),
        ):
            self.assertRegex(response.text, rf'id="{field}_error"[^>]*>{re.escape(text)}')
        response = self.url_open(
            "/my/api/keys/new", data={"csrf_token": form["csrf_token"], "name": "No nonce",
                                      "scopes": "plans:read"}
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertIn("The form has expired", response.text)
        self.assertFalse(
            self.env["woow.paas.api.key"].search([("user_id", "=", self.portal_a.id),
                                                  ("id", "!=", self.key_a.id)])
        )  # fmt: skip

    def test_post_without_csrf_is_refused(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/api/keys/{self.key_a.id}/revoke", data={"nonce": "x" * 20})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.key_a.revoked_at)

    def test_revoke(self):
        """After the confirmation, the key is revoked and refused by the API."""
        self.authenticate("test_portal_a", "test_portal_a")
        self.assertEqual(self.api("GET", "/api/v1/plans", key=self.key_a).status_code, 200)
        response = self._post(f"/my/api/keys/{self.key_a.id}/revoke", {})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.key_a.revoked_at)
        self.assertEqual(self.api("GET", "/api/v1/plans", key=self.key_a).status_code, 401)

    def test_portal_user_cannot_unrevoke_over_rpc(self):
        """The portal writes through the API layer's methods: the user has no
        write access of their own, so RPC cannot revive a revoked key."""
        self.key_a.action_revoke()
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(
            "/web/dataset/call_kw/woow.paas.api.key/write",
            data=(
                '{"params": {"model": "woow.paas.api.key", "method": "write", "args": '
                f'[[{self.key_a.id}], {{"revoked_at": false}}], "kwargs": {{}}}}}}'
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("error", response.json())
        self.assertTrue(self.key_a.revoked_at)


@tagged("post_install", "-at_install")
class TestPortalApiClients(PortalApiCase):
    def test_register_confidential_and_public(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._post(
            "/my/api/oauth/new",
            {"name": "Billing sync", "client_type": "confidential", "scopes": "billing:read"},
        )
        self.assertEqual(response.status_code, 200)
        client = self.env["woow.paas.oauth.client"].search([("name", "=", "Billing sync")])
        self.assertEqual(client.user_id, self.portal_a)
        self.assertIn(client.client_id, response.text)
        secret = re.search(r'value="(wcs_[^"]+)"', response.text).group(1)
        self.assertTrue(client._check_secret(secret))
        response = self._post(
            "/my/api/oauth/new",
            {"name": "SPA", "client_type": "public", "scopes": "tenants:read",
             "redirect_uris": "https://app.example.com/cb"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("wcs_", response.text)
        self.assertIn("uses PKCE", response.text)

    def test_register_errors_beside_fields(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._post(
            "/my/api/oauth/new",
            {"name": "SPA", "client_type": "public", "scopes": "tenants:read",
             "redirect_uris": "http://evil.example.com/cb"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertRegex(response.text, r'id="redirect_uris_error"[^>]*>Redirect URI .* https')
        response = self._post(
            "/my/api/oauth/new", {"name": "SPA", "client_type": "public", "scopes": "tenants:read"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn('id="redirect_uris_error"', response.text)
        self.assertFalse(self.env["woow.paas.oauth.client"].search([("name", "=", "SPA")]))

    def test_delete_revokes_tokens(self):
        access, _refresh = self.env["woow.paas.oauth.token"]._issue(
            self.client_a, self.portal_a, "plans:read", with_refresh=True
        )
        self.assertEqual(self.api("GET", "/api/v1/plans", key=access).status_code, 200)
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._post(f"/my/api/oauth/{self.client_a.id}/delete", {})
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.client_a.exists())
        self.assertEqual(self.api("GET", "/api/v1/plans", key=access).status_code, 401)
