import re
from datetime import datetime

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.woow_paas_core.history import (
    HISTORY_COLUMNS,
    HISTORY_PAYLOAD_KEYS,
    TRANSITION_KEYS,
)
from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from ..models.dashboard_sql import FRAGMENTS, dashboard_fragment_query
from ..models.woow_paas_dashboard_compute import _values
from ..models.woow_paas_dashboard_segment import SEGMENT_CTES, TENANT_SEGMENT_CTES

B1, B2, B3 = datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)
SEG_COLUMNS = (
    "(sub_id, partner_id, company_id, currency_id, state, prev_state, t0, t1, amount,"
    " prev_amount, plan_id, prev_plan_id)"
)


def _rows(*rows):
    return SQL(", ").join(SQL("(%s)", SQL(", ").join(SQL("%s", v) for v in row)) for row in rows)


@tagged("post_install", "-at_install")
class TestSqlFragments(TransactionCase):
    """Each fragment of the dashboard's statement alone, on a small fixture
    of the fragments it reads: one window ``cur`` over the bounds
    Jan 1 (1), Feb 1 (2) and Mar 1 (3), one currency at rate 1.

    ========  ===========================================================
    sub 1     customer 10, plan 7, active at 30 since Dec 15, cancelled Feb 10
    sub 2     customer 20, plan 8, trial Jan 5, active at 50 from Jan 15
    tenant 5  active since Dec 20
    tenant 6  provisioning Feb 15, active from Feb 16
    ========  ===========================================================
    """

    def _inputs(self):
        ts = "::timestamp"
        sseg = SQL(
            "VALUES %s",
            _rows(
                (1, 10, 1, 1, "active", "draft", "2025-12-15", "2026-02-10", 30, 30, 7, 7),
                (1, 10, 1, 1, "cancelled", "active", "2026-02-10", "infinity", 30, 30, 7, 7),
                (2, 20, 1, 1, "trial", "draft", "2026-01-05", "2026-01-15", 50, 50, 8, 8),
                (2, 20, 1, 1, "active", "trial", "2026-01-15", "infinity", 50, 50, 8, 8),
            ),
        )
        # Text values typed once, in a wrapping select.
        sseg = SQL(
            "SELECT sub_id, partner_id, company_id, currency_id, state::varchar,"
            " prev_state::varchar, t0%s AS t0, t1%s AS t1, amount::numeric,"
            " prev_amount::numeric, plan_id, prev_plan_id FROM (%s) v%s",
            SQL(ts), SQL(ts), sseg, SQL(SEG_COLUMNS),
        )  # fmt: skip
        ttseg = SQL(
            "SELECT tenant_id, company_id, plan_id, state::varchar, t0::timestamp AS t0,"
            " t1::timestamp AS t1"
            " FROM (VALUES %s) v(tenant_id, company_id, plan_id, state, t0, t1)",
            _rows(
                (5, 1, 7, "active", "2025-12-20", "infinity"),
                (6, 1, 8, "provisioning", "2026-02-15", "2026-02-16"),
                (6, 1, 8, "active", "2026-02-16", "infinity"),
            ),
        )
        positions = [(0, 1, 3)]
        bounds_in = [(n, i, 1, si, ei, 1.0, 1.0) for n, si, ei in positions for i in range(2, 4)]
        bounds_end = [(n, i, 1, si, ei, 1.0, 1.0) for n, si, ei in positions for i in range(1, 3)]
        return {
            "win": (
                "(k, s, e, si, ei, n, rt)",
                SQL("VALUES ('cur', %s::timestamp, %s::timestamp, 1, 3, 0, TRUE)", B1, B3),
            ),
            "cur": (
                "(currency_id, starts, rates)",
                SQL("VALUES (1, '{}'::timestamp[], '{1.0}'::float8[])"),
            ),
            "wrate": (
                "(k, currency_id, rs, re)",
                SQL("VALUES ('cur', 1, 1.0::float8, 1.0::float8)"),
            ),
            "wlo": ("(n, i, currency_id, si, ei, rs, re)", SQL("VALUES %s", _values(bounds_in))),
            "whi": ("(n, i, currency_id, si, ei, rs, re)", SQL("VALUES %s", _values(bounds_end))),
            "sseg": ("", sseg),
            "ttseg": ("", ttseg),
        }

    def _params(self):
        return {
            # No company: the stored snapshot adds nothing to the fixture.
            "companies": [-1, 1],
            "first_bound": B1,
            "dirty_subs": [],
            "dirty_tenants": [],
            "paying": list(SUBSCRIPTION_PAYING),
            "plan_filter": SQL("TRUE"),
            "prev_plan_filter": SQL("TRUE"),
            "tenant_plan_filter": SQL("TRUE"),
            "bounds": SQL("%s::timestamp[]", [B1, B2, B3]),
            "digits": 2,
        }

    def _select(self, name):
        inputs = self._inputs()
        # The snapshot tables hold other companies' rows: keep only the fixture.
        self.env.cr.execute("SAVEPOINT fragment")
        self.env.cr.execute(
            "DELETE FROM woow_paas_dashboard_segment;"
            " DELETE FROM woow_paas_dashboard_tenant_segment"
        )
        self.env.cr.execute(dashboard_fragment_query(name, inputs, **self._params()))
        names = [desc[0] for desc in self.env.cr.description]
        rows = [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]
        self.env.cr.execute("ROLLBACK TO SAVEPOINT fragment")
        return rows

    def test_every_fragment_runs_alone(self):
        """Each fragment runs on the fixture, given only what it reads, and
        says what it holds."""
        for name, fragment in FRAGMENTS.items():
            with self.subTest(fragment=name):
                self.assertTrue(fragment.doc)
                self._select(name)

    def test_segs_and_seg(self):
        self.assertEqual(len(self._select("segs")), 4)
        seg = {(r["sub_id"], r["state"]): r for r in self._select("seg")}
        self.assertTrue(seg[1, "active"]["paying"])
        self.assertFalse(seg[1, "cancelled"]["paying"])
        self.assertEqual(seg[1, "cancelled"]["prev_amt"], 30)
        self.assertEqual(seg[2, "trial"]["amt"], 0)

    def test_mrows(self):
        moves = {(r["sub_id"], r["state"]): r for r in self._select("mrows")}
        self.assertTrue(moves[2, "active"]["is_new"])
        self.assertEqual(moves[2, "active"]["b"], 1)
        self.assertTrue(moves[1, "cancelled"]["is_churn"])
        self.assertEqual(moves[1, "cancelled"]["b"], 2)
        self.assertTrue(moves[1, "active"]["is_new"])
        self.assertEqual(moves[1, "active"]["b"], 0)

    def test_buckets_and_flows(self):
        buckets = {r["b"]: r for r in self._select("buckets")}
        self.assertEqual(buckets[1]["new_mrr"], 50)
        self.assertEqual(buckets[2]["churned_mrr"], 30)
        [flows] = self._select("flows")
        self.assertEqual(
            (flows["new_mrr"], flows["new_count"], flows["churned_mrr"], flows["churned_count"]),
            (50, 1, 30, 1),
        )
        self.assertEqual((flows["trials"], flows["trials_converted"]), (1, 1))
        [ids] = self._select("flow_ids")
        self.assertEqual((ids["new_ids"], ids["churned_ids"], ids["trial_ids"]), ([2], [1], [2]))

    def test_coverage_and_stocks(self):
        cov = {r["sub_id"]: (r["lo"], r["hi"]) for r in self._select("cov")}
        self.assertEqual(cov, {1: (1, 2), 2: (2, 3)})
        masks = {r["partner_id"]: r["pm"] for r in self._select("ppm")}
        self.assertEqual(masks, {10: 0b011, 20: 0b110})
        [stocks] = self._select("stocks")
        self.assertEqual((stocks["mrr_start"], stocks["mrr"]), (30, 50))
        [mrr_ids] = self._select("mrr_ids")
        self.assertEqual(mrr_ids["mrr_ids"], [2])

    def test_retention_and_customers(self):
        [retention] = self._select("retention")
        self.assertEqual(retention["base_churned_mrr"], 30)
        self.assertEqual(retention["joined_mrr"], 50)
        self.assertEqual(retention["base_expansion_mrr"], 0)
        [customers] = self._select("customers")
        self.assertEqual(
            (customers["customers_start"], customers["customers"], customers["customers_lost"]),
            (1, 1, 1),
        )
        [ids] = self._select("customer_ids")
        self.assertEqual((ids["customer_ids"], ids["lost_customer_ids"]), ([20], [10]))

    def test_tenants_and_plans(self):
        [tenants] = self._select("tenants")
        self.assertEqual(tenants["tenant_states"], {"active": 2})
        [ids] = self._select("tenant_ids")
        self.assertEqual(sorted(ids["tenant_ids"]), [5, 6])
        [plans] = self._select("plans")
        self.assertEqual(plans["plan_mrr"], {"8": 50})

    def test_segments_read_only_the_declared_history(self):
        """The segment CTEs read the payload keys and the columns of core's
        tables that ``woow_paas_core.history`` declares, and no other."""
        code = re.sub(r"--[^\n]*", "", SEGMENT_CTES + TENANT_SEGMENT_CTES)
        declared = set(TRANSITION_KEYS)
        for keys in HISTORY_PAYLOAD_KEYS.values():
            declared.update(key.split(".")[0] for key in keys)
            declared.update(key.split(".")[-1] for key in keys)
        read = set(re.findall(r"->>?'(\w+)'", code)) | set(re.findall(r"payload \? '(\w+)'", code))
        self.assertTrue(read)
        self.assertLessEqual(read, declared)
        for alias, table in (
            ("s", "woow_paas_subscription"),
            ("t", "woow_paas_tenant"),
            ("e", "woow_paas_event"),
            ("plan", "woow_paas_plan"),
        ):
            with self.subTest(table=table):
                columns = set(re.findall(rf"\b{alias}\.(\w+)", code))
                self.assertTrue(columns)
                self.assertLessEqual(columns, set(HISTORY_COLUMNS[table]))
