from datetime import date, timedelta
from decimal import Decimal

from freezegun import freeze_time

from odoo.tests import tagged

from .common import NOW, WoowPaasUsageCase

# (timestamp, quantity, user id): one event before the period, five in
# [2026-03-01, 2026-03-11), one on the excluded end day.
SERIES = [
    ("2026-02-27T00:00:00Z", 3, "u0"),
    ("2026-03-01T00:00:00Z", 10, "u1"),
    ("2026-03-01T12:00:00Z", 4, "u2"),
    ("2026-03-03T06:00:00Z", "7.5", "u1"),
    ("2026-03-05T00:00:00+01:00", 2, "u3"),  # 2026-03-04 23:00 UTC
    ("2026-03-10T18:00:00Z", 6, "u2"),
    ("2026-03-11T00:00:00Z", 100, "u9"),
]


@tagged("post_install", "-at_install")
class TestAggregation(WoowPaasUsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(NOW):
            events = [
                cls._event(f"{agg}-{n}", metric=f"test_{agg}", quantity=quantity,
                           timestamp=stamp, properties={"user_id": user})
                for agg in cls.metrics
                for n, (stamp, quantity, user) in enumerate(SERIES)
            ]  # fmt: skip
            results = cls.Usage.ingest(events)
        assert {r["status"] for r in results} == {"accepted"}, results

    def _usage(self, agg, date_from=date(2026, 3, 1), date_to=date(2026, 3, 11), records=None):
        return (records or self.tenant_a)._paas_usage(self.metrics[agg], date_from, date_to)

    @freeze_time(NOW)
    def test_rollup_aggregations(self):
        """Sum, count, min, max, average and last, worked out by hand."""
        # In the period: 10, 4, 7.5, 2 (late on 03-04 UTC), 6.
        self.assertEqual(self._usage("sum"), Decimal("29.5"))
        self.assertEqual(self._usage("count"), 5)
        self.assertEqual(self._usage("min"), 2)
        self.assertEqual(self._usage("max"), 10)
        self.assertEqual(self._usage("average"), Decimal("5.9"))
        self.assertEqual(self._usage("last"), 6)
        # One day: 2026-03-01 holds 10 then 4.
        one_day = {"date_from": "2026-03-01", "date_to": "2026-03-02"}
        self.assertEqual(self._usage("sum", **one_day), 14)
        self.assertEqual(self._usage("last", **one_day), 4)
        self.assertEqual(self._usage("average", **one_day), 7)
        # Nothing reported: zero.
        self.assertEqual(self._usage("sum", date(2025, 1, 1), date(2025, 2, 1)), 0)
        self.assertEqual(self._usage("sum", records=self.tenant_b), 0)

    @freeze_time(NOW)
    def test_unique_count(self):
        """Unique count: distinct user ids of the period (u1, u2, u3)."""
        self.assertEqual(self._usage("unique_count"), 3)
        self.assertEqual(self._usage("unique_count", "2026-03-01", "2026-03-02"), 2)

    @freeze_time(NOW)
    def test_time_weighted_sum(self):
        """Time-weighted sum: each value times the days it held, in GB-days."""
        # 10 for 12 h, 4 for 42 h (to 03-03 06:00), 7.5 for 41 h (to 03-04 23:00),
        # 2 for 139 h (to 03-10 18:00), 6 for 6 h: 909.5 value-hours.
        hours = 10 * 12 + 4 * 42 + Decimal("7.5") * 41 + 2 * 139 + 6 * 6
        self.assertAlmostEqual(self._usage("time_weighted_sum"), hours / 24, places=9)
        # Carried in from before the period: 4 holds from 03-02 00:00 to 03-03 06:00
        # (30 h), then 7.5 until 03-04 00:00 (18 h).
        carried = (4 * 30 + Decimal("7.5") * 18) / Decimal(24)
        self.assertAlmostEqual(
            self._usage("time_weighted_sum", "2026-03-02", "2026-03-04"), carried, places=9
        )
        # A running period stops at now (03-15 12:00): 100 held 4.5 days since 03-11.
        self.assertAlmostEqual(
            self._usage("time_weighted_sum", "2026-03-11", "2026-04-01"),
            Decimal(450),
            places=9,
        )

    @freeze_time(NOW)
    def test_subscription_usage(self):
        """A subscription adds up the usage of all its tenants."""
        self.Usage.ingest(
            [
                self._event("a2-1", tenant="usage-a2", quantity=5, timestamp="2026-03-02T00:00:00"),
                self._event("a2-2", tenant="usage-a2", metric="test_max", quantity=50,
                            timestamp="2026-03-02T00:00:00"),
                self._event("a2-3", tenant="usage-a2", metric="test_unique_count", quantity=1,
                            timestamp="2026-03-02T00:00:00", properties={"user_id": "u7"}),
            ]
        )  # fmt: skip
        self.assertEqual(self._usage("sum", records=self.sub_a), Decimal("34.5"))
        self.assertEqual(self._usage("max", records=self.sub_a), 50)
        self.assertEqual(self._usage("unique_count", records=self.sub_a), 4)
        self.assertEqual(self._usage("sum", records=self.sub_b), 0)
        self.assertEqual(self.tenant_a._paas_usage("test_sum", "2026-03-01", "2026-03-11"), 29.5)

    @freeze_time(NOW)
    def test_last_value_of_several_tenants(self):
        """A last value over several tenants adds up each tenant's latest
        value (a subscription's seats are all its tenants' seats), whichever
        reported last."""
        self.Usage.ingest(
            [self._event("a2-last", tenant="usage-a2", metric="test_last", quantity=7,
                         timestamp="2026-03-02T00:00:00")]
        )  # fmt: skip
        self.assertEqual(self._usage("last", records=self.sub_a), 13)
        self.assertEqual(self._usage("last", records=self.tenant_a | self.tenant_a2), 13)
        self.assertEqual(self._usage("last"), 6)
        self.assertEqual(self._usage("last", "2026-03-01", "2026-03-02", records=self.sub_a), 4)

    @freeze_time(NOW)
    def test_batch_aggregator(self):
        """One call of the aggregator answers every aggregation of many
        periods and tenant sets as the single calls do, in one query per
        kind of aggregation (rollups, last value, unique count,
        time-weighted sum) whatever the number of requests."""
        self.Usage.ingest(
            [self._event(f"a2-{agg}", tenant="usage-a2", metric=f"test_{agg}", quantity=5,
                         timestamp="2026-03-03T00:00:00", properties={"user_id": "u8"})
             for agg in self.metrics]
        )  # fmt: skip
        periods = [
            (date(2026, 3, 1), date(2026, 3, 11)),
            (date(2026, 3, 2), date(2026, 3, 4)),
            (date(2026, 3, 11), date(2026, 4, 1)),
            (date(2026, 4, 1), date(2026, 5, 1)),  # after now
            (date(2025, 1, 1), date(2025, 2, 1)),  # nothing reported
        ]
        tenant_sets = [self.tenant_a, self.tenant_a | self.tenant_a2, self.tenant_b]
        requests = [
            ((agg, start, tuple(tenants.ids)), self.metrics[agg], tenants.ids, start, end)
            for agg in self.metrics
            for start, end in periods
            for tenants in tenant_sets
        ]
        Metric = self.env["woow.paas.metric"]
        Metric.browse([m.id for m in self.metrics.values()]).fetch(["aggregation", "property_key"])
        with self.assertQueryCount(4):
            batch = Metric._paas_aggregate(requests)
        self.assertEqual(len(batch), len(requests))
        for key, metric, tenant_ids, start, end in requests:
            single = self.env["woow.paas.tenant"].browse(tenant_ids)._paas_usage(metric, start, end)
            self.assertEqual(batch[key], single, key)
        self.assertEqual(batch["sum", date(2026, 3, 1), tuple(self.tenant_b.ids)], 0)
        self.assertEqual(
            batch["sum", date(2026, 3, 1), tuple((self.tenant_a | self.tenant_a2).ids)],
            Decimal("34.5"),
        )

    @freeze_time(NOW)
    def test_days_add_up_to_the_period(self):
        """Sum, count and time-weighted sum add up over days: the figures of
        the days of a period, asked in one batch, add up to the period's."""
        Metric = self.env["woow.paas.metric"]
        days = [date(2026, 3, 1) + timedelta(days=n) for n in range(14)]
        for agg in ("sum", "count", "time_weighted_sum"):
            metric = self.metrics[agg]
            figures = Metric._paas_aggregate(
                [(day, metric, self.tenant_a.ids, day, day + timedelta(days=1)) for day in days]
            )
            self.assertAlmostEqual(
                sum(figures.values()), self._usage(agg, days[0], days[-1] + timedelta(days=1)),
                places=9, msg=agg,
            )  # fmt: skip
        # A day's unique count is the distinct values of that day.
        unique = Metric._paas_aggregate(
            [(day, self.metrics["unique_count"], self.tenant_a.ids, day, day + timedelta(days=1))
             for day in days[:3]]
        )  # fmt: skip
        self.assertEqual([unique[day] for day in days[:3]], [2, 0, 1])

    @freeze_time(NOW)
    def test_resource_usage(self):
        """A metric linked to a core resource answers for that resource."""
        api_calls = self.env.ref("woow_paas_core.resource_api_calls")
        self.assertIsNone(
            self.tenant_a._paas_resource_usage("api_calls", "2026-03-01", "2026-03-11")
        )
        self.metrics["sum"].resource_id = api_calls
        self.assertEqual(
            self.tenant_a._paas_resource_usage("api_calls", "2026-03-01", "2026-03-11"),
            Decimal("29.5"),
        )

    @freeze_time(NOW)
    def test_rollups_match_raw_events(self):
        """The rollups kept incrementally equal those rebuilt from the raw events."""
        Rollup = self.env["woow.paas.usage.rollup"]
        fields_ = ["tenant_id", "metric_id", "day", "event_count", "quantity_sum",
                   "quantity_min", "quantity_max", "last_quantity", "last_timestamp"]  # fmt: skip

        def snapshot():
            return sorted(
                tuple(row[f] for f in fields_) for row in Rollup.search([]).read(fields_, load=None)
            )

        before = snapshot()
        keys = [(r.tenant_id.id, r.metric_id.id, r.day) for r in Rollup.search([])]
        self.assertEqual(len(keys), 8 * 6)  # 8 metrics × 6 days
        self.Usage._rollup_rebuild(keys)
        self.assertEqual(snapshot(), before)
        day = Rollup.search(
            [("tenant_id", "=", self.tenant_a.id), ("metric_id", "=", self.metrics["sum"].id),
             ("day", "=", "2026-03-01")]
        )  # fmt: skip
        self.assertEqual(
            (day.event_count, day.quantity_sum, day.quantity_min, day.quantity_max,
             day.last_quantity),
            (2, 14, 4, 10, 4),
        )  # fmt: skip

    @freeze_time(NOW)
    def test_deleting_rebuilds_rollups(self):
        """Only the superuser deletes events, and the rollups follow."""
        events = self.Usage.search(
            [("idempotency_key", "in", ("sum-2", "last-2")), ("tenant_id", "=", self.tenant_a.id)]
        )
        self.assertEqual(len(events), 2)
        events.unlink()
        self.assertEqual(self._usage("sum"), Decimal("25.5"))
        self.assertEqual(self._usage("last", "2026-03-01", "2026-03-02"), 10)
