"""The sign-up's password step in the portal's branded layout, and the demo
mailbox that stands in for SMTP in a database with demo data only."""

import re
from urllib.parse import urlsplit

from odoo.tests import new_test_user, tagged

from .common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestSignupDemoPassword(WoowPaasPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"paas_product_name": "Acme Cloud", "paas_primary_color": "#aa3300"})

    def _sign_up(self, email, name="Dana Demo"):
        """The account step; returns its answer and the link of its mail."""
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        response = self.url_open(
            "/paas/signup",
            data={"csrf_token": csrf, "plan": "test-monthly", "name": name, "email": email},
        )
        self.assertEqual(response.status_code, 200)
        user = self.env["res.users"].search([("login", "=", email)])
        mail = self.env["mail.mail"].search([("recipient_ids", "in", user.partner_id.ids)])
        link = re.search(r'href="([^"]*/web/signup\?[^"]+)"', mail.body_html).group(1)
        parts = urlsplit(link.replace("&amp;", "&"))
        return response, f"{parts.path}?{parts.query}"

    def test_password_step_branded(self):
        """The confirmation link's password page is the sign-up's: the white
        label's name and colour, the steps, the page title; Odoo's checks
        still apply, and the password then leads to the tenant step. Other
        signup links keep Odoo's own page."""
        _response, link = self._sign_up("dana@branded.example.com")
        self.authenticate(None, None)
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        html = page.text
        self.assertIn("o_paas_signup_password", html)
        self.assertIn("<title>Choose your password", html)
        # No logo of its own: the product's name, not Odoo's placeholder.
        self.assertRegex(
            html,
            r'class="o_paas_wordmark[^"]*">\s*<span class="o_paas_brand_mark"'
            r"[^>]*>A</span>Acme Cloud",
        )
        self.assertNotIn("/logo.png?company=", html)
        self.assertIn("--woow-paas-primary: #aa3300", html)
        self.assertRegex(html, r'aria-current="step"[^>]*>\s*2\. Account')
        self.assertIn("dana@branded.example.com", html)
        self.assertNotIn("o_database_list", html)  # Odoo's login card
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        redirect = "/paas/signup/tenant?plan=test-monthly"
        form = {"csrf_token": csrf, "token": token, "redirect": redirect,
                "login": "dana@branded.example.com", "name": "Dana Demo"}  # fmt: skip
        mismatch = self.url_open(
            "/web/signup", data=dict(form, password="Dana-Pass-2026!", confirm_password="other")
        )
        self.assertIn("o_paas_signup_password", mismatch.text)
        self.assertIn("Passwords do not match", mismatch.text)
        done = self.url_open(
            "/web/signup",
            data=dict(form, password="Dana-Pass-2026!", confirm_password="Dana-Pass-2026!"),
            allow_redirects=False,
        )
        self.assertEqual(done.status_code, 303, done.text[:300])
        self.assertTrue(done.headers["Location"].endswith(redirect))
        self.authenticate("dana@branded.example.com", "Dana-Pass-2026!")
        # A signup link that does not continue a PaaS sign-up: Odoo's page.
        partner = self.env["res.partner"].create({"name": "Other", "email": "o@other.example.com"})
        partner.signup_prepare(signup_type="signup")
        other = urlsplit(partner._get_signup_url_for_action()[partner.id])
        self.authenticate(None, None)
        html = self.url_open(f"{other.path}?{other.query}").text
        self.assertIn("oe_signup_form", html)
        self.assertNotIn("o_paas_signup_password", html)

    def test_demo_mailbox_only_with_demo_data(self):
        """Without demo data the "check your email" page says nothing more
        and the mailbox does not exist; with demo data the page points to
        the mailbox, which shows the confirmation mail and its link."""
        response, link = self._sign_up("erin@nodemo.example.com")
        self.assertNotIn("/paas/demo/mailbox", response.text)
        self.assertEqual(self.url_open("/paas/demo/mailbox").status_code, 404)

        self.env.ref("base.module_base").demo = True
        self.env.flush_all()
        response, link = self._sign_up("fred@demo.example.com", name="Fred Demo")
        self.assertIn("This is a demo", response.text)
        self.assertIn('href="/paas/demo/mailbox"', response.text)
        token = link.split("token=")[1].split("&")[0]
        # The visitor who signed up (same browser session, not signed in).
        mailbox = self.url_open("/paas/demo/mailbox")
        self.assertEqual(mailbox.status_code, 200)
        self.assertEqual(mailbox.headers["Cache-Control"], "no-store")
        self.assertIn("Acme Cloud: confirm your email", mailbox.text)
        self.assertIn("fred@demo.example.com", mailbox.text)
        self.assertIn(token, mailbox.text)
        # Another visitor of the same demo does not read Fred's link.
        self.authenticate(None, None)
        other = self.url_open("/paas/demo/mailbox")
        self.assertEqual(other.status_code, 200)
        self.assertNotIn("fred@demo.example.com", other.text)
        self.assertNotIn(token, other.text)
        # Operators read every outgoing mail of the demo.
        operator = new_test_user(
            self.env, login="demo_operator", groups="woow_paas_core.group_paas_user",
            password="demo_operator_pw",
        )  # fmt: skip
        self.authenticate(operator.login, "demo_operator_pw")
        self.assertIn(token, self.url_open("/paas/demo/mailbox").text)
