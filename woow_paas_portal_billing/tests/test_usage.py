import csv
import io
import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import WoowPaasPortalBillingCase


@tagged("post_install", "-at_install")
class TestPortalUsage(WoowPaasPortalBillingCase):
    def test_usage_page_owner_other_public(self):
        """The owner sees the period total (billing's figure), a chart and
        the days; another customer's subscription answers 404; the public
        user goes to the login page."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open("/my/usage")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal Calls", response.text)
        self.assertIn("paas_usage_chart", response.text)
        self.assertIn('role="img"', response.text)
        self.assertIn(">21<", response.text, "the period total, 3 events of 7")
        self.assertIn(self.sub_a.name, response.text)
        self.assertNotIn(self.sub_b.name, response.text)
        url = f"/my/usage?subscription_id={self.sub_a.id}&metric_id={self.metric.id}"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertEqual(
            self.url_open(f"/my/usage?subscription_id={self.sub_b.id}").status_code, 404
        )
        self.assertEqual(self.url_open("/my/usage?period=2020-13-01").status_code, 400)
        self.assertEqual(self.url_open("/my/usage?subscription_id=abc").status_code, 400)
        self.authenticate("test_portal_b", "test_portal_b")
        response = self.url_open("/my/usage")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(">21<", response.text)
        self.authenticate(None, None)
        for url in ("/my/usage", "/my/usage.csv"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])

    def test_usage_subscription_switch(self):
        """Choosing another subscription keeps the form's period and metric,
        which belong to the first one: the page shows the chosen
        subscription's current period and first metric instead of a 404.
        Another customer's subscription still answers 404, whatever the
        period."""
        with freeze_time(fields.Date.today() - timedelta(days=45)):
            older = self._subscription(partner=self.customer_a, plan=self.plan_down)
            older.action_activate()
        self.assertNotEqual(older.current_period_start, self.sub_a.current_period_start)
        self.authenticate("test_portal_a", "test_portal_a")
        shown = self.url_open(f"/my/usage?subscription_id={self.sub_a.id}")
        period = self.sub_a.current_period_start.isoformat()
        self.assertIn(f'value="{period}" selected', shown.text)
        url = f"/my/usage?subscription_id={older.id}&period={period}&metric_id={self.metric.id}"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        current = older.current_period_start.isoformat()
        self.assertIn(f'value="{current}" selected', response.text)
        self.assertIn(f'value="{older.id}" selected', response.text)
        csv_response = self.url_open(url.replace("/my/usage?", "/my/usage.csv?"))
        self.assertEqual(csv_response.status_code, 200)
        self.assertIn(current, csv_response.headers["Content-Disposition"])
        for other in (f"period={period}", f"period={self.sub_b.current_period_start}", ""):
            response = self.url_open(f"/my/usage?subscription_id={self.sub_b.id}&{other}")
            self.assertEqual(response.status_code, 404, other)

    def test_usage_csv(self):
        """The CSV export lists the days of the period, one row per metric
        and day; another customer's subscription answers 404."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/usage.csv?subscription_id={self.sub_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment", response.headers["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.text)))
        self.assertTrue(rows)
        self.assertEqual({r["metric"] for r in rows}, {"portal_calls"})
        self.assertEqual(sum(float(r["value"]) for r in rows), 21.0, "daily sums")
        self.assertEqual(sum(int(r["events"]) for r in rows), 3)
        self.assertEqual(
            self.url_open(f"/my/usage.csv?subscription_id={self.sub_b.id}").status_code, 404
        )

    def test_last_value_of_a_day_written_by_two_sessions(self):
        """Concurrent ingestion keeps one rollup row per writing session: the
        day's last value is the latest row's, not the sum of the rows."""
        gauge = self.env["woow.paas.metric"].create(
            {"name": "Portal Seats", "code": "portal_seats", "aggregation": "last", "digits": 0}
        )
        day = fields.Date.today()
        noon = fields.Datetime.to_datetime(day).replace(hour=12)
        self.env.cr.execute(
            """
            INSERT INTO woow_paas_usage_rollup
                   (tenant_id, metric_id, day, writer_pid, event_count, quantity_sum,
                    quantity_min, quantity_max, last_quantity, last_timestamp)
            VALUES (%(t)s, %(m)s, %(d)s, 101, 1, 9, 9, 9, 9, %(early)s),
                   (%(t)s, %(m)s, %(d)s, 102, 1, 4, 4, 4, 4, %(late)s)
            """,
            {"t": self.tenant_a.id, "m": gauge.id, "d": day,
             "early": noon - timedelta(hours=1), "late": noon},
        )  # fmt: skip
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/usage.csv?subscription_id={self.sub_a.id}")
        rows = [
            r for r in csv.DictReader(io.StringIO(response.text)) if r["metric"] == "portal_seats"
        ]
        today = [r for r in rows if r["day"] == day.isoformat()]
        self.assertEqual([float(r["value"]) for r in today], [4.0])

    def test_days_by_the_rules_of_the_period(self):
        """Each day is the metric's aggregation over that day, from billing's
        aggregator like the period's total: a gauge's days (value × days it
        held, carried from day to day) add up to the total, and a unique
        count's day shows that day's distinct values."""
        # Within the late-arrival window (35 days).
        with freeze_time(fields.Date.today() - timedelta(days=20)):
            older = self._subscription(partner=self.customer_a)
            older.action_activate()
        self._tenant("pbill-a-old", older).action_provision()
        start = older.current_period_start
        Metric = self.env["woow.paas.metric"]
        gauge = Metric.create({"name": "Portal Disk", "code": "portal_disk", "unit": "GB-days",
                               "aggregation": "time_weighted_sum", "digits": 3})  # fmt: skip
        users = Metric.create({"name": "Portal Users", "code": "portal_users",
                               "aggregation": "unique_count", "property_key": "user"})  # fmt: skip
        midnight = fields.Datetime.to_datetime(start)
        events = [
            ("portal_disk", 4, midnight + timedelta(hours=12), None),  # 4 GB from noon
            ("portal_disk", 2, midnight + timedelta(days=2), None),  # 2 GB from day 3
            ("portal_users", 1, midnight + timedelta(hours=1), "u1"),
            ("portal_users", 1, midnight + timedelta(hours=2), "u1"),
            ("portal_users", 1, midnight + timedelta(hours=3), "u2"),
            ("portal_users", 1, midnight + timedelta(days=1), "u1"),
        ]
        results = self.env["woow.paas.usage.event"].ingest(
            [
                {"tenant": "pbill-a-old", "metric": code, "quantity": quantity,
                 "timestamp": stamp.isoformat(), "idempotency_key": f"old-{n}",
                 "properties": {"user": user} if user else {}}
                for n, (code, quantity, stamp, user) in enumerate(events)
            ]
        )  # fmt: skip
        self.assertEqual({r["status"] for r in results}, {"accepted"}, results)
        self.authenticate("test_portal_a", "test_portal_a")
        url = f"/my/usage.csv?subscription_id={older.id}&period={start.isoformat()}"
        rows = list(csv.DictReader(io.StringIO(self.url_open(url).text)))
        disk = {r["day"]: float(r["value"]) for r in rows if r["metric"] == "portal_disk"}
        self.assertEqual(disk[start.isoformat()], 2.0, "4 GB for half a day")
        self.assertEqual(disk[(start + timedelta(days=1)).isoformat()], 4.0, "carried over")
        self.assertEqual(disk[(start + timedelta(days=2)).isoformat()], 2.0)
        end = older.current_period_end
        total = older._paas_usage(gauge, start, end)
        self.assertAlmostEqual(sum(disk.values()), float(total), places=6)
        shown = min(end, fields.Date.today() + timedelta(days=1)) - start
        self.assertEqual(len(disk), shown.days, "every day of the period until today")
        unique = {r["day"]: float(r["value"]) for r in rows if r["metric"] == "portal_users"}
        self.assertEqual(unique[start.isoformat()], 2.0, "u1 and u2 on the first day")
        self.assertEqual(unique[(start + timedelta(days=1)).isoformat()], 1.0)
        self.assertEqual(older._paas_usage(users, start, end), 2, "the period: u1 and u2")

    def test_home_counter(self):
        """The /my home card counts the metrics used in the last 30 days."""
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["paas_usage_metric_count"]}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"], {"paas_usage_metric_count": 1})
