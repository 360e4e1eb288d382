from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from ..models.res_company import _brand_palette, _contrast
from .common import WoowPaasBrandingMixin, WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestBranding(WoowPaasBrandingMixin, MockEmail, WoowPaasPortalCase):
    """The white label reaches every customer page and mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._brand_company()
        cls.sub_a = cls._subscription(cls.customer_a)
        cls.sub_a.action_start_trial()
        cls.tenant_a = cls._tenant("brand-a", cls.sub_a)
        cls.tenant_a.action_provision()
        cls.signup_a = cls.env["woow.paas.signup"].create(
            {"nonce": "brand-nonce-0123456789", "user_id": cls.portal_a.id,
             "plan_id": cls.plan_monthly.id, "company_id": cls.env.company.id,
             "tenant_name": "Brand A", "tenant_code": "brand-a",
             "subscription_id": cls.sub_a.id, "tenant_id": cls.tenant_a.id}
        )  # fmt: skip

    def _page(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response.text

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    def test_public_pages_branded(self):
        """Pricing, sign-up, sign in, password reset and a missing page show
        the brand: title, logo, colour, footer, never Odoo's."""
        for url in ("/paas/plans", "/paas/signup?plan=test-monthly", "/web/login",
                    "/web/reset_password"):  # fmt: skip
            html = self._page(url)
            self.assertBranded(html, url)
        html = self._page("/paas/no-such-page", status=404)
        self.assertBranded(html, "404")
        # The missing page's illustration takes the brand colour, its help the support.
        self.assertIn("404.svg?c2=%230f766e", html)
        self.assertIn("mailto:help@acme.example.com", html)
        self.assertNotIn("/contactus", html)

    def test_signed_in_pages_branded(self):
        """/my and every PaaS page of the customer, and the sign-up steps."""
        self.authenticate("test_portal_a", "test_portal_a")
        for url in (
            "/my", "/my/home", "/my/account", "/my/security", "/my/subscriptions",
            f"/my/subscriptions/{self.sub_a.id}", "/my/tenants", f"/my/tenants/{self.tenant_a.id}",
            "/paas/signup/tenant?plan=test-monthly", f"/paas/signup/{self.signup_a.id}",
        ):  # fmt: skip
            self.assertBranded(self._page(url), url)
        # The PaaS pictograms of /my are drawn in the brand colour.
        self.assertIn("o_paas_pictogram", self._page("/my"))

    def test_title_and_footer(self):
        """The page's own title comes first, then the brand; the footer names
        the brand and its support, not the company."""
        html = self._page("/paas/plans")
        self.assertIn("<title>Plans and pricing | Acme Cloud</title>", html)
        self.assertIn('<span class="o_footer_copyright_name me-2">© Acme Cloud</span>', html)
        self.assertIn("mailto:help@acme.example.com", html)
        self.assertIn("data:image/svg+xml", html)  # the favicon: the brand's initial
        self.assertNotIn("/web/static/img/favicon.ico", html)
        html = self._page("/web/login")
        self.assertIn("<title>Acme Cloud</title>", html)

    def test_default_logo_shows_the_brand_name(self):
        """A company without a logo of its own shows the product name, not
        Odoo's "Your logo" placeholder."""
        self.env.company.logo = False
        self.assertTrue(self.env.company.uses_default_logo)
        for url in ("/paas/plans", "/web/login"):
            html = self._page(url)
            self.assertNotIn("/logo.png", html, url)
            self.assertIn("o_paas_wordmark", html, url)
            self.assertIn(self.BRAND, html, url)

    def test_palette_readable(self):
        """Any brand colour gives readable text: black on a light colour,
        links darkened to 4.5:1 on white; CSS values never come from an
        invalid colour."""
        yellow = _brand_palette("#ffcc00")
        self.assertEqual(yellow["--woow-paas-on-primary"], "#000000")
        self.assertGreaterEqual(_contrast(yellow["--woow-paas-link"], "#ffffff"), 4.5)
        self.assertEqual(_brand_palette("#0f766e")["--woow-paas-link"], "#0f766e")
        # A colour written past the constraint (SQL) falls back to the default.
        self.env.cr.execute(
            "UPDATE res_company SET paas_primary_color = %s WHERE id = %s",
            ["red; } body { x", self.env.company.id],
        )
        self.env.company.invalidate_recordset(["paas_primary_color"])
        branding = self.env.company._paas_branding()
        self.assertEqual(branding["primary_color"], "#1f6feb")
        self.assertNotIn("red", branding["css_variables"])

    def test_email_colors_follow_the_brand(self):
        """Odoo's own mails take the brand colour for their buttons, unless
        the operator chose other colours."""
        company = self.env.company
        self.assertEqual(company.email_secondary_color, self.BRAND_COLOR)
        self.assertEqual(company.email_primary_color, "#ffffff")
        company.paas_primary_color = "#ffcc00"
        self.assertEqual(company.email_secondary_color, "#ffcc00")
        self.assertEqual(company.email_primary_color, "#000000")
        company.email_secondary_color = "#123456"
        company.paas_primary_color = "#5b3cc4"
        self.assertEqual(company.email_secondary_color, "#123456")

    # ------------------------------------------------------------------
    # Mails
    # ------------------------------------------------------------------
    def assertBrandedMail(self, subject, body, label):
        body = str(body)
        self.assertIn(self.BRAND, subject, label)
        self.assertIn(self.BRAND, body, label)
        self.assertIn(f"/logo.png?company={self.env.company.id}", body, label)
        self.assertIn(f"background-color: {self.BRAND_COLOR}", body, label)
        for text in ("YourCompany", "Powered by", "odoo.com", "Odoo"):
            self.assertNotIn(text, subject + body, f"{label}: {text!r}")

    def _sent_to(self, address):
        """The mails sent (through the mocked gateway) to ``address``."""
        return [mail for mail in self._mails if any(address in to for to in mail["email_to"])]

    def test_signup_confirmation_mail(self):
        """The sign-up link comes in a mail of the brand (the operator reset
        the template to get its new layout)."""
        self.env.ref("woow_paas_portal.mail_template_paas_signup_confirm").reset_template()
        csrf = self._csrf("/paas/signup?plan=test-monthly")
        self.url_open(
            "/paas/signup",
            data={"csrf_token": csrf, "plan": "test-monthly", "name": "Dora Brand",
                  "email": "dora@brand.example.com"},
        )  # fmt: skip
        user = self.env["res.users"].search([("login", "=", "dora@brand.example.com")])
        mail = self.env["mail.mail"].search([("recipient_ids", "in", user.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        self.assertBrandedMail(mail.subject, mail.body_html, "confirmation")
        self.assertRegex(str(mail.body_html), r'href="[^"]*/web/signup\?')

    def test_account_created_mail_replaced(self):
        """Odoo's "Welcome to YourCompany!" after a sign-up is sent as the
        brand's mail; archiving the brand's sends Odoo's again."""
        odoo_template = self.env.ref("auth_signup.mail_template_user_signup_account_created")
        with self.mock_mail_gateway():
            odoo_template.sudo().send_mail(self.portal_a.id, force_send=True)
        self.assertEqual(len(self._mails), 1)
        self.assertBrandedMail(self._mails[0]["subject"], self._mails[0]["body"], "account created")
        self.assertEqual(self._mails[0]["subject"], "Welcome to Acme Cloud")
        self.env.ref("woow_paas_portal.mail_template_paas_account_created").active = False
        with self.mock_mail_gateway():
            odoo_template.sudo().send_mail(self.portal_a.id)
        self.assertEqual(self._new_mails.subject, "Welcome to YourCompany!")

    def test_portal_invitation_mail_replaced(self):
        """Granting portal access from the back office sends the brand's invitation."""
        partner = self.env["res.partner"].create(
            {"name": "Ivy Invited", "email": "ivy@invited.example.com"}
        )
        wizard = self.env["portal.wizard"].with_context(active_ids=partner.ids).create({})
        with self.mock_mail_gateway():
            wizard.user_ids.action_grant_access()
        mails = self._sent_to("ivy@invited.example.com")
        self.assertEqual(len(mails), 1)
        self.assertBrandedMail(mails[0]["subject"], mails[0]["body"], "invitation")
        self.assertIn("/web/signup?", mails[0]["body"])

    def test_reset_password_mail_branded(self):
        """Odoo's password reset mail (a view) carries the brand."""
        self.portal_a.email = "alice@a.example.com"
        with self.mock_mail_gateway():
            self.portal_a.action_reset_password()
        mails = self._sent_to("alice@a.example.com")
        self.assertEqual(len(mails), 1)
        body = mails[0]["body"]
        self.assertIn(self.BRAND, body)
        self.assertIn(f"/logo.png?company={self.env.company.id}", body)
        self.assertRegex(body, r'href="[^"]*/web/(reset_password|signup|login)\?')
        for text in ("YourCompany", "Powered by", "odoo.com"):
            self.assertNotIn(text, body, text)

    def test_notification_layout_branded(self):
        """Messages on documents (Odoo's mail layout) are "Powered by" the brand."""
        self.contact_a.email = "alice@a.example.com"
        with self.mock_mail_gateway():
            self.sub_a.with_context(email_notification_force_footer=True).message_post(
                body="Your plan changes tomorrow.", partner_ids=self.contact_a.ids,
                message_type="comment", subtype_xmlid="mail.mt_comment",
            )  # fmt: skip
        bodies = [mail["body"] for mail in self._mails]
        self.assertTrue(bodies)
        for body in bodies:
            self.assertNotIn("odoo.com", body)
            self.assertRegex(body, r"Powered by\s+Acme Cloud")
