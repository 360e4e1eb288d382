from datetime import datetime, timedelta, timezone

from lxml import html as lxml_html

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.woow_paas_portal.tests.common import PortalFiguresMixin

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestPortalFigures(PortalFiguresMixin, WoowPaasPortalBillingCase):
    """Customer A's pages with usage whose raw figures have many decimals (a
    storage gauge of 1.23456789 GB, response times averaging 123.456789
    ms, seats): every number is shown with its metric's decimals or its
    currency's, every date in the reader's format."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Metric = cls.env["woow.paas.metric"]
        cls.storage = Metric.create(
            {"name": "Portal Storage", "code": "portal_storage", "unit": "GB-days",
             "aggregation": "time_weighted_sum"}
        )  # fmt: skip
        cls.latency = Metric.create(
            {"name": "Portal Latency", "code": "portal_latency", "unit": "ms",
             "aggregation": "average"}
        )  # fmt: skip
        cls.seats = Metric.create(
            {"name": "Portal Seats", "code": "portal_seats", "unit": "seats",
             "aggregation": "max", "digits": 0}
        )  # fmt: skip
        cls.env["woow.paas.plan.metric"].create(
            [
                {"plan_id": cls.plan_monthly.id, "metric_id": cls.storage.id, "unit_price": 0.25},
                {"plan_id": cls.plan_monthly.id, "metric_id": cls.seats.id,
                 "included_quantity": 1, "unit_price": 4},
            ]
        )  # fmt: skip
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        events = [
            ("portal_storage", 1.23456789),
            ("portal_storage", 2.3456789),
            ("portal_latency", 123.456789),
            ("portal_latency", 234.5678901),
            ("portal_seats", 3),
        ]
        results = cls.env["woow.paas.usage.event"].ingest(
            [
                {"tenant": "pbill-a", "metric": metric, "quantity": quantity,
                 "timestamp": (now - timedelta(minutes=30 - n)).isoformat(),
                 "idempotency_key": f"pfig-{n}"}
                for n, (metric, quantity) in enumerate(events)
            ]
        )  # fmt: skip
        assert {r["status"] for r in results} == {"accepted"}, results
        # The pricing page: storage in MB (said in GB), API calls not included.
        ref = cls.env.ref
        cls.plan_monthly.quota_ids = [
            Command.create({"resource_id": ref("woow_paas_core.resource_storage_mb").id,
                            "limit": 20480}),
            Command.create({"resource_id": ref("woow_paas_core.resource_api_calls").id,
                            "limit": 0}),
        ]  # fmt: skip

    def _text(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return self.assertReadableFigures(response.text, url), response.text

    def test_usage_page_figures(self):
        """/my/usage: totals, daily values, chart ticks and tooltips with
        the metric's decimals and unit, dates in the reader's format, how
        each metric counts in words rather than its aggregation's name."""
        self.authenticate("test_portal_a", "test_portal_a")
        base = f"/my/usage?subscription_id={self.sub_a.id}"
        text, html = self._text(base)
        self.assertIn("Total of the period", text)
        self.assertIn("Value × days it held", text)
        self.assertIn("21 calls", text, "the highest day of the calls, whole")
        for metric in (self.storage, self.latency, self.seats):
            text, html = self._text(f"{base}&metric_id={metric.id}")
            tree = lxml_html.fromstring(html)
            ticks = tree.find_class("o_paas_usage_chart_tick")
            self.assertGreaterEqual(len(ticks), 2, "a value axis with round ticks")
            self.assertEqual(ticks[0].text_content(), "0")
            self.assertTrue(tree.find_class("o_paas_usage_chart_date"), "a time axis with dates")
            [unit] = tree.find_class("o_paas_usage_chart_unit")
            self.assertEqual(unit.text_content(), metric.unit, "the value axis says its unit")
            if metric == self.latency:
                self.assertIn("Highest day: 179.01 ms", text, "the average, 2 decimals")

    def test_subscription_page_figures(self):
        """The subscription page, its plan change and cancellation previews:
        usage lines in the metric's words and decimals, amounts with the
        sign before the currency."""
        self.authenticate("test_portal_a", "test_portal_a")
        page = f"/my/subscriptions/{self.sub_a.id}"
        text, _html = self._text(page)
        self.assertIn("Portal Seats", text)
        self.assertIn("3 seats used, 1 included, 2 ×", text)
        text, _html = self._text(f"{page}?change_plan={self.plan_down.id}")
        symbol = self.sub_a.currency_id.symbol
        self.assertIn(f"-{symbol}", text, "a negative line of the downgrade's credit note")
        self._text(f"{page}?cancel=now")
        self._text("/my/subscriptions")
        invoice = self.sub_a.invoice_ids[:1]
        self._text(invoice.get_portal_url())

    def test_pricing_page_limits(self):
        """The pricing page says limits in the unit a reader expects: 20 GB,
        and "Not included" for a limit of 0."""
        text, _html = self._text("/paas/plans")
        self.assertIn("Storage: 20 GB", text)
        self.assertIn("API Calls: Not included", text)
        self.assertNotIn("20480", text)
