from datetime import datetime, timedelta, timezone

from odoo import Command, fields
from odoo.tests import tagged

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestPortalBillingQueries(WoowPaasPortalBillingCase):
    """The billing pages answer in a number of queries that does not grow
    with the customer's invoices or usage rows (bench/bench_portal_billing.py
    measures the same at 5,000 invoices)."""

    def _queries(self, url):
        self.assertEqual(self.url_open(url).status_code, 200, url)  # warm the caches
        before = self.cr.sql_log_count
        self.assertEqual(self.url_open(url).status_code, 200, url)
        return self.cr.sql_log_count - before

    def _add_invoices(self, count):
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer_a.id,
                    "paas_subscription_id": self.sub_a.id,
                    "invoice_line_ids": [
                        Command.create({"name": f"Extra {n}", "quantity": 1, "price_unit": 5.0,
                                        "tax_ids": [Command.clear()]})
                    ],
                }
                for n in range(count)
            ]
        )  # fmt: skip
        moves.action_post()

    def _add_usage(self, days):
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.env["woow.paas.usage.event"].ingest(
            [
                {
                    "tenant": "pbill-a",
                    "metric": "portal_calls",
                    "quantity": 2,
                    "timestamp": (now - timedelta(days=day, minutes=1)).isoformat(),
                    "idempotency_key": f"pbill-q-{day}",
                }
                for day in range(days)
            ]
        )

    def test_pages_bounded(self):
        """Same queries with 5 or 45 invoices and 2 or 20 days of usage."""
        today = fields.Date.context_today(self.sub_a)
        self.env.cr.execute(
            "UPDATE woow_paas_subscription SET date_start = %s, current_period_start = %s,"
            " current_period_end = %s WHERE id = %s",
            (today - timedelta(days=60), today - timedelta(days=25), today + timedelta(days=5),
             self.sub_a.id),
        )  # fmt: skip
        self.sub_a.invalidate_recordset()
        self.authenticate("test_portal_a", "test_portal_a")
        pages = (
            f"/my/subscriptions/{self.sub_a.id}",
            "/my/usage",
            "/my/usage.csv",
            "/my/invoices",
            f"/my/invoices?subscription_id={self.sub_a.id}",
        )
        self._add_invoices(5)
        self._add_usage(2)
        small = {url: self._queries(url) for url in pages}
        self._add_invoices(40)
        self._add_usage(20)
        large = {url: self._queries(url) for url in pages}
        for url in pages:
            self.assertLessEqual(large[url], small[url], f"{url}: {small[url]} -> {large[url]}")
