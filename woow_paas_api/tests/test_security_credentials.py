"""Attacks on API credentials and webhook endpoints: each is refused, writes
nothing, emits nothing and sends nothing to a loopback listener."""

import json
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.const import SCOPES
from ..tools import webhook as wh
from .common import WoowPaasApiCase
from .webhook_common import WoowPaasWebhookCase
from .webhook_receiver import Receiver

PUBLIC_URL = "https://93.184.215.14/hook"
DELIVERY_LOGGER = "odoo.addons.woow_paas_api.models.woow_paas_webhook_delivery"


class CredentialAttackCase(WoowPaasWebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.company_b = cls.env["res.company"].create({"name": "Other Platform Co"})
        cls.Key = cls.env["woow.paas.api.key"]
        cls.Client = cls.env["woow.paas.oauth.client"]

    def _own_records(self, user):
        """A key, an OAuth2 client and a webhook endpoint that ``user``
        created for itself."""
        return (
            self.Key.with_user(user).create({"name": "Mine", "scopes": "tenants:read"}),
            self.Client.with_user(user).create({"name": "My app", "scopes": "tenants:read"}),
            self.Endpoint.with_user(user).create({"url": PUBLIC_URL}),
        )


@tagged("post_install", "-at_install")
class TestCredentialOwner(CredentialAttackCase):
    def test_paas_user_cannot_hand_its_credentials_to_an_administrator(self):
        """A PaaS User's write of another owner (with wider scopes) on its own
        key, client or endpoint is refused: the record stays its own."""
        for record in self._own_records(self.paas_user):
            for vals in (
                {"user_id": self.admin.id},
                {"user_id": self.admin.id, "scopes": " ".join(SCOPES)},
                {"user_id": self.portal_b.id},
            ):
                if "scopes" in vals and "scopes" not in record._fields:
                    continue
                with self.subTest(model=record._name, vals=vals), self.assertRaises(AccessError):
                    record.write(vals)
            record.invalidate_recordset()
            self.assertEqual(record.sudo().user_id, self.paas_user)
            if "scopes" in record._fields:
                self.assertEqual(record.sudo().scopes, "tenants:read")

    def test_paas_user_cannot_create_for_another_owner(self):
        """Creating (or copying into) a credential for someone else is refused
        up front, with the reason, not only by the record rule once inserted."""
        vals_by_model = {
            "woow.paas.api.key": {"name": "For admin", "scopes": "tenants:read"},
            "woow.paas.oauth.client": {"name": "For admin", "scopes": "tenants:read"},
            "woow.paas.webhook.endpoint": {"url": PUBLIC_URL, "description": "For admin"},
        }
        for model, vals in vals_by_model.items():
            Model = self.env[model]
            before = Model.search_count([])
            with self.subTest(model=model):
                with self.assertRaises(AccessError) as caught:
                    Model.with_user(self.paas_user).create({**vals, "user_id": self.admin.id})
                self.assertIn("only a PaaS Manager", str(caught.exception))
            self.assertEqual(Model.search_count([]), before, "nothing written")
            own = Model.with_user(self.paas_user).create(vals)
            with self.subTest(model=model, copy=True), self.assertRaises(AccessError):
                own.copy({"user_id": self.admin.id})

    def test_non_manager_cannot_move_credentials_to_another_company(self):
        """A PaaS User moves neither its key, client nor endpoint to a company
        of which it is not a member: its endpoint does not get that company's
        events."""
        records = self._own_records(self.paas_user)
        for record in records:
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.write({"company_id": self.company_b.id})
            record.invalidate_recordset()
            self.assertEqual(record.sudo().company_id, self.env.company)
        endpoint = records[2]
        self.env["woow.paas.event"].with_company(self.company_b)._emit(
            "tenant.hooked", self.company_b.partner_id
        )
        self.assertFalse(self._deliveries(endpoint), "no event of the other company")
        for model, vals in (
            ("woow.paas.api.key", {"name": "Elsewhere", "scopes": "tenants:read"}),
            ("woow.paas.oauth.client", {"name": "Elsewhere", "scopes": "tenants:read"}),
            ("woow.paas.webhook.endpoint", {"url": PUBLIC_URL}),
        ):
            before = self.env[model].search_count([])
            with self.subTest(model=model, create=True):
                with self.assertRaises(AccessError) as caught:
                    self.env[model].with_user(self.paas_user).create(
                        {**vals, "company_id": self.company_b.id}
                    )
                self.assertIn("only a PaaS Manager", str(caught.exception))
            self.assertEqual(self.env[model].search_count([]), before, "nothing written")

    def test_manager_still_assigns_owner_and_company(self):
        """A PaaS Manager gives a credential to another user and company."""
        for record in self._own_records(self.paas_user):
            record = record.with_user(self.paas_manager)
            record.write({"user_id": self.paas_manager.id, "company_id": self.company_b.id})
            self.assertEqual((record.sudo().user_id, record.sudo().company_id),
                             (self.paas_manager, self.company_b))  # fmt: skip
        self.assertTrue(
            self.Key.with_user(self.paas_user).create(
                {"name": "Same owner", "user_id": self.paas_user.id,
                 "company_id": self.env.company.id}
            )
        )  # fmt: skip

    def test_platform_fields_are_not_written(self):
        """A revoked key stays revoked; lookups, client ids, and the fields
        derived from the owner are not written by their user."""
        key, client, endpoint = self._own_records(self.paas_user)
        key.action_revoke()
        self.assertTrue(key.revoked_at)
        attacks = (
            (key, {"revoked_at": False}), (key, {"lookup": "wpk_takeover"}),
            (key, {"partner_id": self.customer_b.id}), (client, {"client_id": "hijacked"}),
            (endpoint, {"partner_id": self.customer_b.id, "is_customer_endpoint": True}),
            (endpoint, {"failing_since": False}),
        )  # fmt: skip
        for record, vals in attacks:
            with self.subTest(model=record._name, vals=vals), self.assertRaises(AccessError):
                record.write(vals)
        for record in (key, client, endpoint):
            record.invalidate_recordset()
        self.assertTrue(key.revoked_at)
        self.assertNotEqual(client.client_id, "hijacked")
        self.assertFalse(endpoint.sudo().partner_id == self.customer_b)

    def test_client_keeps_its_type(self):
        """A confidential client is not turned into a public one (no secret
        needed) by its PaaS User owner; a manager still may."""
        _key, client, _endpoint = self._own_records(self.paas_user)
        self.assertEqual(client.client_type, "confidential")
        with self.assertRaises(AccessError):
            client.write({"client_type": "public", "redirect_uris": "https://app.example.com/cb"})
        client.invalidate_recordset()
        self.assertEqual(client.client_type, "confidential")
        client.with_user(self.paas_manager).write(
            {"client_type": "public", "redirect_uris": "https://app.example.com/cb"}
        )
        self.assertEqual(client.client_type, "public")

    def test_portal_user_writes_nothing_over_rpc(self):
        """Portal users have no write access of their own on credentials (the
        portal and the REST API act for them): RPC writes and creates fail."""
        key = self.Key.create({"name": "A's key", "user_id": self.portal_a.id})
        endpoint = self._endpoint("http://127.0.0.1:9/a", user_id=self.portal_a.id)
        client = self.Client.create({"name": "A's app", "user_id": self.portal_a.id})
        for record in (key, endpoint, client):
            for vals in (
                {"user_id": self.admin.id},
                {"company_id": self.company_b.id},
                {"name": "x"} if "name" in record._fields else {"url": PUBLIC_URL},
            ):
                with self.subTest(model=record._name, vals=vals), self.assertRaises(AccessError):
                    record.with_user(self.portal_a).write(vals)
            with self.subTest(model=record._name, create=True), self.assertRaises(AccessError):
                self.env[record._name].with_user(self.portal_a).create(
                    {"url": PUBLIC_URL} if "url" in record._fields else {"name": "x"}
                )
            self.assertEqual(record.sudo().user_id, self.portal_a)


@tagged("post_install", "-at_install")
class TestCredentialScopes(CredentialAttackCase):
    def test_scopes_never_exceed_the_owner(self):
        """An operator's credential holds only scopes its user has the rights
        for, whoever writes it; a customer's any customer scope."""
        clerk = new_test_user(self.env, login="test_api_clerk", groups="base.group_user")
        for Model in (self.Key, self.Client):
            with self.subTest(model=Model._name), self.assertRaises(ValidationError):
                Model.create({"name": "Clerk", "user_id": clerk.id, "scopes": "tenants:write"})
            own = Model.create(
                {"name": "Op", "user_id": self.paas_user.id, "scopes": "tenants:read"}
            )
            with self.subTest(model=Model._name, move=True), self.assertRaises(ValidationError):
                own.with_user(self.paas_manager).write({"user_id": clerk.id})
            self.assertEqual(own.user_id, self.paas_user)
            customer = Model.create(
                {"name": "A", "user_id": self.portal_a.id, "scopes": " ".join(SCOPES)}
            )
            self.assertEqual(set(customer.scopes.split()), set(SCOPES))

    def test_paas_user_cannot_grant_itself_accounting(self):
        """A PaaS User without Accounting rights cannot give its key
        billing:read (the invoices of the whole platform)."""
        if "account.move" not in self.env:
            self.skipTest("Accounting is not installed")
        if self.env["account.move"].with_user(self.paas_user).has_access("read"):
            self.skipTest("PaaS Users read invoices on this database")
        key, client, _endpoint = self._own_records(self.paas_user)
        for record in (key, client):
            with self.subTest(model=record._name), self.assertRaises(ValidationError):
                record.write({"scopes": "tenants:read billing:read"})
            record.invalidate_recordset()
            self.assertEqual(record.scopes, "tenants:read")


@tagged("post_install", "-at_install")
class TestWebhookHeadersAndWorker(CredentialAttackCase):
    def _legacy_headers(self, endpoint, headers):
        """Headers stored before the check existed (bypassing it)."""
        self.env.cr.execute(
            "UPDATE woow_paas_webhook_endpoint SET custom_headers = %s WHERE id = %s",
            (json.dumps(headers, ensure_ascii=False), endpoint.id),
        )
        endpoint.invalidate_recordset()

    def test_custom_headers_checked_at_save(self):
        """Header names are HTTP tokens, values printable Latin-1 without
        line breaks: anything else is refused with a clear message."""
        endpoint = self.Endpoint.with_user(self.paas_user).create({"url": PUBLIC_URL})
        for headers in ({"X Bad": "v"}, {"X-Bad:": "v"}, {"X-Ünï": "v"}, {"": "v"},
                        {"X-Euro": "10 €"}, {"X-Emoji": "🙂"}, {"X-Ctl": "a\x01b"},
                        {"X-Nl": "a\nb"}, {"X-Cr": "a\rb"}, {"X-Lead": " v"},
                        {"X-C1": "a\x85b"}):  # fmt: skip
            with self.subTest(headers=headers):
                with self.assertRaises(ValidationError) as caught:
                    endpoint.custom_headers = json.dumps(headers, ensure_ascii=False)
                self.assertRegex(str(caught.exception), "header name|cannot be sent")
        good = {"X-Env": "prod", "X-Tag": "café crème", "Authorization": "Bearer a.b", "X-E": ""}
        endpoint.custom_headers = json.dumps(good, ensure_ascii=False)
        self.assertEqual(endpoint._parsed_headers(), good)

    def test_bad_legacy_headers_fail_alone(self):
        """A delivery whose stored headers HTTP cannot carry fails alone, as
        an attempt with its reason, retried later; the other endpoints'
        deliveries of the same run are delivered."""
        with Receiver() as bad_receiver, Receiver() as other_receiver, Receiver() as receiver:
            bad = self._endpoint(bad_receiver.url)
            other_bad = self._endpoint(other_receiver.url)
            good = self._endpoint(receiver.url)
            self._legacy_headers(bad, {"X-Euro": "10 €"})
            self._legacy_headers(other_bad, {"X Bad": "v"})
            self._emit()
            with self.assertLogs(DELIVERY_LOGGER, "WARNING"):
                self._run_due()
        self.assertEqual(self._deliveries(good).state, "delivered")
        self.assertEqual(len(receiver.requests), 1)
        self.assertFalse(bad_receiver.requests)
        self.assertFalse(other_receiver.requests)
        for endpoint, reason in ((bad, "X-Euro"), (other_bad, "X Bad")):
            delivery = self._deliveries(endpoint)
            self.assertEqual((delivery.state, delivery.attempts), ("pending", 1))
            self.assertGreater(delivery.next_attempt_at, fields.Datetime.now())
            self.assertIn(reason, delivery.last_error)
            self.assertEqual(delivery.attempt_ids.mapped("success"), [False])
            self.assertIn(reason, delivery.attempt_ids.error)

    def test_send_failure_does_not_stop_the_cron(self):
        """Any error raised while one request is sent is that delivery's failed
        attempt: the cron run goes on and delivers the others."""
        real_post = wh.post

        def post(session, url, body, headers):
            if url.endswith("/broken"):
                raise UnicodeEncodeError("latin-1", "€", 0, 1, "ordinal not in range(256)")
            return real_post(session, url, body, headers)

        commit = "odoo.addons.base.models.ir_cron.IrCron._commit_progress"
        with (
            Receiver() as receiver,
            patch(commit, return_value=60),
            patch.object(wh, "post", post),
            self.assertLogs(DELIVERY_LOGGER, "WARNING"),
        ):
            broken = self._endpoint(receiver.url.replace("/hook", "/broken"), ordered=False)
            good = self._endpoint(receiver.url)
            self._emit()
            self._emit()
            done = self.Delivery._cron_deliver(time_budget=10, idle_linger=0)
        self.assertEqual(done, 4)
        self.assertEqual(set(self._deliveries(good).mapped("state")), {"delivered"})
        self.assertEqual(len(receiver.requests), 2)
        failed = self._deliveries(broken)
        self.assertEqual(set(failed.mapped("state")), {"pending"})
        self.assertEqual(failed.mapped("attempts"), [1, 1])
        self.assertTrue(all("UnicodeEncodeError" in d.last_error for d in failed))

    def test_unstorable_answer_fails_alone(self):
        """An answer PostgreSQL cannot store as it is (a NUL byte) is recorded
        without it, and the rest of the batch with it."""
        real_post = wh.post

        def post(session, url, body, headers):
            if url.endswith("/nul"):
                return 500, 3, "bad\x00answer", None, None
            return real_post(session, url, body, headers)

        with Receiver() as receiver, patch.object(wh, "post", post):
            nul = self._endpoint(receiver.url.replace("/hook", "/nul"))
            good = self._endpoint(receiver.url)
            self._emit()
            self._run_due()
        self.assertEqual(self._deliveries(good).state, "delivered")
        delivery = self._deliveries(nul)
        self.assertEqual((delivery.state, delivery.last_status_code), ("pending", 500))
        self.assertEqual(delivery.last_response, "bad\ufffdanswer")


@tagged("post_install", "-at_install")
class TestPrivateNetworkUrlChange(CredentialAttackCase):
    def test_url_change_by_non_manager_drops_private_network(self):
        """The operator's permission to reach private networks covers the URL
        it was given for: a PaaS User's new URL is checked as any other, a
        manager's keeps it."""
        with Receiver() as allowed, Receiver() as internal:
            endpoint = self._endpoint(allowed.url, user_id=self.paas_user.id)
            mine = endpoint.with_user(self.paas_user)
            with self.assertRaises(ValidationError):
                mine.write({"url": internal.url})
            endpoint.invalidate_recordset()
            self.assertEqual((endpoint.url, endpoint.allow_private_network), (allowed.url, True))
            mine.write({"url": allowed.url, "description": "unchanged URL"})
            self.assertTrue(endpoint.allow_private_network)
            endpoint._test_send()
            self._run_due()
            self.assertFalse(internal.requests)
            self.assertEqual(len(allowed.requests), 1)
            mine.write({"url": PUBLIC_URL})
            self.assertFalse(endpoint.allow_private_network)
            managed = self._endpoint(allowed.url, user_id=self.paas_user.id)
            managed.with_user(self.paas_manager).write({"url": internal.url})
            self.assertTrue(managed.allow_private_network)


@tagged("post_install", "-at_install")
class TestPrivateNetworkOverRest(WoowPaasApiCase, WoowPaasWebhookCase):
    """PATCH /api/v1/webhooks/endpoints/{id} with a customer's or an
    operator's key cannot aim an endpoint allowed on private networks at
    another internal address (the worker reaches the local receivers as in
    WoowPaasWebhookCase)."""

    def test_patch_url_drops_private_network(self):
        Delivery = self.env["woow.paas.webhook.delivery"]
        for user in (self.portal_a, self.paas_user):
            key = self._key(user, f"wpk_ssrf{user.id:04d}_secret_0123456789",
                            scopes="webhooks:manage")  # fmt: skip
            with self.subTest(user=user.login), Receiver() as allowed, Receiver() as internal:
                endpoint = self.env["woow.paas.webhook.endpoint"].create(
                    {"url": allowed.url, "user_id": user.id, "allow_private_network": True}
                )
                path = f"/api/v1/webhooks/endpoints/{endpoint.id}"
                problem = self.assertProblem(
                    self.api("PATCH", path, key, {"url": internal.url}), 422
                )
                self.assertIn("public", problem["detail"])
                self.env.invalidate_all()
                self.assertEqual(endpoint.url, allowed.url)
                self.assertTrue(endpoint.allow_private_network)
                sent = self.api("POST", f"{path}/test", key, {})
                self.assertEqual(sent.status_code, 202, sent.text)
                Delivery._claim_due(100)._deliver()
                self.assertFalse(internal.requests, "nothing reached the internal address")
                self.assertEqual(len(allowed.requests), 1)
                moved = self.api("PATCH", path, key, {"url": PUBLIC_URL})
                self.assertEqual(moved.status_code, 200, moved.text)
                self.assertFalse(moved.json()["allow_private_network"])
                self.assertProblem(self.api("PATCH", path, key, {"url": internal.url}), 422)
                self.assertFalse(internal.requests)
