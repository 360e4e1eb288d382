"""The customer's way into a database tenant (the sign-in link made at
provisioning on the provisioning page, the tenant page and the "ready"
mail; Sign in as administrator), and what a shared tenant's page says. The
tenant database itself is replaced (``_paas_push_signin``); the real one is
in test_signin_tour.py."""

import hashlib
import re
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import psycopg2

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

CSRF_RE = re.compile(r'(?:name="csrf_token" value=|csrf_token: )"([^"]+)"')
FIRST_TOKEN = "f" * 43


@tagged("post_install", "-at_install")
class TestTenantSignin(WoowPaasCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.paas_product_name = "Acme Cloud"
        cls.customer_a.email = "owner@customer-a.example.com"
        cls.plan_db = cls.env["woow.paas.plan"].create(
            {"name": "Test Dedicated", "code": "test-dedicated-si", "price": 90.0,
             "paas_isolation": "database"}
        )  # fmt: skip
        cls.sub_a = cls._subscription(cls.customer_a, plan=cls.plan_db)
        cls.sub_b = cls._subscription(cls.customer_b, plan=cls.plan_db)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("alpha-signin", cls.sub_a)
        cls.tenant_b = cls._tenant("bravo-signin", cls.sub_b)
        # What provisioning leaves (the tenant databases are replaced here).
        for tenant in cls.tenant_a | cls.tenant_b:
            tenant.write(
                {
                    "state": "active",
                    "paas_db_name": f"nowhere_{tenant.code}",
                    "paas_admin_login": "owner@customer-a.example.com",
                }
            )
        cls.tenant_a.write(
            {
                "paas_signin_token": FIRST_TOKEN,
                "paas_signin_expires": fields.Datetime.now() + timedelta(days=7),
            }
        )
        cls.Tenant = type(cls.env["woow.paas.tenant"])
        ICP = cls.env["ir.config_parameter"]
        ICP.set_param("woow_paas_portal.tenant_signin_rate_limit", 1000)

    def _pushes(self, side_effect=None):
        return patch.object(self.Tenant, "_paas_push_signin", autospec=True,
                            side_effect=side_effect)  # fmt: skip

    def _csrf(self, url):
        return CSRF_RE.search(self.url_open(url).text).group(1)

    def _sign_in_as_admin(self, tenant, csrf):
        return self.url_open(
            f"/my/tenants/{tenant.id}/signin", data={"csrf_token": csrf}, allow_redirects=False
        )

    def test_owner_signs_in_as_administrator(self):
        """The tenant page offers the first link and Sign in as administrator
        (a POST with CSRF); the POST makes a fresh link, pushes only its hash
        and sends the browser to it."""
        self.authenticate("test_portal_a", "test_portal_a")
        url = f"/my/tenants/{self.tenant_a.id}"
        page = self.url_open(url).text
        self.assertRegex(
            page, rf'<form method="post" class="o_paas_tenant_signin_form" action="{url}/signin"'
        )
        self.assertIn("Sign in as administrator", page)
        self.assertIn(f"/woow_paas_agent/signin?token={FIRST_TOKEN}", page)
        self.assertIn("owner@customer-a.example.com", page)
        csrf = CSRF_RE.search(page).group(1)
        with self._pushes() as push:
            response = self._sign_in_as_admin(self.tenant_a, csrf)
        self.assertEqual(response.status_code, 303, response.text[:300])
        location = response.headers["Location"]
        self.assertTrue(
            location.startswith(f"{self.tenant_a.paas_url}/woow_paas_agent/signin?token="),
            location,
        )
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        token = parse_qs(urlsplit(location).query)["token"][0]
        ((_tenant, param),) = [call.args for call in push.call_args_list]
        self.assertEqual(param.split(":")[0], hashlib.sha256(token.encode()).hexdigest())
        event = self.assertEmitted(self.tenant_a, "tenant.signin_link_issued", count=1)
        self.assertEqual(event.user_id, self.portal_a)
        # The first link was replaced: no longer offered.
        self.assertNotIn(FIRST_TOKEN, self.url_open(url).text)
        # Asked for too often: refused before the tenant database is reached.
        self.env["ir.config_parameter"].set_param("woow_paas_portal.tenant_signin_rate_limit", 1)
        with self._pushes() as push:
            response = self._sign_in_as_admin(self.tenant_a, csrf)
        self.assertEqual(response.status_code, 429)
        push.assert_not_called()

    def test_only_the_customer_gets_a_link(self):
        """Another customer (404), a PaaS user who may read every tenant
        (403), a GET, a POST without CSRF and the public user get no link:
        nothing is pushed, no event."""
        self.authenticate("test_portal_b", "test_portal_b")
        csrf_b = self._csrf(f"/my/tenants/{self.tenant_b.id}")
        with self._pushes() as push:
            self.assertEqual(self._sign_in_as_admin(self.tenant_a, csrf_b).status_code, 404)
            self.assertEqual(self.url_open(f"/my/tenants/{self.tenant_a.id}").status_code, 404)
            self.assertEqual(
                self.url_open(f"/my/tenants/{self.tenant_a.id}/signin").status_code, 405
            )
            no_csrf = self.url_open(f"/my/tenants/{self.tenant_b.id}/signin", data={"x": "1"})
            self.assertEqual(no_csrf.status_code, 400)
            new_test_user(self.env, login="signin_staff", password="signin_staff",
                          groups="woow_paas_core.group_paas_user")  # fmt: skip
            self.authenticate("signin_staff", "signin_staff")
            staff_page = self.url_open(f"/my/tenants/{self.tenant_a.id}")
            self.assertEqual(staff_page.status_code, 200)
            self.assertNotIn("Sign in as administrator", staff_page.text)
            self.assertNotIn(FIRST_TOKEN, staff_page.text)
            csrf = CSRF_RE.search(staff_page.text).group(1)
            self.assertEqual(self._sign_in_as_admin(self.tenant_a, csrf).status_code, 403)
            self.authenticate(None, None)
            response = self._sign_in_as_admin(self.tenant_a, csrf)
            self.assertIn(response.status_code, (303, 400))
            self.assertNotIn("woow_paas_agent", response.headers.get("Location", ""))
        push.assert_not_called()
        self.assertFalse(self._events(self.tenant_a | self.tenant_b, "tenant.signin_link_issued"))
        self.assertEqual(self.tenant_a.paas_signin_token, FIRST_TOKEN)

    def test_unreachable_or_stopped_database(self):
        """A tenant database that does not answer: the page says so (409);
        an archived tenant offers no sign-in at all."""
        self.authenticate("test_portal_a", "test_portal_a")
        url = f"/my/tenants/{self.tenant_a.id}"
        csrf = self._csrf(url)
        refused = psycopg2.OperationalError("connection refused")
        with self._pushes(side_effect=refused):
            response = self._sign_in_as_admin(self.tenant_a, csrf)
        self.assertEqual(response.status_code, 409)
        self.assertIn("does not answer right now", response.text)
        self.assertFalse(self._events(self.tenant_a, "tenant.signin_link_issued"))
        self.tenant_a.write({"state": "archived"})
        page = self.url_open(url).text
        self.assertNotIn("Sign in as administrator", page)
        self.assertNotIn(FIRST_TOKEN, page)
        with self._pushes() as push:
            self.assertEqual(self._sign_in_as_admin(self.tenant_a, csrf).status_code, 409)
        push.assert_not_called()

    def test_provisioning_page_gives_the_link(self):
        """The provisioning page opens a ready database tenant with its
        first link while it may work, then leads to the tenant's page."""
        signup = self.env["woow.paas.signup"].create(
            {"nonce": "n" * 24, "user_id": self.portal_a.id, "plan_id": self.plan_db.id,
             "company_id": self.env.company.id, "tenant_name": self.tenant_a.name,
             "tenant_code": self.tenant_a.code, "subscription_id": self.sub_a.id,
             "tenant_id": self.tenant_a.id}
        )  # fmt: skip
        self.authenticate("test_portal_a", "test_portal_a")
        status = self.url_open(f"/paas/signup/{signup.id}/status").json()
        self.assertEqual(status["open_url"], self.tenant_a.paas_signin_url)
        self.assertEqual(status["open_label"], "Sign in to your tenant")
        self.assertIn("owner@customer-a.example.com", status["open_note"])
        page = self.url_open(f"/paas/signup/{signup.id}").text
        self.assertIn(f"/woow_paas_agent/signin?token={FIRST_TOKEN}", page)
        self.assertIn("Sign in to your tenant", page)
        self.tenant_a.write({"paas_signin_expires": fields.Datetime.now() - timedelta(hours=1)})
        status = self.url_open(f"/paas/signup/{signup.id}/status").json()
        self.assertEqual(status["open_url"], self.tenant_a.access_url)
        self.assertEqual(status["open_label"], "Go to your tenant")
        # Another user's sign-up stays out of reach.
        self.authenticate("test_portal_b", "test_portal_b")
        self.assertEqual(self.url_open(f"/paas/signup/{signup.id}/status").status_code, 404)

    def test_ready_mail_carries_the_link(self):
        """The end of a database tenant's provisioning mails its customer the
        sign-in link, with the product's name and the tenant page; the
        chatter says a mail went, without the link. Shared tenants get none."""
        self.tenant_a.write({"state": "provisioning"})
        self.tenant_a._paas_provisioned()
        self.assertEqual(self.tenant_a.state, "active")
        mail = self.env["mail.mail"].search(
            [("model", "=", "woow.paas.tenant"), ("res_id", "=", self.tenant_a.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, "Acme Cloud: Alpha-Signin is ready")
        self.assertEqual(mail.recipient_ids, self.customer_a)
        self.assertIn(f"/woow_paas_agent/signin?token={FIRST_TOKEN}", mail.body_html)
        self.assertIn(f"/my/tenants/{self.tenant_a.id}", mail.body_html)
        self.assertIn("owner@customer-a.example.com", mail.body_html)
        note = self.tenant_a.message_ids[0]
        self.assertIn("sign-in link was sent", note.body)
        self.assertNotIn(FIRST_TOKEN, note.body)
        shared = self._tenant("shared-signin", self._subscription(self.customer_a))
        shared.subscription_id.action_activate()
        shared.action_provision()
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "woow.paas.tenant"), ("res_id", "=", shared.id)]
            )
        )

    def test_shared_tenant_page_says_what_it_gives(self):
        """A shared tenant's page says what it is, what the plan gives and
        who uses it where, with no Open or sign-in button."""
        self.plan_monthly.portal_features = "Daily backups\nEmail support"
        worker = new_test_user(self.env, login="shared_worker", name="Wanda Worker")
        sub = self._subscription(self.customer_a)
        sub.action_activate()
        shared = self._tenant("shared-gives", sub, paas_user_ids=[Command.link(worker.id)])
        shared.action_provision()
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open(f"/my/tenants/{shared.id}").text
        self.assertIn("What this tenant gives", page)
        self.assertIn("workspace inside Acme Cloud", page)
        self.assertIn("Daily backups", page)
        self.assertIn("Wanda Worker", page)
        self.assertIn('href="/web/login?redirect=/odoo"', page)
        self.assertIn('href="/api/v1/docs"', page)
        self.assertNotIn("o_paas_tenant_open", page)
        self.assertNotIn("Sign in as administrator", page)
