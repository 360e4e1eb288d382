import re
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged
from odoo.tests.common import _super_send

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


@tagged("post_install", "-at_install")
class TestPortalApiWebhooks(PortalApiCase):
    def test_create_endpoint_shows_secret_once(self):
        self.authenticate("test_portal_a", "test_portal_a")
        data = {"url": PUBLIC_URL, "event_types": "tenant.*, invoice.paid",
                "description": "Prod", "enabled": "on"}  # fmt: skip
        form = self._form("/my/api/webhooks/new")
        response = self.url_open("/my/api/webhooks/new", data={**form, **data})
        self.assertEqual(response.status_code, 200)
        endpoint = self.env["woow.paas.webhook.endpoint"].search([("url", "=", PUBLIC_URL)])
        self.assertEqual(endpoint.user_id, self.portal_a)
        self.assertEqual(endpoint.event_types, "tenant.* invoice.paid")
        self.assertFalse(endpoint.allow_private_network)
        self.assertTrue(endpoint.secret_shown)
        self.assertIn(endpoint.sudo().secret, response.text)
        again = self.url_open("/my/api/webhooks/new", data={**form, **data}, allow_redirects=False)
        self.assertEqual(again.status_code, 303)
        self.assertEqual(
            self.env["woow.paas.webhook.endpoint"].search_count([("url", "=", PUBLIC_URL)]), 1
        )
        page = self.url_open(f"/my/api/webhooks/{endpoint.id}").text
        self.assertNotIn(endpoint.sudo().secret, page)

    def test_endpoint_errors_beside_fields(self):
        """The API layer's SSRF guard and pattern check answer beside the field."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._post(
            "/my/api/webhooks/new",
            {"url": "http://127.0.0.1:8069/web", "event_types": "tenant.$bad"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertRegex(response.text, r'id="url_error"[^>]*>[^<]*(private|loopback|not public)')
        self.assertRegex(response.text, r'id="event_types_error"[^>]*>tenant\.\$bad')
        response = self._post("/my/api/webhooks/new", {"url": "ftp://example.com/x"})
        self.assertEqual(response.status_code, 422)
        self.assertIn('id="url_error"', response.text)
        self.assertFalse(
            self.env["woow.paas.webhook.endpoint"].search([("user_id", "=", self.portal_a.id),
                                                           ("id", "!=", self.endpoint_a.id)])
        )  # fmt: skip

    def test_edit_drops_private_network_permission(self):
        """A customer who changes the URL loses the operator's permission to
        reach private networks: the new URL is checked as any other."""
        self.authenticate("test_portal_a", "test_portal_a")
        url = f"/my/api/webhooks/{self.endpoint_a.id}"
        response = self._post(url, {"url": "http://127.0.0.1:9/other", "enabled": "on"})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.endpoint_a.url, "http://127.0.0.1:9/a")
        response = self._post(
            url, {"url": "http://127.0.0.1:9/a", "event_types": "tenant.*", "enabled": ""}
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.endpoint_a.event_types, "tenant.*")
        self.assertFalse(self.endpoint_a.enabled)
        self.assertTrue(self.endpoint_a.allow_private_network)
        response = self._post(url, {"url": PUBLIC_URL, "enabled": "on"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.endpoint_a.url, PUBLIC_URL)
        self.assertFalse(self.endpoint_a.allow_private_network)

    def test_rotate_once_per_form(self):
        self.authenticate("test_portal_a", "test_portal_a")
        original = self.endpoint_a.sudo().secret
        url = f"/my/api/webhooks/{self.endpoint_a.id}/rotate"
        form = self._form(url)
        response = self.url_open(url, data=form)
        self.assertEqual(response.status_code, 200)
        new = self.endpoint_a.sudo().secret
        self.assertNotEqual(new, original)
        self.assertIn(new, response.text)
        self.assertEqual(self.endpoint_a.sudo().previous_secret, original)
        again = self.url_open(url, data=form, allow_redirects=False)
        self.assertEqual(again.status_code, 303)
        self.assertEqual(self.endpoint_a.sudo().secret, new)
        self.assertEqual(self.endpoint_a.sudo().previous_secret, original)

    def test_redeliver(self):
        self.authenticate("test_portal_a", "test_portal_a")
        csrf = self._form("/my/api/keys/new")
        url = f"/my/api/webhooks/deliveries/{self.delivery_a.id}/redeliver"
        response = self.url_open(url, data=csrf, allow_redirects=False)
        self.assertIn("notice=redelivered", response.headers["Location"])
        self.assertEqual(self.delivery_a.state, "pending")
        self.assertEqual(self.delivery_a.attempts, 0)
        response = self.url_open(url, data=csrf, allow_redirects=False)
        self.assertIn("notice=already_pending", response.headers["Location"])

    def test_delivery_log_is_paged(self):
        Delivery = self.env["woow.paas.webhook.delivery"]
        Delivery.create(
            [{"endpoint_id": self.endpoint_a.id, "webhook_id": f"msg_page_{i}",
              "state": "delivered", "attempts": 1} for i in range(34)]
        )  # fmt: skip
        self.authenticate("test_portal_a", "test_portal_a")
        first = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}").text
        second = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}/page/2").text
        self.assertEqual(first.count("data-delivery-id="), 30)
        self.assertEqual(second.count("data-delivery-id="), 5)
        self.assertIn(f'data-delivery-id="{self.delivery_a.id}"', second)

    def test_delete_endpoint(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._post(f"/my/api/webhooks/{self.endpoint_a.id}/delete", {})
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.endpoint_a.exists())
        self.assertFalse(self.delivery_a.exists())


@tagged("post_install", "-at_install")
class TestPortalApiWebhookEvents(PortalApiCase):
    """The endpoint form offers the platform's event types (the registry of
    woow.paas.event) and stores what is ticked."""

    def _save(self, **data):
        url = f"/my/api/webhooks/{self.endpoint_a.id}"
        fields_ = self._form(url)
        body = {**fields_, "url": self.endpoint_a.url, "enabled": "on"}
        items = list(body.items())
        for name, value in data.items():
            items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        return self.url_open(url, data=items, allow_redirects=False)

    def test_form_lists_the_types_a_customer_receives(self):
        """Every event type concerning a customer is offered with its label
        and its group's wildcard; operators' types are not."""
        types = self.env["woow.paas.event"]._paas_event_types()
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open("/my/api/webhooks/new").text
        for event_type, info in types.items():
            box = f'value="{event_type}"'
            if info["customer"]:
                self.assertIn(box, page)
                self.assertIn(str(info["label"]), page)
            else:
                self.assertNotIn(box, page)
        self.assertIn('value="tenant.*"', page)
        self.assertIn('value="subscription.*"', page)

    def test_ticked_types_are_stored(self):
        """A ticked wildcard covers its group's types; 'every event' stores
        nothing (all, including later types); the page shows the choice."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._save(
            event_scope="some",
            event_types=["tenant.*", "tenant.created", "subscription.cancelled"],
            event_patterns="subscription.*_failed",
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(
            self.endpoint_a.event_types, "tenant.* subscription.cancelled subscription.*_failed"
        )
        page = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}").text
        self.assertRegex(page, r'value="tenant\.\*"[^>]*checked')
        self.assertRegex(page, r'value="subscription\.cancelled"[^>]*checked')
        self.assertNotRegex(page, r'value="subscription\.activated"[^>]*checked')
        self.assertRegex(page, r'name="event_patterns"[^>]*value="subscription\.\*_failed"')
        self.assertRegex(page, r'id="event_scope_some"[^>]*checked')
        response = self._save(event_scope="all", event_types=["tenant.*"])
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.endpoint_a.event_types)

    def test_refused_choices(self):
        """Nothing ticked, a pattern that matches no type the customer
        receives, or an operators' type: refused beside the field."""
        self.authenticate("test_portal_a", "test_portal_a")
        self.endpoint_a.event_types = "tenant.*"
        for data, message in (
            ({"event_scope": "some"}, "Choose at least one event type"),
            ({"event_scope": "some", "event_patterns": "tenant.typo"}, "tenant.typo matches none"),
            ({"event_scope": "some", "event_types": ["plan.updated"]}, "plan.updated matches none"),
        ):  # fmt: skip
            with self.subTest(data=data):
                response = self._save(**data)
                self.assertEqual(response.status_code, 422)
                self.assertRegex(response.text, rf'id="event_types_error"[^>]*>[^<]*{message}')
                self.assertEqual(self.endpoint_a.event_types, "tenant.*")


@tagged("post_install", "-at_install")
class TestPortalApiTestSend(PortalApiCase):
    """Send a test message from the page: a JSON route that queues it, and
    one that tells its result."""

    @classmethod
    def _request_handler(cls, s, r, **kw):
        """Let the worker reach loopback with its own (connect, read) timeouts."""
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def test_owner_sends_and_follows_a_test(self):
        """The owner's POST (with the form's CSRF token) queues one test
        message and answers its status URL; the status says the result in
        words once the worker has tried."""
        self.authenticate("test_portal_a", "test_portal_a")
        csrf = self._form(f"/my/api/webhooks/{self.endpoint_a.id}")
        response = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}/test/json", data=csrf)
        self.assertEqual(response.status_code, 202, response.text[:300])
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        queued = response.json()
        delivery = self.env["woow.paas.webhook.delivery"].browse(queued["id"])
        self.assertEqual((delivery.endpoint_id, delivery.is_test), (self.endpoint_a, True))
        self.assertEqual((queued["state"], queued["done"]), ("pending", False))
        self.assertIn("Queued", queued["message"])
        # Nothing listens on port 9: the worker's attempt is refused.
        delivery._deliver()
        status = self.url_open(queued["status_url"]).json()
        self.assertEqual((status["state"], status["done"], status["delivered"]),
                         ("failed", True, False))  # fmt: skip
        self.assertEqual(status["message"], "Could not connect: connection refused.")

    def test_other_customer_gets_404(self):
        """Another customer's endpoint or delivery answers 404, and nothing
        is queued."""
        delivery = self.env["woow.paas.webhook.delivery"].create(
            {"endpoint_id": self.endpoint_a.id, "webhook_id": "msg_test_a", "is_test": True}
        )
        self.authenticate("test_portal_b", "test_portal_b")
        csrf = self._form(f"/my/api/webhooks/{self.endpoint_b.id}")
        response = self.url_open(f"/my/api/webhooks/{self.endpoint_a.id}/test/json", data=csrf)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"error": "not_found"})
        response = self.url_open(f"/my/api/webhooks/deliveries/{delivery.id}/status")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.env["woow.paas.webhook.delivery"].search_count(
                [("endpoint_id", "=", self.endpoint_a.id), ("is_test", "=", True)]
            ),
            1,
        )

    def test_without_csrf_or_session(self):
        """Without the CSRF token the POST is refused; without a session the
        routes send to the login page; nothing is queued."""
        url = f"/my/api/webhooks/{self.endpoint_a.id}/test/json"
        response = self.url_open(url, data={"x": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(url, data={"x": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["woow.paas.webhook.delivery"].search(
                [("endpoint_id", "=", self.endpoint_a.id), ("is_test", "=", True)]
            )
        )
