from decimal import Decimal

from psycopg2.errors import CheckViolation

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasUsageCase


@tagged("post_install", "-at_install")
class TestPricing(WoowPaasUsageCase):
    def _price(self, model, included=0, unit_price=0, tiers=(), metric="sum"):
        return self.env["woow.paas.plan.metric"].create(
            {
                "plan_id": self.plan_monthly.id,
                "metric_id": self.metrics[metric].id,
                "pricing_model": model,
                "included_quantity": included,
                "unit_price": unit_price,
                "tier_ids": [
                    (0, 0, {"up_to": up_to, "unit_price": price, "flat_amount": flat})
                    for up_to, price, flat in tiers
                ],
            }
        )

    def test_flat(self):
        """Flat: billable units (after the included ones) times the unit price."""
        line = self._price("flat", included=100, unit_price=0.25)
        self.assertEqual(line._compute_amount(130), Decimal("7.5"))  # 30 × 0.25
        self.assertEqual(line._compute_amount(100), Decimal(0))
        self.assertEqual(line._compute_amount(50), Decimal(0))
        self.assertEqual(line._compute_amount("100.5"), Decimal("0.125"))

    def test_graduated(self):
        """Graduated: each tier prices its own slice, its flat amount once reached."""
        line = self._price("graduated", tiers=[(100, 0.10, 0), (1000, 0.05, 2), (0, 0.01, 0)])
        # 100 × 0.10 + 900 × 0.05 + 2 + 500 × 0.01 = 10 + 45 + 2 + 5
        self.assertEqual(line._compute_amount(1500), Decimal(62))
        self.assertEqual(line._compute_amount(100), Decimal(10))
        # 10 + 1 × 0.05 + 2
        self.assertEqual(line._compute_amount(101), Decimal("12.05"))
        self.assertEqual(line._compute_amount(0), Decimal(0))
        # Exact: 3 × 0.1 is 0.3, not 0.30000000000000004.
        self.assertEqual(line._compute_amount(3), Decimal("0.3"))

    def test_graduated_after_included(self):
        """Tiers count the units beyond the included quantity."""
        line = self._price("graduated", included=1000, tiers=[(100, 0.10, 0), (0, 0.01, 0)])
        self.assertEqual(line._compute_amount(1100), Decimal(10))  # 100 × 0.10
        self.assertEqual(line._compute_amount(1300), Decimal(12))  # 10 + 200 × 0.01

    def test_volume(self):
        """Volume: the tier the total falls in prices every unit, plus its flat amount."""
        line = self._price("volume", tiers=[(100, 0.10, 0), (1000, 0.05, 2), (0, 0.01, 0)])
        self.assertEqual(line._compute_amount(1500), Decimal(15))  # 1500 × 0.01
        self.assertEqual(line._compute_amount(500), Decimal(27))  # 500 × 0.05 + 2
        self.assertEqual(line._compute_amount(100), Decimal(10))  # 100 × 0.10
        self.assertEqual(line._compute_amount(101), Decimal("7.05"))  # 101 × 0.05 + 2

    def test_rounding_at_the_end(self):
        """Amounts stay exact; only the final price is rounded to the currency."""
        line = self._price("flat", unit_price=0.0003)
        self.assertEqual(line._compute_amount(12345), Decimal("3.7035"))
        self.assertEqual(line._compute_price(12345), Decimal("3.70"))
        half = self._price("flat", unit_price=0.005, metric="count")
        self.assertEqual(half._compute_price(1), Decimal("0.01"))  # half up
        # An upgrade and a downgrade of the same size net to exactly zero.
        self.assertEqual(line._compute_amount(7) - line._compute_amount(7), Decimal(0))

    def test_tier_checks(self):
        """Tiered prices need tiers, one open tier at most, no negative price."""
        with self.assertRaises(ValidationError):
            self._price("graduated")
        with self.assertRaises(ValidationError):
            self._price("volume", tiers=[(0, 0.1, 0), (0, 0.2, 0)])
        with mute_logger("odoo.sql_db"), self.assertRaises(CheckViolation), self.cr.savepoint():
            self._price("flat", unit_price=-1)

    def test_metric_code(self):
        """Metric codes are validated and unique."""
        with self.assertRaises(ValidationError):
            self.env["woow.paas.metric"].create({"name": "Bad", "code": "Bad Code"})
        with mute_logger("odoo.sql_db"), self.assertRaises(CheckViolation), self.cr.savepoint():
            self.env["woow.paas.metric"].create(
                {"name": "Distinct", "code": "distinct", "aggregation": "unique_count"}
            )
