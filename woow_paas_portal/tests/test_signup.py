import re
import statistics
import time

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestSignup(WoowPaasPortalCase):
    def _tenant_form(self, plan="test-monthly"):
        response = self.url_open(f"/paas/signup/tenant?plan={plan}")
        self.assertEqual(response.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
        return csrf, self._form_nonce(response.text)

    def _post_tenant(self, csrf, nonce, code="acme-prod", name="Acme Prod", plan="test-monthly"):
        return self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": nonce, "plan": plan, "tenant_name": name,
                  "tenant_code": code, "start": "trial"},
            allow_redirects=False,
        )  # fmt: skip

    def test_account_step_creates_user_and_sends_link(self):
        """A new address gets a portal user without password and a link that
        sets it through Odoo's signup, then continues to the tenant step."""
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        response = self.url_open(
            "/paas/signup",
            data={"csrf_token": csrf, "plan": "test-monthly", "name": "Carla New",
                  "email": "Carla@New.example.com", "company": "New Co"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertIn("Check your email", response.text)
        user = self.env["res.users"].search([("login", "=", "carla@new.example.com")])
        self.assertTrue(user._is_portal())
        self.assertEqual(user.partner_id.commercial_partner_id.name, "New Co")
        mail = self.env["mail.mail"].search([("recipient_ids", "in", user.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        link = re.search(r'href="([^"]*/web/signup\?[^"]+)"', mail.body_html).group(1)
        self.assertIn("redirect=%2Fpaas%2Fsignup%2Ftenant%3Fplan%3Dtest-monthly", link)
        # The same address again: the same answer, no second user or mail.
        response = self.url_open(
            "/paas/signup",
            data={"csrf_token": csrf, "plan": "test-monthly", "name": "Carla",
                  "email": "carla@new.example.com"},
        )  # fmt: skip
        self.assertIn("Check your email", response.text)
        self.assertEqual(
            self.env["res.users"].search_count([("login", "=", "carla@new.example.com")]), 1
        )
        self.assertEqual(
            self.env["mail.mail"].search_count([("recipient_ids", "in", user.partner_id.ids)]), 1
        )

    def test_account_step_bad_input(self):
        """Bad input answers 400 with the message beside the field."""
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        response = self.url_open(
            "/paas/signup",
            data={"csrf_token": csrf, "plan": "test-monthly", "name": "", "email": "nope"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Enter a valid email address.", response.text)
        self.assertIn("Enter your name", response.text)
        # A private or unknown plan leads back to the pricing page.
        for plan in ("test-private", "nope", ""):
            response = self.url_open(f"/paas/signup?plan={plan}", allow_redirects=False)
            self.assertEqual(response.status_code, 303, plan)
            self.assertTrue(response.headers["Location"].endswith("/paas/plans"))

    def test_account_step_same_time_new_or_known(self):
        """A known address answers in about the time of a new one (the same
        work is done, then undone): the timing does not tell which
        addresses have an account. Medians of interleaved requests, within 2x."""
        new_test_user(self.env, login="known@example.com", groups="base.group_portal")
        csrf = self._csrf("/paas/signup?plan=test-monthly")

        def post(email):
            start = time.perf_counter()
            response = self.url_open(
                "/paas/signup",
                data={"csrf_token": csrf, "plan": "test-monthly", "name": "Timing",
                      "email": email, "company": "Timing Co"},
            )  # fmt: skip
            elapsed = time.perf_counter() - start
            self.assertIn("Check your email", response.text)
            return elapsed

        post("warm-up@example.com")
        post("known@example.com")
        new, known = [], []
        for i in range(7):
            new.append(post(f"timing{i}@example.com"))
            known.append(post("known@example.com"))
        ratio = statistics.median(new) / statistics.median(known)
        self.assertLess(ratio, 2.0, f"new {new} known {known}")
        self.assertGreater(ratio, 0.5, f"new {new} known {known}")
        # The known address got nothing: no second user, no mail, no partner.
        self.assertEqual(
            self.env["res.users"].search_count([("login", "=", "known@example.com")]), 1
        )
        self.assertFalse(
            self.env["res.partner"].search(
                [("name", "=", "Timing Co"), ("email", "=", "known@example.com")]
            )
        )
        self.assertEqual(
            self.env["res.users"].search_count([("login", "=like", "timing%@example.com")]), 7
        )

    @mute_logger("odoo.http")
    def test_nul_byte_answers_form_error(self):
        """A NUL byte in any field of the sign-up forms answers the form with
        an error (400), not a server error, and makes nothing."""
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        good = {"csrf_token": csrf, "plan": "test-monthly", "name": "Nul",
                "email": "nul@example.com", "company": "Nul Co"}  # fmt: skip
        for field in ("name", "email", "company"):
            response = self.url_open("/paas/signup", data={**good, field: f"a\x00{good[field]}"})
            self.assertEqual(response.status_code, 400, field)
            self.assertIn("Remove the control characters", response.text)
            self.assertNotIn("\x00", response.text)
        response = self.url_open(
            "/paas/signup", data={**good, "plan": "test-monthly\x00"}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.env["res.users"].search([("login", "like", "nul")]))
        self.authenticate("test_portal_a", "test_portal_a")
        csrf, nonce = self._tenant_form()
        response = self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": nonce, "plan": "test-monthly",
                  "tenant_name": "Nul\x00 Prod", "tenant_code": "nul-prod", "start": "trial"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertIn("control characters", response.text)
        response = self.url_open(
            "/paas/signup/tenant",
            data={"csrf_token": csrf, "nonce": nonce[:-1] + "\x00", "plan": "test-monthly",
                  "tenant_name": "Nul Prod", "tenant_code": "nul-prod\x00", "start": "trial"},
            allow_redirects=False,
        )  # fmt: skip
        self.assertIn(response.status_code, (303, 400))
        answer = self.url_open("/paas/tenant-code/check?code=nul%00code")
        self.assertEqual(answer.json()["status"], "invalid")
        self.assertFalse(self.env["woow.paas.signup"].search([]))

    def test_signup_starts_trial_and_active_tenant(self):
        """The tenant step starts the trial and provisions the tenant; the
        provisioning page and its status route follow it."""
        self.authenticate("test_portal_a", "test_portal_a")
        csrf, nonce = self._tenant_form()
        response = self._post_tenant(csrf, nonce)
        self.assertEqual(response.status_code, 303, response.text[:500])
        signup = self.env["woow.paas.signup"].search([("nonce", "=", nonce)])
        self.assertTrue(response.headers["Location"].endswith(f"/paas/signup/{signup.id}"))
        self.assertEqual(signup.subscription_id.state, "trial")
        self.assertEqual(signup.subscription_id.commercial_partner_id, self.customer_a)
        self.assertEqual(signup.tenant_id.code, "acme-prod")
        self.assertIn(signup.tenant_id.state, ("active", "provisioning"))
        status = self.url_open(f"/paas/signup/{signup.id}/status").json()
        self.assertEqual(
            [step["key"] for step in status["steps"]][:3], ["account", "subscription", "tenant"]
        )
        if signup.tenant_id.state == "active":
            self.assertTrue(status["ready"])
            self.assertTrue(status["open_url"])
        page = self.url_open(f"/paas/signup/{signup.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Setting up Acme Prod", page.text)
        # Another customer sees neither the page nor its status.
        self.authenticate("test_portal_b", "test_portal_b")
        self.assertEqual(self.url_open(f"/paas/signup/{signup.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/paas/signup/{signup.id}/status").status_code, 404)

    def test_double_submit_and_refresh_make_one_subscription(self):
        """The same form sent twice, at once or after a refresh (a new form
        with the same code), makes one subscription and one tenant."""
        self.authenticate("test_portal_a", "test_portal_a")
        Sub = self.env["woow.paas.subscription"]
        before = Sub.search_count([("commercial_partner_id", "=", self.customer_a.id)])
        csrf, nonce = self._tenant_form()
        first = self._post_tenant(csrf, nonce)
        second = self._post_tenant(csrf, nonce)
        self.assertEqual(first.status_code, 303)
        self.assertEqual(second.status_code, 303)
        self.assertEqual(first.headers["Location"], second.headers["Location"])
        # Refresh: a new form (new nonce), the same tenant code.
        csrf, nonce2 = self._tenant_form()
        third = self._post_tenant(csrf, nonce2)
        self.assertEqual(third.headers["Location"], first.headers["Location"])
        self.assertEqual(
            Sub.search_count([("commercial_partner_id", "=", self.customer_a.id)]), before + 1
        )
        self.assertEqual(self.env["woow.paas.tenant"].search_count([("code", "=", "acme-prod")]), 1)

    def test_second_trial_of_a_plan_refused(self):
        """One free trial per customer and plan: a second sign-up for the
        same plan is refused beside the form, with nothing made."""
        self.authenticate("test_portal_a", "test_portal_a")
        csrf, nonce = self._tenant_form()
        self.assertEqual(self._post_tenant(csrf, nonce).status_code, 303)
        count = self.env["woow.paas.subscription"].search_count([])
        csrf, nonce = self._tenant_form()
        response = self._post_tenant(csrf, nonce, code="acme-again", name="Acme Again")
        self.assertEqual(response.status_code, 400)
        self.assertIn("already had the free trial", response.text)
        self.assertEqual(self.env["woow.paas.subscription"].search_count([]), count)
        self.assertFalse(self.env["woow.paas.tenant"].search([("code", "=", "acme-again")]))

    def test_tenant_step_refuses_bad_input(self):
        """Invalid, reserved or taken codes and a plan without trial are
        refused beside their field, with nothing made."""
        self._tenant("taken-code", self._subscription(self.customer_b))
        self.authenticate("test_portal_a", "test_portal_a")
        count = self.env["woow.paas.subscription"].search_count([])
        for code, text in (
            ("A", "Use 3 to 63 lowercase"),
            ("-bad-", "Use 3 to 63 lowercase"),
            ("admin", "reserved"),
            ("taken-code", "This code is taken"),
        ):
            csrf, nonce = self._tenant_form()
            response = self._post_tenant(csrf, nonce, code=code)
            self.assertEqual(response.status_code, 400, code)
            self.assertIn(text, response.text)
            self.assertNotIn("Customer B", response.text)
        csrf, nonce = self._tenant_form("test-yearly")
        response = self._post_tenant(csrf, nonce, plan="test-yearly", code="no-trial")
        self.assertEqual(response.status_code, 400)
        self.assertIn("This plan has no free trial.", response.text)
        self.assertEqual(self.env["woow.paas.subscription"].search_count([]), count)
        self.assertFalse(self.env["woow.paas.signup"].search([]))

    def test_code_check(self):
        """The live check answers available, invalid with the reason, or
        taken, never whose; the public user gets nothing."""
        self._tenant("taken-code", self._subscription(self.customer_b))
        self.authenticate("test_portal_a", "test_portal_a")
        for code, status in (
            ("free-code", "available"),
            ("taken-code", "taken"),
            ("Bad_Code!", "invalid"),
            ("www", "invalid"),
        ):
            answer = self.url_open(f"/paas/tenant-code/check?code={code}")
            self.assertEqual(answer.status_code, 200)
            self.assertEqual(answer.json()["status"], status, code)
            self.assertNotIn("Customer B", answer.text)
        self.authenticate(None, None)
        answer = self.url_open("/paas/tenant-code/check?code=taken-code", allow_redirects=False)
        self.assertNotEqual(answer.status_code, 200)

    def test_rate_limits(self):
        """Past the limit per address, sign-up and the code check answer 429
        with Retry-After and a clear message."""
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("woow_paas_portal.code_check_rate_limit", 3)
        ICP.set_param("woow_paas_portal.signup_rate_limit", 2)
        self.authenticate("test_portal_a", "test_portal_a")
        codes = [self.url_open("/paas/tenant-code/check?code=abc").status_code for _i in range(4)]
        self.assertEqual(codes, [200, 200, 200, 429])
        answer = self.url_open("/paas/tenant-code/check?code=abc")
        self.assertEqual(answer.status_code, 429)
        self.assertTrue(int(answer.headers["Retry-After"]) > 0)
        self.assertIn("Too many attempts", answer.json()["message"])
        self.authenticate(None, None)
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        statuses = []
        for i in range(3):
            response = self.url_open(
                "/paas/signup",
                data={"csrf_token": csrf, "plan": "test-monthly", "name": "Spam",
                      "email": f"spam{i}@example.com"},
            )  # fmt: skip
            statuses.append(response.status_code)
        self.assertEqual(statuses, [200, 200, 429])
        self.assertIn("Too many attempts", response.text)
        self.assertFalse(self.env["res.users"].search([("login", "=", "spam2@example.com")]))

    def test_retry_failed_provisioning(self):
        """A failed tenant shows its reason; Retry provisions it again."""
        self.authenticate("test_portal_a", "test_portal_a")
        csrf, nonce = self._tenant_form()
        self._post_tenant(csrf, nonce, code="flaky-one")
        signup = self.env["woow.paas.signup"].search([("nonce", "=", nonce)])
        tenant = signup.tenant_id
        if tenant.state == "active":
            # Put it back in failed as a provisioning job would.
            tenant.sudo().write({"state": "provisioning"})
        tenant._paas_provision_failed("Disk full on db-1")
        status = self.url_open(f"/paas/signup/{signup.id}/status").json()
        self.assertTrue(status["failed"])
        self.assertEqual(status["message"], "Disk full on db-1")
        page = self.url_open(f"/paas/signup/{signup.id}")
        self.assertIn("Disk full on db-1", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/paas/signup/{signup.id}/retry", data={"csrf_token": csrf}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn(tenant.state, ("active", "provisioning"))
        # Without the CSRF token, nothing happens.
        response = self.url_open(f"/paas/signup/{signup.id}/retry", data={"x": "1"})
        self.assertEqual(response.status_code, 400)
