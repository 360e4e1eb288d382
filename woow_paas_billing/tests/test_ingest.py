import json
from datetime import date, datetime, timezone
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL, mute_logger

from .common import NOW, WoowPaasUsageCase


@tagged("post_install", "-at_install")
class TestIngest(WoowPaasUsageCase):
    @freeze_time(NOW)
    def test_accepted_and_rolled_up(self):
        """Good events are stored as sent and rolled up per tenant, metric and day."""
        results = self.Usage.ingest(
            [
                self._event("k1", quantity=2, properties={"route": "/a"}),
                self._event("k2", quantity=3.25, timestamp="2026-03-10T23:00:00-02:00"),
            ]
        )
        self.assertEqual(
            results,
            [
                {"idempotency_key": "k1", "status": "accepted", "reason": None},
                {"idempotency_key": "k2", "status": "accepted", "reason": None},
            ],
        )
        events = self._stored().sorted("idempotency_key")
        self.assertEqual(events.mapped("quantity"), [2, 3.25])
        self.assertEqual(events[0].properties, {"route": "/a"})
        self.assertEqual(str(events[1].timestamp), "2026-03-11 01:00:00")
        self.assertEqual(events.company_id, self.tenant_a.company_id)
        rollups = self.env["woow.paas.usage.rollup"].search([("tenant_id", "=", self.tenant_a.id)])
        self.assertEqual(
            sorted((str(r.day), r.quantity_sum, r.event_count) for r in rollups),
            [("2026-03-10", 2, 1), ("2026-03-11", 3.25, 1)],
        )

    @freeze_time(NOW)
    def test_refusals(self):
        """Each bad event is refused with its reason; the good ones of the batch stay."""
        self.env["woow.paas.metric"].create({"name": "Old", "code": "old_metric", "active": False})
        draft = self._tenant("usage-draft", self.sub_a)
        archived = self._tenant("usage-archived", self.sub_a)
        archived.action_archive()
        cases = [
            (self._event("ok-1"), None),
            (self._event("u-tenant", tenant="nope"), "Unknown tenant"),
            (self._event("u-tenant-type", tenant=42), "Unknown tenant"),
            (self._event("u-metric", metric="nope"), "Unknown or archived metric"),
            (self._event("old-metric", metric="old_metric"), "Unknown or archived metric"),
            (self._event("neg", quantity=-1), "cannot be negative"),
            (self._event("nan", quantity="abc"), "must be a number"),
            (self._event("bool", quantity=True), "must be a number"),
            (self._event("none", quantity=None), "must be a number"),
            (self._event("inf", quantity=float("inf")), "must be a number"),
            (self._event("huge", quantity=10**16), "out of range"),
            (self._event("bad-ts", timestamp="yesterday"), "ISO 8601"),
            (self._event("no-ts", timestamp=None), "ISO 8601"),
            (self._event("future", timestamp="2026-03-15T12:10:00Z"), "in the future"),
            (self._event("late", timestamp="2026-02-01T00:00:00Z"), "late-arrival window"),
            (self._event(None), "idempotency_key is missing"),
            (self._event(""), "idempotency_key is missing"),
            (self._event(12), "idempotency_key is missing"),
            (self._event("x" * 256), "longer than 255"),
            (self._event("draft", tenant="usage-draft"), "not running"),
            (self._event("archived", tenant="usage-archived"), "not running"),
            (self._event("props", properties=["a"]), "JSON object"),
            (self._event("no-user", metric="test_unique_count"), "lack the key"),
            (self._event("ok-2", quantity="1.5", timestamp="2026-03-15T12:04:00Z"), None),
            (self._event("ok-3", timestamp="2026-02-08T12:00:01"), None),
        ]
        self.assertEqual(draft.state, "draft")
        results = self.Usage.ingest([event for event, _reason in cases])
        self.assertEqual(len(results), len(cases))
        for (event, reason), result in zip(cases, results, strict=True):
            with self.subTest(key=event["idempotency_key"]):
                self.assertEqual(result["idempotency_key"], event["idempotency_key"])
                if reason is None:
                    self.assertEqual(result["status"], "accepted")
                else:
                    self.assertEqual(result["status"], "rejected")
                    self.assertIn(reason, result["reason"])
        self.assertEqual(sorted(self._stored().mapped("idempotency_key")), ["ok-1", "ok-2", "ok-3"])
        self.assertFalse(self.Usage.search([("tenant_id", "in", (draft | archived).ids)]))
        rejected = self.env["woow.paas.event"].search([("event_type", "=", "usage.rejected")])
        self.assertEqual(len(rejected), 1)
        self.assertEqual(rejected.payload["rejected"], len(cases) - 3)
        self.assertEqual(rejected.payload["accepted"], 3)
        self.assertEqual(rejected.payload["reasons"]["unknown_tenant"], 2)

    @freeze_time(NOW)
    def test_check_hook(self):
        """A layer refuses more events through _ingest_check, with its reason."""

        def refuse_99(model, rows):
            return {i: "Period already invoiced." for i, row in enumerate(rows) if row[3] == 99}

        with patch.object(type(self.Usage), "_ingest_check", refuse_99):
            results = self.Usage.ingest(
                [self._event("h1", quantity=99), self._event("h1", quantity=99),
                 self._event("h2", quantity=1)]
            )  # fmt: skip
        self.assertStatuses(results, ["rejected", "rejected", "accepted"])
        self.assertEqual(results[0]["reason"], "Period already invoiced.")
        self.assertEqual(self._stored().mapped("idempotency_key"), ["h2"])

    @freeze_time(NOW)
    def test_configurable_windows(self):
        """The late-arrival window and the future tolerance come from parameters."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("woow_paas_billing.usage_late_window_days", "400")
        params.set_param("woow_paas_billing.usage_future_tolerance_seconds", "0")
        results = self.Usage.ingest(
            [
                self._event("old", timestamp="2025-03-01T00:00:00Z"),
                self._event("soon", timestamp="2026-03-15T12:00:01Z"),
            ]
        )
        self.assertStatuses(results, ["accepted", "rejected"])

    @freeze_time(NOW)
    def test_duplicates(self):
        """A key is counted once: repeated in a batch, or in later batches."""
        batch = [self._event("d1", quantity=5), self._event("d2", quantity=7),
                 self._event("d1", quantity=5)]  # fmt: skip
        self.assertStatuses(self.Usage.ingest(batch), ["accepted", "accepted", "duplicate"])
        again = self.Usage.ingest(batch + [self._event("d3", quantity=1)])
        self.assertStatuses(again, ["duplicate", "duplicate", "duplicate", "accepted"])
        self.assertIn("Already received", again[0]["reason"])
        # The same key for another tenant is another event.
        other = self.Usage.ingest([self._event("d1", tenant="usage-b", quantity=5)])
        self.assertStatuses(other, ["accepted"])
        self.assertEqual(len(self._stored()), 3)
        usage = self.tenant_a._paas_usage(self.metrics["sum"], date(2026, 3, 1), date(2026, 4, 1))
        self.assertEqual(usage, 13)
        count = self.tenant_a._paas_usage(self.metrics["count"], "2026-03-01", "2026-04-01")
        self.assertEqual(count, 0)

    def test_invalid_shape(self):
        """A batch that is not a list of objects raises a clean UserError."""
        for batch in ({"tenant": "usage-a"}, "events", None, [self._event("k"), "oops"], [[1]]):
            with self.subTest(batch=batch), self.assertRaises(UserError):
                self.Usage.ingest(batch)
        self.assertEqual(self.Usage.ingest([]), [])
        self.env["ir.config_parameter"].sudo().set_param("woow_paas_billing.usage_max_batch", 2)
        with self.assertRaises(UserError):
            self.Usage.ingest([self._event(str(n)) for n in range(3)])
        self.assertFalse(self._stored())

    @freeze_time(NOW)
    def test_portal_ingest(self):
        """A portal user sends for its own customer's tenants only."""
        Usage = self.Usage.with_user(self.portal_a)
        results = Usage.ingest(
            [self._event("p1"), self._event("p2", tenant="usage-b"),
             self._event("p3", tenant="usage-a2")]
        )  # fmt: skip
        self.assertStatuses(results, ["accepted", "rejected", "accepted"])
        self.assertEqual(results[1]["reason"], "This tenant belongs to another customer.")
        self.assertFalse(self._stored(self.tenant_b))
        # It reads its own usage and rollups, never the other customer's.
        self.Usage.ingest([self._event("b1", tenant="usage-b")])
        self.assertEqual(Usage.search([]).tenant_id, self.tenant_a | self.tenant_a2)
        Rollup = self.env["woow.paas.usage.rollup"].with_user(self.portal_b)
        self.assertEqual(Rollup.search([]).tenant_id, self.tenant_b)
        self.assertEqual(
            self.tenant_a.with_user(self.portal_a)._paas_usage(
                "test_sum", "2026-03-01", "2026-04-01"
            ),
            1,
        )
        with self.assertRaises(AccessError):
            self.tenant_b.with_user(self.portal_a)._paas_usage(
                "test_sum", "2026-03-01", "2026-04-01"
            )
        # It can neither create directly (bypassing the checks) nor change events.
        with self.assertRaises(AccessError):
            Usage.create(
                {"tenant_id": self.tenant_a.id, "metric_id": self.metrics["sum"].id,
                 "quantity": 1, "timestamp": "2026-03-10 00:00:00", "idempotency_key": "raw"}
            )  # fmt: skip
        with self.assertRaises(AccessError):
            Usage.search([], limit=1).write({"quantity": 100})

    @freeze_time(NOW)
    def test_rights(self):
        """Internal users need the PaaS group; nobody edits or deletes events."""
        internal = self.env["res.users"].create(
            {"name": "No PaaS", "login": "test_no_paas_usage",
             "group_ids": [(6, 0, [self.env.ref("base.group_user").id])]}
        )  # fmt: skip
        with self.assertRaises(AccessError):
            self.Usage.with_user(internal).ingest([self._event("x")])
        self.assertStatuses(self.Usage.with_user(self.paas_user).ingest([self._event("u")]),
                            ["accepted"])  # fmt: skip
        event = self._stored()
        with self.assertRaises(AccessError):
            event.with_user(self.paas_manager).write({"quantity": 3})
        with self.assertRaises(AccessError):
            event.with_user(self.paas_manager).unlink()

    @freeze_time(NOW)
    def test_other_company(self):
        """An internal user cannot send usage for another company's tenant."""
        other = self.env["res.company"].create({"name": "Other Co"})
        # A running subscription never changes company (core refuses it, and
        # its tenants must follow): place B's in the other company directly.
        for table, record in (("woow_paas_subscription", self.sub_b),
                              ("woow_paas_tenant", self.tenant_b)):  # fmt: skip
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET company_id = %s WHERE id = %s",
                    SQL.identifier(table),
                    other.id,
                    record.id,
                )
            )
        self.env.invalidate_all()
        results = self.Usage.with_user(self.paas_user).ingest([self._event("c", tenant="usage-b")])
        self.assertStatuses(results, ["rejected"])
        self.assertIn("company", results[0]["reason"])
        # Nor read it: the multi-company rules follow the tenant's company.
        self.Usage.ingest([self._event("c2", tenant="usage-b"), self._event("c3")])
        Usage = self.Usage.with_user(self.paas_user)
        self.assertEqual(Usage.search([]).tenant_id, self.tenant_a)
        Rollup = self.env["woow.paas.usage.rollup"].with_user(self.paas_user)
        self.assertEqual(Rollup.search([]).tenant_id, self.tenant_a)

    @freeze_time(NOW)
    def test_orm_create_rolls_up(self):
        """The slow path (a correction by hand) also keeps the rollups current."""
        self.Usage.with_user(self.paas_manager).create(
            [{"tenant_id": self.tenant_a.id, "metric_id": self.metrics["sum"].id,
              "quantity": q, "timestamp": "2026-03-02 10:00:00", "idempotency_key": f"m{q}"}
             for q in (1, 2)]
        )  # fmt: skip
        self.assertEqual(self.tenant_a._paas_usage("test_sum", "2026-03-02", "2026-03-03"), 3)
        self.assertEqual(self.tenant_a._paas_usage("test_last", "2026-03-02", "2026-03-03"), 0)


@tagged("post_install", "-at_install")
class TestIngestRpc(HttpCase, WoowPaasUsageCase):
    """Over JSON-RPC, as a customer's integration would call it."""

    def _call(self, method, *args):
        response = self.url_open(
            f"/web/dataset/call_kw/woow.paas.usage.event/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "woow.paas.usage.event",
                        "method": method,
                        "args": list(args),
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    @mute_logger("odoo.http")
    def test_rpc_ingest(self):
        """A portal session ingests for its own tenants; bad shapes answer a
        UserError and private helpers cannot be called."""
        self.authenticate("test_portal_a", "test_portal_a")
        now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
        answer = self._call(
            "ingest",
            [self._event("rpc-1", timestamp=now), self._event("rpc-2", "usage-b", timestamp=now)],
        )
        statuses = [r["status"] for r in answer["result"]]
        self.assertEqual(statuses, ["accepted", "rejected"])
        bad = self._call("ingest", {"not": "a list"})
        self.assertEqual(bad["error"]["data"]["name"], "odoo.exceptions.UserError")
        private = self._call("_ingest", [self._event("rpc-3", timestamp=now)])
        self.assertIn("error", private)
        self.assertEqual(self._stored().mapped("idempotency_key"), ["rpc-1"])
