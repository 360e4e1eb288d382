from urllib.parse import urlsplit

from odoo.tests import tagged
from odoo.tests.common import _super_send

from .portal_api_common import PUBLIC_URL, PortalApiCase


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
