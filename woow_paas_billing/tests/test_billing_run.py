import threading
import uuid
from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

from odoo.addons.queue_job.tests.common import trap_jobs

from .test_invoicing import WoowPaasInvoicingCase

SUBSCRIPTIONS = 24


class Killed(BaseException):
    """A worker dying mid-batch: not an Exception, so nothing catches it."""


@tagged("post_install", "-at_install")
class TestBillingRun(WoowPaasInvoicingCase):
    def _due_subs(self, count, start="2026-01-10"):
        subs = self.env["woow.paas.subscription"]
        for _i in range(count):
            subs |= self._new_sub(start)
        return subs

    def test_run_in_batches_with_summary(self):
        """Everything due is billed in batches of jobs; a second run finds nothing."""
        subs = self._due_subs(5)
        with patch.object(fields.Date, "context_today", lambda *a, **k: date(2026, 2, 10)):
            run = self._run_billing(batch_size=2, date=date(2026, 2, 10))
            self.assertEqual(run.due_count, 5)
            self.assertEqual(run.done_count, 5)
            self.assertEqual(run.invoice_count, 5)
            self.assertEqual(run.batch_count, 3)
            self.assertIn("5 subscriptions billed", run.summary)
            for sub in subs:
                self.assertEqual(sub.current_period_start, date(2026, 2, 10))
                self.assertEqual(len(self._period_invoices(sub)), 2)
            again = self._run_billing(date=date(2026, 2, 10))
        self.assertEqual((again.due_count, again.done_count, again.invoice_count), (0, 0, 0))

    def test_double_start_refused(self):
        run = self.env["woow.paas.billing.run"].create({})
        with trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(1)
        with self.assertRaisesRegex(Exception, "already started"):
            run.action_start()

    def test_killed_batch_then_rerun(self):
        """A batch killed after its invoices were created leaves nothing
        (its transaction is rolled back); the re-run bills each period once."""
        subs = self._due_subs(4)
        today = date(2026, 2, 10)
        Subscription = type(self.env["woow.paas.subscription"])
        original = Subscription._paas_invoice_periods
        calls = []

        def dying(self_, periods, post=True):
            moves = original(self_, periods, post=post)
            calls.append(len(moves))
            if len(calls) == 1:
                raise Killed()
            return moves

        with patch.object(fields.Date, "context_today", lambda *a, **k: today):
            run = self.env["woow.paas.billing.run"].create({"date": today})
            with trap_jobs() as trap, patch.object(Subscription, "_paas_invoice_periods", dying):
                run.action_start()
                with self.assertRaises(Killed), self.cr.savepoint():
                    trap.perform_enqueued_jobs()
            self.assertEqual(calls, [4])
            self.env.invalidate_all()
            self.assertEqual(sum(len(self._period_invoices(s)) for s in subs), 4)
            rerun = self._run_billing(date=today)
        self.assertEqual(rerun.invoice_count, 4)
        for sub in subs:
            periods = self._period_invoices(sub).mapped("paas_period_start")
            self.assertEqual(sorted(periods), [date(2026, 1, 10), date(2026, 2, 10)])


@tagged("post_install", "-at_install")
class TestConcurrentBillingRuns(BaseCase):
    """Two billing runs started together, each in its own worker connection,
    commit: every due subscription is billed exactly once. Committed rows,
    so the test makes its own company and removes everything afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.suffix = uuid.uuid4().hex[:8]
        self.started = fields.Datetime.now()
        self.today = fields.Date.today()
        start = self.today - relativedelta(months=1, days=3)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.company
            partner = env["res.partner"].create({"name": f"Race {self.suffix}"})
            plan = env["woow.paas.plan"].create(
                {"name": "Race", "code": f"race-{self.suffix}", "price": 10.0,
                 "company_id": company.id}
            )  # fmt: skip
            plan.product_id.taxes_id = False
            subs = env["woow.paas.subscription"].create(
                [{"partner_id": partner.id, "plan_id": plan.id, "company_id": company.id,
                  "date_start": start} for _i in range(SUBSCRIPTIONS)]
            )  # fmt: skip
            subs.action_activate()
            self.ids = {"company": company.id, "partner": partner.id, "plan": plan.id,
                        "product": plan.product_id.id, "subs": subs.ids}  # fmt: skip
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        ids = self.ids
        with self.registry.cursor() as cr:
            subs = tuple(ids["subs"])
            moves = SQL("SELECT id FROM account_move WHERE paas_subscription_id IN %s", subs)
            for query in (
                SQL("DELETE FROM mail_message WHERE model = 'account.move' AND res_id IN (%s)",
                    moves),
                SQL("DELETE FROM account_move_line WHERE move_id IN (%s)", moves),
                SQL("DELETE FROM account_move WHERE paas_subscription_id IN %s", subs),
                SQL("DELETE FROM woow_paas_event WHERE subscription_id IN %s"
                    " OR res_model = 'woow.paas.billing.run' AND res_id IN"
                    " (SELECT id FROM woow_paas_billing_run WHERE create_date >= %s)",
                    subs, self.started),
                SQL("DELETE FROM woow_paas_billing_run WHERE create_date >= %s", self.started),
                SQL("DELETE FROM mail_message WHERE model = 'woow.paas.subscription'"
                    " AND res_id IN %s", subs),
                SQL("DELETE FROM woow_paas_subscription WHERE id IN %s", subs),
                SQL("DELETE FROM woow_paas_plan WHERE id = %s", ids["plan"]),
                SQL("DELETE FROM res_partner WHERE id = %s", ids["partner"]),
            ):  # fmt: skip
                cr.execute(query)

    def _run(self, barrier, errors):
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(
                    cr, SUPERUSER_ID, {"allowed_company_ids": [self.ids["company"]]}
                )

                def work():
                    run = env["woow.paas.billing.run"].create(
                        {"company_id": self.ids["company"], "batch_size": 5}
                    )
                    # Synchronously: the run's batches in this one transaction.
                    run.with_context(queue_job__no_delay=True).action_start()

                barrier.wait(timeout=30)
                # A concurrency error is retried in a new transaction, as
                # queue_job does for a job.
                retrying(work, env)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    def test_two_runs_at_once(self):
        barrier = threading.Barrier(2)
        errors = []
        threads = [threading.Thread(target=self._run, args=(barrier, errors)) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(errors)
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT paas_subscription_id, paas_period_start, count(*) FROM account_move"
                    " WHERE paas_subscription_id IN %s AND paas_invoice_kind = 'period'"
                    " GROUP BY 1, 2",
                    tuple(self.ids["subs"]),
                )
            )
            rows = cr.fetchall()
            cr.execute(
                SQL(
                    "SELECT sum(done_count), sum(failed_count) FROM woow_paas_billing_run"
                    " WHERE create_date >= %s",
                    self.started,
                )
            )
            done, failed = cr.fetchone()
        self.assertEqual(len(rows), 2 * SUBSCRIPTIONS)  # first period + the renewal
        self.assertEqual({row[2] for row in rows}, {1})
        self.assertEqual((done, failed), (SUBSCRIPTIONS, 0))
