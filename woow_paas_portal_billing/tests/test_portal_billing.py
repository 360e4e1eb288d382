import html

from odoo import Command
from odoo.tests import tagged

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestPortalBilling(WoowPaasPortalBillingCase):
    def _page(self, query=""):
        return self.url_open(f"/my/subscriptions/{self.sub_a.id}{query}")

    def _moves(self, kind):
        return self.env["account.move"].search(
            [("paas_subscription_id", "=", self.sub_a.id), ("paas_invoice_kind", "=", kind)]
        )

    # ------------------------------------------------------------------
    # Subscription page
    # ------------------------------------------------------------------
    def test_subscription_page_owner_other_public(self):
        """The owner sees the next invoice, the plans and the invoices; another
        customer gets 404 and the public user the login page."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._page()
        self.assertEqual(response.status_code, 200)
        invoices_url = f"/my/invoices?subscription_id={self.sub_a.id}"
        for text in ("Next invoice", "Portal Calls", "Test Scale", "Test Lite", "Cancel now",
                     self._moves("period").name, invoices_url):  # fmt: skip
            self.assertIn(text, response.text)
        self.assertNotIn("Test Secret", response.text, "a private plan is not offered")
        self.authenticate("test_portal_b", "test_portal_b")
        response = self._page()
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.sub_a.name, response.text)
        self.authenticate(None, None)
        response = self.url_open(f"/my/subscriptions/{self.sub_a.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_upgrade_preview_is_what_is_invoiced(self):
        """The proration preview shows the amount the confirmed upgrade
        invoices; a second identical POST changes nothing."""
        self.authenticate("test_portal_a", "test_portal_a")
        preview = self.sub_a._paas_plan_change_preview(self.plan_up)
        self.assertEqual(preview["move_type"], "out_invoice")
        self.assertEqual(preview["when"], "now")
        response = self._page(f"?change_plan={self.plan_up.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("paas_plan_preview_total", response.text)
        self.assertIn("Charged now", response.text)
        self.assertEqual(self.sub_a.plan_id, self.plan_monthly, "a preview writes nothing")
        self.assertFalse(self._moves("proration"))
        data = {"plan_id": self.plan_up.id, "from_plan_id": self.plan_monthly.id}
        url = f"/my/subscriptions/{self.sub_a.id}/change_plan"
        response = self._post(url, data)
        self.assertEqual(response.status_code, 303)
        self.assertIn("paas_message=plan_changed", response.headers["Location"])
        self.assertEqual(self.sub_a.plan_id, self.plan_up)
        proration = self._moves("proration")
        self.assertEqual(len(proration), 1)
        self.assertEqual(proration.move_type, "out_invoice")
        self.assertAlmostEqual(proration.amount_untaxed, preview["total"])
        self.assertEqual(
            sorted(proration.invoice_line_ids.mapped("price_unit")),
            sorted(amount for _label, amount in preview["lines"]),
        )
        # Double submit: the same form again.
        response = self._post(url, data)
        self.assertEqual(response.status_code, 303)
        self.assertIn("paas_message=plan_unchanged", response.headers["Location"])
        self.assertEqual(len(self._moves("proration")), 1)
        self.assertEqual(len(self._events(self.sub_a, "subscription.plan_changed")), 1)
        response = self.url_open(response.headers["Location"])
        self.assertIn("already on that plan", response.text)

    def test_downgrade_now_credits_and_scheduled_downgrade(self):
        """A downgrade credits what the preview said; with the renewal policy
        it is scheduled, once, and keep renewing undoes it."""
        self.authenticate("test_portal_a", "test_portal_a")
        preview = self.sub_a._paas_plan_change_preview(self.plan_down)
        self.assertEqual(preview["move_type"], "out_refund")
        url = f"/my/subscriptions/{self.sub_a.id}/change_plan"
        response = self._post(url, {"plan_id": self.plan_down.id,
                                    "from_plan_id": self.plan_monthly.id})  # fmt: skip
        self.assertEqual(response.status_code, 303)
        refund = self._moves("proration")
        self.assertEqual(refund.move_type, "out_refund")
        self.assertAlmostEqual(refund.amount_untaxed, preview["total"])
        # Back up to the monthly plan, then a scheduled downgrade.
        self.plan_monthly.downgrade_policy = "renewal"
        self.sub_a.sudo().action_change_plan(self.plan_monthly)
        preview = self.sub_a._paas_plan_change_preview(self.plan_down)
        self.assertEqual(preview["when"], "renewal")
        self.assertFalse(preview["lines"])
        data = {"plan_id": self.plan_down.id, "from_plan_id": self.plan_monthly.id}
        for expected in ("plan_scheduled", "plan_unchanged"):
            response = self._post(url, data)
            self.assertIn(f"paas_message={expected}", response.headers["Location"])
        self.assertEqual(self.sub_a.paas_next_plan_id, self.plan_down)
        self.assertEqual(self.sub_a.plan_id, self.plan_monthly)
        self.assertEqual(len(self._events(self.sub_a, "subscription.plan_change_scheduled")), 1)
        keep = f"/my/subscriptions/{self.sub_a.id}/keep_renewing"
        for expected in ("kept", "keep_unchanged"):
            response = self._post(keep, {})
            self.assertIn(f"paas_message={expected}", response.headers["Location"])
        self.assertFalse(self.sub_a.paas_next_plan_id)

    def test_cancel_now_shows_and_makes_the_credit(self):
        """Cancel now: the credit shown before confirming is the credit note's."""
        self.authenticate("test_portal_a", "test_portal_a")
        expected = self.sub_a._paas_cancel_preview()["now"]["total"]
        self.assertAlmostEqual(expected, 30.0)
        response = self._page("?cancel=now")
        self.assertIn("paas_cancel_credit", response.text)
        self.assertIn("30.00", response.text)
        url = f"/my/subscriptions/{self.sub_a.id}/cancel"
        for message in ("cancelled", "cancel_unchanged"):
            response = self._post(url, {"when": "now"})
            self.assertEqual(response.status_code, 303)
            self.assertIn(f"paas_message={message}", response.headers["Location"])
        self.assertEqual(self.sub_a.state, "cancelled")
        credit = self._moves("cancellation")
        self.assertEqual(len(credit), 1)
        self.assertEqual(credit.move_type, "out_refund")
        self.assertAlmostEqual(credit.amount_untaxed, expected)
        self.assertEqual(len(self._events(self.sub_a, "subscription.cancelled")), 1)

    def test_cancel_at_period_end_and_keep_renewing(self):
        """Cancel at period end once (a double submit logs one event), then undo."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self._page("?cancel=period_end")
        self.assertIn("Nothing is credited", response.text)
        url = f"/my/subscriptions/{self.sub_a.id}/cancel"
        for message in ("cancel_scheduled", "cancel_unchanged"):
            response = self._post(url, {"when": "period_end"})
            self.assertIn(f"paas_message={message}", response.headers["Location"])
        self.assertTrue(self.sub_a.paas_cancel_at_period_end)
        self.assertEqual(self.sub_a.state, "active")
        self.assertEqual(len(self._events(self.sub_a, "subscription.cancel_scheduled")), 1)
        self.assertIn("Keep renewing", self._page().text)
        response = self._post(f"/my/subscriptions/{self.sub_a.id}/keep_renewing", {})
        self.assertIn("paas_message=kept", response.headers["Location"])
        self.assertFalse(self.sub_a.paas_cancel_at_period_end)

    def test_bad_posts(self):
        """Another customer's subscription: 404; no CSRF token: 400; the
        public user: login; a private plan, a stale form or a bad id: a
        message beside the form (or 400), nothing changed."""
        url = f"/my/subscriptions/{self.sub_a.id}/change_plan"
        data = {"plan_id": self.plan_up.id, "from_plan_id": self.plan_monthly.id}
        self.authenticate("test_portal_b", "test_portal_b")
        self.assertEqual(self._post(url, data).status_code, 404)
        self.assertEqual(
            self._post(f"/my/subscriptions/{self.sub_a.id}/cancel", {"when": "now"}).status_code,
            404,
        )
        self.authenticate("test_portal_a", "test_portal_a")
        self.assertEqual(self._post(url, data, csrf=False).status_code, 400)
        response = self._post(url, {"plan_id": self.plan_private.id,
                                    "from_plan_id": self.plan_monthly.id})  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertIn("paas_change_plan_error", response.text)
        self.assertIn("not offered", response.text)
        response = self._post(url, {"plan_id": self.plan_up.id, "from_plan_id": self.plan_down.id})
        self.assertEqual(response.status_code, 422)
        self.assertIn("changed since this page was shown", response.text)
        self.assertEqual(self._post(url, {"plan_id": "x", "from_plan_id": "1"}).status_code, 400)
        self.assertEqual(
            self._post(f"/my/subscriptions/{self.sub_a.id}/cancel", {"when": "later"}).status_code,
            400,
        )
        self.assertEqual(self.sub_a.plan_id, self.plan_monthly)
        self.assertEqual(self.sub_a.state, "active")
        self.authenticate(None, None)
        response = self.url_open(url, data=data, allow_redirects=False)
        self.assertIn(response.status_code, (303, 400))
        self.assertEqual(self.sub_a.plan_id, self.plan_monthly)
        response = self.url_open(
            f"/my/subscriptions/{self.sub_a.id}?change_plan={self.plan_private.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)

    # ------------------------------------------------------------------
    # Invoices
    # ------------------------------------------------------------------
    def test_invoices_of_a_subscription(self):
        """/my/invoices kept to one subscription; another customer's: 404; the
        invoice page names the subscription and the period."""
        other = self.env["woow.paas.subscription"].create(
            {"partner_id": self.customer_a.id, "plan_id": self.plan_up.id}
        )
        other.action_activate()
        mine, theirs = self._moves("period"), other.sudo().invoice_ids
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/invoices?subscription_id={self.sub_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(mine.name, response.text)
        self.assertNotIn(theirs.name, response.text)
        self.assertIn("paas_invoice_filter", response.text)
        response = self.url_open("/my/invoices")
        self.assertIn(theirs.name, response.text)
        self.assertEqual(
            self.url_open(f"/my/invoices?subscription_id={self.sub_b.id}").status_code, 404
        )
        response = self.url_open(f"/my/invoices/{mine.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("paas_invoice_subscription", response.text)
        self.assertIn(self.sub_a.name, response.text)
        self.assertIn(mine._paas_portal_periods()["period"], response.text)

    # ------------------------------------------------------------------
    # Invoices: shown as invoices, paid from the subscription page
    # ------------------------------------------------------------------
    def test_posted_invoice_is_not_a_proforma(self):
        """A posted subscription invoice (its PDF never generated: nobody
        sends it) is shown, printed and downloaded as the invoice; an
        invoice outside subscriptions keeps Odoo's proforma until sent."""
        move = self._moves("period")
        self.assertEqual(move.state, "posted")
        self.assertFalse(move.invoice_pdf_report_id)
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_a.id,
                "invoice_line_ids": [
                    Command.create({"name": "Consulting", "quantity": 1, "price_unit": 10.0})
                ],
            }
        )
        other.action_post()
        self.authenticate("test_portal_a", "test_portal_a")
        for query in ("report_type=html", "report_type=pdf", "report_type=pdf&download=true"):
            with self.subTest(query=query):
                response = self.url_open(f"/my/invoices/{move.id}?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("Proforma", response.text)
                self.assertRegex(response.text, r"<span>\s*Invoice\s*</span>")
                self.assertIn(move.name, response.text)
        disposition = self.url_open(
            f"/my/invoices/{move.id}?report_type=pdf&download=true"
        ).headers["Content-Disposition"]
        self.assertIn("attachment", disposition)
        self.assertNotIn("proforma", disposition)
        response = self.url_open(f"/my/invoices/{other.id}?report_type=html")
        self.assertIn("Proforma Invoice", response.text)
        self.authenticate("test_portal_b", "test_portal_b")
        response = self.url_open(
            f"/my/invoices/{move.id}?report_type=pdf&download=true", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303, "another customer's invoice: back to /my")
        self.assertNotIn(move.name, response.text)

    def test_unpaid_invoice_has_a_pay_button(self):
        """An open invoice on the subscription page has a Pay button to
        Odoo's payment form of that invoice; once paid, it has none."""
        move = self._moves("period")
        self.assertTrue(move._has_to_be_paid())
        self.authenticate("test_portal_a", "test_portal_a")
        page = self._page().text
        self.assertIn('name="paas_invoice_pay"', page)
        pay_url = move.get_portal_url(anchor="portal_pay", query_string="&payment=True")
        self.assertIn(html.escape(pay_url), page)
        response = self.url_open(pay_url)
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="pay_with"', response.text)
        self.assertIn('data-payment="True"', response.text)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertFalse(move._has_to_be_paid())
        page = self._page().text
        self.assertIn(move.name, page)
        self.assertNotIn('name="paas_invoice_pay"', page)
