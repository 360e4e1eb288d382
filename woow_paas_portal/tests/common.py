"""Base class of the portal's HTTP tests; the portal bridges reuse it."""

import base64
import re

from lxml import html as lxml_html

from odoo.fields import Command
from odoo.tests import HttpCase
from odoo.tools import file_open

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


class WoowPaasPortalCase(WoowPaasCase, HttpCase):
    """Core's plans and customers, with the pricing page's fields set:
    a monthly plan with its yearly counterpart, recommended, and features."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["woow.paas.plan"]
        cls.plan_monthly_yearly = Plan.create(
            {"name": "Test Monthly Yearly", "code": "test-monthly-y", "price": 300.0,
             "billing_interval": "year", "trial_days": 14}
        )  # fmt: skip
        cls.plan_monthly.write(
            {
                "portal_yearly_plan_id": cls.plan_monthly_yearly.id,
                "portal_recommended": True,
                "portal_features": "Daily backups\nEmail support",
                "portal_self_suspend": True,
                "quota_ids": [
                    Command.create(
                        {"resource_id": cls.env.ref("woow_paas_core.resource_users").id,
                         "limit": 5}
                    )
                ],
            }
        )  # fmt: skip
        cls.plan_private = Plan.create(
            {"name": "Test Private", "code": "test-private", "price": 5000.0,
             "is_public": False, "trial_days": 30}
        )  # fmt: skip
        # Generous limits: the tests share 127.0.0.1; the rate-limit test lowers them.
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("woow_paas_portal.signup_rate_limit", 1000)
        ICP.set_param("woow_paas_portal.code_check_rate_limit", 1000)

    def _csrf(self, url):
        """The CSRF token of the form at ``url`` (as the browser gets it)."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def _form_nonce(self, html):
        return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


# What a customer page must never show: a number with more than two decimals
# (no figure of the portal has more: quantities take their metric's decimals,
# amounts their currency's), a date in ISO format instead of the reader's,
# a minus sign after the currency symbol, an aggregation's internal label.
RAW_NUMBER_RE = re.compile(r"\d\.\d{3,}")  # in English, "." is the decimal point
ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SIGN_AFTER_SYMBOL_RE = re.compile(r"[$€£¥]\s*-")
INTERNAL_LABELS = ("(Sum)", "(Count)", "(Minimum)", "(Maximum)", "(Average)", "Unique Count",
                   "Last Value", "Time-Weighted Sum")  # fmt: skip


def visible_text(html):
    """The text a reader sees on a page (tooltips of the charts included),
    whitespace collapsed: no script, style or template. Labels placed on
    their own (absolutely positioned, such as the ticks of a chart axis) are
    read apart, as they show."""
    tree = lxml_html.fromstring(html)
    for node in tree.xpath("//script | //style | //template | //noscript | //head"):
        node.drop_tree()
    for node in tree.xpath("//*[contains(concat(' ', @class, ' '), ' position-absolute ')]"):
        node.tail = " " + (node.tail or "")
    return " ".join(tree.text_content().split())


class PortalFiguresMixin:
    """``assertReadableFigures``: every figure of a page as its reader
    writes numbers and dates (see ``RAW_NUMBER_RE`` and its siblings)."""

    def assertReadableFigures(self, html, page=""):
        text = visible_text(html)
        for pattern in (RAW_NUMBER_RE, ISO_DATE_RE, SIGN_AFTER_SYMBOL_RE):
            found = pattern.findall(text)
            self.assertFalse(found, f"{page}: {found} in {text[:3000]}")
        for label in INTERNAL_LABELS:
            self.assertNotIn(label, text, page)
        return text


class WoowPaasBrandingMixin:
    """A white label that the tests can recognise: the company is named
    Odoo's default "YourCompany", the brand "Acme Cloud" with its own logo
    and teal; :meth:`assertBranded` checks a customer page."""

    BRAND = "Acme Cloud"
    BRAND_COLOR = "#0f766e"

    @classmethod
    def _brand_company(cls, company=None, logo=True):
        company = company or cls.env.company
        values = {
            "name": "YourCompany",
            "paas_product_name": cls.BRAND,
            "paas_primary_color": cls.BRAND_COLOR,
            "paas_support_email": "help@acme.example.com",
        }
        if logo:
            with file_open("woow_paas_portal/static/img/woow_cloud_logo_demo.png", "rb") as image:
                values["logo"] = base64.b64encode(image.read())
        company.write(values)
        return company

    def assertBranded(self, html, page, company=None, company_name=False):
        """``html`` (the page ``page``) shows the brand, not Odoo's: the
        brand in the browser title, the company's logo, the brand colour's
        custom property, and no "YourCompany" (unless ``company_name``: an
        invoice names its issuer), "Your logo" or "Powered by"."""
        company = company or self.env.company
        title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
        self.assertTrue(title, f"{page}: no <title>")
        self.assertIn(self.BRAND, title.group(1), f"{page}: title {title.group(1)!r}")
        self.assertNotIn("Odoo", title.group(1), f"{page}: title {title.group(1)!r}")
        self.assertIn(f"/logo.png?company={company.id}", html, f"{page}: no brand logo")
        self.assertNotIn("/web/binary/company_logo", html, f"{page}: Odoo's logo route")
        self.assertIn(f"--woow-paas-primary: {self.BRAND_COLOR};", html, f"{page}: no colour")
        self.assertIn("paas_branding_style", html, f"{page}: no brand stylesheet")
        for text in ("Your logo", "Powered by", "odoo_logo"):
            self.assertNotIn(text, html, f"{page}: {text!r}")
        if not company_name:
            self.assertNotIn("YourCompany", html, f"{page}: the company name")
