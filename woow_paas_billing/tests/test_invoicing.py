from datetime import date
from decimal import Decimal

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.woow_paas_core.formatting import format_money

from .common import WoowPaasUsageCase


class WoowPaasInvoicingCase(WoowPaasUsageCase):
    """Usage case plus invoicing helpers; no taxes on the plan products so
    that amounts are the ones worked out by hand (taxes have their test)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"]
        cls.Sub = cls.env["woow.paas.subscription"]
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.plan_big = cls.env["woow.paas.plan"].create(
            {"name": "Test Big", "code": "test-big", "price": 60.0, "downgrade_policy": "renewal"}
        )
        cls.plan_odd = cls.env["woow.paas.plan"].create(
            {"name": "Test Odd", "code": "test-odd", "price": 29.99}
        )
        cls.plan_odd_big = cls.env["woow.paas.plan"].create(
            {"name": "Test Odd Big", "code": "test-odd-big", "price": 49.99}
        )
        plans = cls.plan_monthly | cls.plan_yearly | cls.plan_big | cls.plan_odd | cls.plan_odd_big
        products = plans.product_id | cls.env["woow.paas.metric"].search([]).product_id
        products.taxes_id = False

    def _run_billing(self, **vals):
        """Start a billing run and perform its batch jobs until it is done."""
        run = self.env["woow.paas.billing.run"].create(vals)
        with trap_jobs() as trap:
            run.action_start()
            batches = 0
            while trap.enqueued_jobs:
                trap.perform_enqueued_jobs()
                batches += 1
        self.assertEqual(run.state, "done")
        self.assertEqual(run.batch_count, batches)
        return run

    def _period_invoices(self, sub):
        return sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "period")

    def _new_sub(self, start, plan=None, partner=None):
        with freeze_time(start):
            sub = self._subscription(partner=partner or self.customer_a, plan=plan,
                                     date_start=start)  # fmt: skip
            sub.action_activate()
        return sub


@tagged("post_install", "-at_install")
class TestInvoicing(WoowPaasInvoicingCase):
    def test_activation_invoices_first_period(self):
        """Activation invoices the first period in advance, posted, with the
        plan's product and an invoice.posted event."""
        sub = self._new_sub("2026-03-01")
        invoice = self._period_invoices(sub)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.amount_untaxed, 30.0)
        self.assertEqual(invoice.partner_id, self.customer_a)
        self.assertEqual(invoice.invoice_origin, sub.name)
        self.assertEqual(
            (invoice.paas_period_start, invoice.paas_period_end),
            (date(2026, 3, 1), date(2026, 4, 1)),
        )
        self.assertFalse(invoice.paas_usage_start)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.plan_monthly.product_id)
        events = self.env["woow.paas.event"].search(
            [("event_type", "=", "invoice.posted"), ("subscription_id", "=", sub.id)]
        )
        self.assertEqual(len(events), 1)
        self.assertEqual(events.payload["amount_total"], 30.0)
        self.assertEqual(events.payload["period_start"], "2026-03-01")

    def test_renewal_invoices_period_and_usage(self):
        """The renewal invoices the new period and the ended one's usage."""
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": self.metrics["sum"].id,
             "included_quantity": 10, "unit_price": 0.5}
        )  # fmt: skip
        sub = self._new_sub("2026-03-01")
        tenant = self._tenant("inv-renew", sub)
        tenant.action_provision()
        with freeze_time("2026-03-20 12:00:00"):
            results = self.Usage.ingest(
                [
                    self._event("r1", "inv-renew", quantity=25, timestamp="2026-03-10T10:00:00Z"),
                    self._event("r2", "inv-renew", quantity=5, timestamp="2026-03-20T05:00:00Z"),
                    self._event("r3", "inv-renew", quantity=100, timestamp="2026-02-28T10:00:00Z"),
                ]
            )
        self.assertStatuses(results, ["accepted"] * 3)
        with freeze_time("2026-04-01"):
            self.Sub._cron_renew_periods()
        self.assertEqual(sub.current_period_start, date(2026, 4, 1))
        invoice = self._period_invoices(sub).filtered(
            lambda m: m.paas_period_start == date(2026, 4, 1)
        )
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(
            (invoice.paas_usage_start, invoice.paas_usage_end), (date(2026, 3, 1), date(2026, 4, 1))
        )
        # 30 recurring + (30 used − 10 included) × 0.5 = 40; February's 100 are not March's.
        self.assertEqual(invoice.amount_untaxed, 40.0)
        usage_line = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.metrics["sum"].product_id
        )
        # The customer's words: the metric, the period, the figures with the
        # metric's decimals and the price in money; no aggregation label.
        price = format_money(self.env, 0.5, self.plan_monthly.currency_id)
        self.assertEqual(
            usage_line.name,
            f"Test Sum, 03/01/2026 to 03/31/2026: 30.00 used, 10.00 included, 20.00 × {price}",
        )
        # Renewing the same period again (a re-run) invoices nothing more.
        with freeze_time("2026-04-01"):
            self.Sub._paas_invoice_periods(
                [(sub, (date(2026, 4, 1), date(2026, 5, 1)), (date(2026, 3, 1), date(2026, 4, 1)))]
            )
        self.assertEqual(len(self._period_invoices(sub)), 2)

    def test_invoice_pdf_shows_period_and_usage(self):
        """The printed invoice carries the period, the usage period and the
        usage detail of each metric line."""
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": self.metrics["sum"].id,
             "included_quantity": 2, "unit_price": 3}
        )  # fmt: skip
        sub = self._new_sub("2026-03-01")
        tenant = self._tenant("inv-pdf", sub)
        tenant.action_provision()
        with freeze_time("2026-03-20 12:00:00"):
            self.Usage.ingest([self._event("p1", "inv-pdf", quantity=5,
                                           timestamp="2026-03-19T10:00:00Z")])  # fmt: skip
        with freeze_time("2026-04-01"):
            self.Sub._cron_renew_periods()
        invoice = self._period_invoices(sub).filtered(
            lambda m: m.paas_period_start == date(2026, 4, 1)
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", invoice.ids)[0]
            .decode()
        )
        self.assertIn("paas_period", html)
        self.assertIn("04/30/2026", html)  # the period's last day
        self.assertIn("03/31/2026", html)  # the usage period's last day
        self.assertIn("5.00 used", html)
        self.assertIn("2.00 included", html)
        self.assertIn("3.00 ×", html)

    def test_period_key_is_unique_in_sql(self):
        """Even a direct second invoice for a period is refused by PostgreSQL."""
        sub = self._new_sub("2026-03-01")
        vals = sub._paas_invoice_vals(
            "period", [sub._paas_recurring_line(date(2026, 3, 1), date(2026, 4, 1))],
            (date(2026, 3, 1), date(2026, 4, 1)),
        )  # fmt: skip
        with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation), self.cr.savepoint():
            self.Move.create(vals)
            self.Move.flush_model()
        # A cancelled invoice frees its period.
        self._period_invoices(sub).button_draft()
        self._period_invoices(sub).button_cancel()
        self.Move.flush_model()
        self.Move.create(vals).action_post()
        self.assertEqual(len(self._period_invoices(sub).filtered(lambda m: m.state == "posted")), 1)

    def test_tiers_are_lines(self):
        """Graduated tiers give one line each; volume one line; amounts by hand."""
        line = self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": self.metrics["sum"].id,
             "pricing_model": "graduated", "included_quantity": 100,
             "tier_ids": [Command.create({"up_to": 100, "unit_price": 0.10}),
                          Command.create({"up_to": 1000, "unit_price": 0.05, "flat_amount": 2}),
                          Command.create({"up_to": 0, "unit_price": 0.01})]}
        )  # fmt: skip
        sub = self._new_sub("2026-03-01")
        usage = {(sub.id, self.metrics["sum"].id): 1600}  # 1,500 billable
        lines = sub._paas_usage_lines(usage, date(2026, 3, 1), date(2026, 4, 1))
        # 100 × 0.10 = 10; 900 × 0.05 + 2 = 47; 500 × 0.01 = 5
        self.assertEqual([vals["price_unit"] for vals in lines], [10.0, 47.0, 5.0])
        self.assertIn("tier 2", lines[1]["name"])
        line.pricing_model = "volume"
        lines = sub._paas_usage_lines(usage, date(2026, 3, 1), date(2026, 4, 1))
        # 1,500 falls in the open tier: 1,500 × 0.01
        self.assertEqual([vals["price_unit"] for vals in lines], [15.0])
        usage = {(sub.id, self.metrics["sum"].id): 50}
        lines = sub._paas_usage_lines(usage, date(2026, 3, 1), date(2026, 4, 1))
        self.assertEqual([vals["price_unit"] for vals in lines], [0.0])
        self.assertIn("50.00 used", lines[0]["name"])

    def test_usage_line_reads_as_the_customer_reads(self):
        """An invoice line of a gauge metric says its figures with the
        metric's decimals and unit, its unit prices in money with the
        decimals they have, a tier's flat amount only when there is one,
        and no aggregation label ("(Time-Weighted Sum)")."""
        metric = self.metrics["time_weighted_sum"]
        metric.unit = "GB-days"
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": metric.id,
             "pricing_model": "graduated", "included_quantity": 10,
             "tier_ids": [Command.create({"up_to": 20, "unit_price": 0.0005}),
                          Command.create({"up_to": 0, "unit_price": 0.25, "flat_amount": 3})]}
        )  # fmt: skip
        sub = self._new_sub("2026-03-01")
        usage = {(sub.id, metric.id): Decimal("58.2438227881252083")}
        lines = sub._paas_usage_lines(usage, date(2026, 3, 1), date(2026, 4, 1))
        names = [vals["name"] for vals in lines]
        currency = self.plan_monthly.currency_id
        head = (
            "Test Time-Weighted Sum, 03/01/2026 to 03/31/2026: 58.24 GB-days used, 10.00 included"
        )
        tier_2 = format_money(self.env, 0.25, currency)
        flat = format_money(self.env, 3, currency)
        self.assertEqual(
            names,
            [
                f"{head}, tier 1: 20.00 × {format_money(self.env, 0.0005, currency, digits=4)}",
                f"{head}, tier 2: 28.24 × {tier_2} + {flat}",
            ],
        )
        self.assertFalse(any("(" in name for name in names), names)
        # Counted metrics show whole numbers.
        self.assertEqual(self.metrics["count"].digits, 0)
        self.assertEqual(self.metrics["unique_count"].digits, 0)
        self.assertEqual(metric.digits, 2)

    def test_taxes_from_product_and_fiscal_position(self):
        """Taxes come from the plan's product; the customer's fiscal position maps them."""
        tax = self.env["account.tax"].create({"name": "Test VAT 20", "amount": 20.0,
                                              "type_tax_use": "sale"})  # fmt: skip
        exempt = self.env["account.tax"].create({"name": "Test Exempt", "amount": 0.0,
                                                 "type_tax_use": "sale"})  # fmt: skip
        self.plan_monthly.product_id.taxes_id = tax
        sub = self._new_sub("2026-03-01")
        self.assertEqual(self._period_invoices(sub).amount_total, 36.0)
        fpos = self.env["account.fiscal.position"].create({"name": "Test Export"})
        tax.fiscal_position_ids = fpos
        exempt.write({"fiscal_position_ids": fpos.ids, "original_tax_ids": tax.ids})
        self.customer_b.property_account_position_id = fpos
        sub_b = self._new_sub("2026-03-01", partner=self.customer_b)
        self.assertEqual(self._period_invoices(sub_b).amount_total, 30.0)


@tagged("post_install", "-at_install")
class TestCurrencies(WoowPaasInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").implied_ids = [
            Command.link(cls.env.ref("product.group_product_pricelist").id)
        ]
        cls.pricelist_eur = cls.env["product.pricelist"].create(
            {"name": "EUR customers", "currency_id": cls.eur.id}
        )
        cls.customer_b.property_product_pricelist = cls.pricelist_eur

    def test_eur_customer_pays_eur_price(self):
        """A customer with an EUR pricelist pays the plan's EUR price, in EUR."""
        self.env["woow.paas.plan.price"].create(
            {"plan_id": self.plan_monthly.id, "currency_id": self.eur.id, "price": 27.0}
        )
        sub = self._new_sub("2026-03-01", partner=self.customer_b)
        self.assertEqual(sub.currency_id, self.eur)
        self.assertEqual(sub.price, 27.0)
        invoice = self._period_invoices(sub)
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.amount_untaxed, 27.0)

    def test_plan_without_customer_currency_refused(self):
        """No EUR price on the plan: an EUR customer cannot subscribe to it."""
        with self.assertRaisesRegex(ValidationError, "not sold in EUR"), self.cr.savepoint():
            self._subscription(partner=self.customer_b, plan=self.plan_big)
        self.assertFalse(self.Sub.search([("partner_id", "=", self.customer_b.id),
                                          ("plan_id", "=", self.plan_big.id)]))  # fmt: skip

    def test_proration_in_eur_with_taxes_nets_zero(self):
        """In EUR with a 21 % tax: up then down on the same day, mid-period,
        invoice and credit note are equal to the cent, taxes included."""
        tax = self.env["account.tax"].create(
            {"name": "Test VAT 21", "amount": 21.0, "type_tax_use": "sale"}
        )
        (self.plan_odd | self.plan_odd_big).product_id.taxes_id = tax
        self.env["woow.paas.plan.price"].create(
            [
                {"plan_id": self.plan_odd.id, "currency_id": self.eur.id, "price": 27.33},
                {"plan_id": self.plan_odd_big.id, "currency_id": self.eur.id, "price": 45.67},
            ]
        )
        sub = self._new_sub("2026-02-01", plan=self.plan_odd, partner=self.customer_b)
        with freeze_time("2026-02-11"):
            sub.action_change_plan(self.plan_odd_big)
            sub.action_change_plan(self.plan_odd)
        up, down = sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "proration").sorted(
            "move_type"
        )
        self.assertEqual((up.move_type, down.move_type), ("out_invoice", "out_refund"))
        self.assertEqual(up.currency_id, self.eur)
        # 18 of 28 days: 45.67 × 18/28 = 29.36, 27.33 × 18/28 = 17.57
        self.assertEqual(up.amount_untaxed, 11.79)
        self.assertEqual(up.amount_tax, 2.48)
        self.assertEqual(down.amount_total, up.amount_total)

    def test_change_to_plan_without_currency_refused(self):
        self.env["woow.paas.plan.price"].create(
            {"plan_id": self.plan_monthly.id, "currency_id": self.eur.id, "price": 27.0}
        )
        sub = self._new_sub("2026-03-01", partner=self.customer_b)
        with self.assertRaisesRegex(UserError, "no price in EUR"):
            sub.action_change_plan(self.plan_big)
        self.assertEqual(sub.plan_id, self.plan_monthly)


@tagged("post_install", "-at_install")
class TestProration(WoowPaasInvoicingCase):
    def _change(self, sub, plan, day):
        with freeze_time(day):
            sub.action_change_plan(plan)
        return sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "proration")

    def test_upgrade_mid_period(self):
        """30 → 60 on 16 April of a 30-day period: 15 days left, credit 15,
        charge 30: an invoice of 15 at once, on its own."""
        sub = self._new_sub("2026-04-01")
        proration = self._change(sub, self.plan_big, "2026-04-16")
        self.assertEqual(len(proration), 1)
        self.assertEqual(proration.move_type, "out_invoice")
        self.assertEqual(proration.state, "posted")
        self.assertEqual(sorted(proration.invoice_line_ids.mapped("price_subtotal")), [-15.0, 30.0])
        self.assertEqual(proration.amount_untaxed, 15.0)
        self.assertEqual(sub.plan_id, self.plan_big)
        self.assertEqual(sub.price, 60.0)

    def test_upgrade_first_and_last_day(self):
        """On the first day the whole period is swapped; on the last, one day."""
        sub = self._new_sub("2026-04-01")
        first = self._change(sub, self.plan_big, "2026-04-01")
        self.assertEqual(first.amount_untaxed, 30.0)  # 60 − 30
        sub2 = self._new_sub("2026-04-01")
        last = self._change(sub2, self.plan_big, "2026-04-30")
        self.assertEqual(last.amount_untaxed, 1.0)  # (60 − 30) / 30

    def test_upgrade_then_downgrade_nets_zero(self):
        """Up and down on the same day (downgrade now with a credit note):
        exactly zero in total, with prices that do not divide evenly."""
        sub = self._new_sub("2026-03-01", plan=self.plan_odd)
        up = self._change(sub, self.plan_odd_big, "2026-03-15")
        down = self._change(sub, self.plan_odd, "2026-03-15") - up
        self.assertEqual(up.move_type, "out_invoice")
        self.assertEqual(down.move_type, "out_refund")
        # 17 of 31 days: 49.99 × 17/31 = 27.41, 29.99 × 17/31 = 16.45
        self.assertEqual(up.amount_untaxed, 10.96)
        self.assertEqual(down.amount_total, up.amount_total)
        self.assertEqual(down.reversed_entry_id, self._period_invoices(sub))
        self.assertEqual(sub.plan_id, self.plan_odd)

    def test_downgrade_at_renewal(self):
        """Policy "at renewal": a downgrade waits for the end of the paid period,
        then the new period is invoiced at the new price."""
        sub = self._new_sub("2026-04-01", plan=self.plan_big)
        self.assertFalse(self._change(sub, self.plan_monthly, "2026-04-10"))
        self.assertEqual(sub.plan_id, self.plan_big)
        self.assertEqual(sub.paas_next_plan_id, self.plan_monthly)
        with freeze_time("2026-05-01"):
            self.Sub._cron_renew_periods()
        self.assertEqual(sub.plan_id, self.plan_monthly)
        self.assertFalse(sub.paas_next_plan_id)
        may = self._period_invoices(sub).filtered(lambda m: m.paas_period_start == date(2026, 5, 1))
        self.assertEqual(may.amount_untaxed, 30.0)
        self.assertFalse(sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "proration"))

    def test_yearly_upgrade(self):
        """A yearly subscription upgraded half way through a 365-day year."""
        yearly_big = self.env["woow.paas.plan"].create(
            {"name": "Big Yearly", "code": "test-big-yearly", "price": 2400.0,
             "billing_interval": "year"}
        )  # fmt: skip
        yearly_big.product_id.taxes_id = False
        sub = self._new_sub("2026-01-01", plan=self.plan_yearly)
        # 1 Jan 2026 → 1 Jan 2027 is 365 days; from 2 July, 183 remain.
        proration = self._change(sub, yearly_big, "2026-07-02")
        # 2400 × 183/365 = 1203.29; 1200 × 183/365 = 601.64
        self.assertEqual(sorted(proration.invoice_line_ids.mapped("price_subtotal")),
                         [-601.64, 1203.29])  # fmt: skip


@tagged("post_install", "-at_install")
class TestCancellation(WoowPaasInvoicingCase):
    def test_cancel_now_credits_unused_days(self):
        sub = self._new_sub("2026-04-01")
        with freeze_time("2026-04-21"):
            sub.action_cancel(reason="Moving away")
        refund = sub.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_untaxed, 10.0)  # 10 of 30 days of 30
        self.assertEqual(refund.reversed_entry_id, self._period_invoices(sub))
        self.assertEqual(sub.state, "cancelled")

    def test_cancel_at_period_end(self):
        """Through the wizard: no credit note; at the period end, a last invoice
        for the usage and the subscription is cancelled instead of renewed."""
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": self.metrics["sum"].id, "unit_price": 1}
        )
        sub = self._new_sub("2026-04-01")
        tenant = self._tenant("inv-cancel", sub)
        tenant.action_provision()
        with freeze_time("2026-04-10"):
            self.Usage.ingest([self._event("c1", tenant="inv-cancel", quantity=7,
                                           timestamp="2026-04-09T08:00:00Z")])  # fmt: skip
            wizard = self.env["woow.paas.subscription.cancel"].create(
                {"subscription_ids": sub.ids, "reason": "Too expensive", "when": "period_end"}
            )
            wizard.action_confirm()
        self.assertEqual(sub.state, "active")
        self.assertTrue(sub.paas_cancel_at_period_end)
        with freeze_time("2026-05-01"):
            self.Sub._cron_renew_periods()
        self.assertEqual(sub.state, "cancelled")
        self.assertEqual(sub.cancel_reason, "Cancelled at the end of the paid period.")
        last = sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "cancellation")
        self.assertEqual(last.amount_untaxed, 7.0)
        self.assertFalse(sub.invoice_ids.filtered(lambda m: m.move_type == "out_refund"))
        self.assertEqual(len(self._period_invoices(sub)), 1)


@tagged("post_install", "-at_install")
class TestLateUsage(WoowPaasInvoicingCase):
    def setUp(self):
        super().setUp()
        self.env["woow.paas.plan.metric"].create(
            {"plan_id": self.plan_monthly.id, "metric_id": self.metrics["sum"].id, "unit_price": 1}
        )
        self.sub = self._new_sub("2026-03-01")
        self.tenant = self._tenant("inv-late", self.sub)
        self.tenant.action_provision()

    def test_invoiced_period_refuses_events(self):
        with freeze_time("2026-04-01"):
            self.Sub._cron_renew_periods()
        with freeze_time("2026-04-02"):
            results = self.Usage.ingest(
                [self._event("l1", tenant="inv-late", timestamp="2026-03-31T12:00:00Z"),
                 self._event("l2", tenant="inv-late", timestamp="2026-04-01T12:00:00Z")]
            )  # fmt: skip
        self.assertStatuses(results, ["rejected", "accepted"])
        self.assertEqual(results[0]["reason"], "timestamp is in a usage period already invoiced.")
        self.assertEqual(len(self._stored(self.tenant)), 1)

    def test_grace_keeps_draft_and_rerates(self):
        """With a grace period the renewal invoice waits in draft; a late event
        is accepted and the billing run posts the invoice re-rated."""
        self.env["ir.config_parameter"].set_param("woow_paas_billing.invoice_grace_days", "3")
        with freeze_time("2026-03-20"):
            self.Usage.ingest([self._event("g1", tenant="inv-late", quantity=4,
                                           timestamp="2026-03-19T12:00:00Z")])  # fmt: skip
        with freeze_time("2026-04-01"):
            self.Sub._cron_renew_periods()
        april = self._period_invoices(self.sub).filtered(
            lambda m: m.paas_period_start == date(2026, 4, 1)
        )
        self.assertEqual(april.state, "draft")
        self.assertEqual(april.amount_untaxed, 34.0)
        with freeze_time("2026-04-02"):
            results = self.Usage.ingest(
                [self._event("g2", "inv-late", quantity=6, timestamp="2026-03-31T12:00:00Z")]
            )
        self.assertStatuses(results, ["accepted"])
        with freeze_time("2026-04-03"):
            self._run_billing()
        self.assertEqual(april.state, "draft")  # grace not over on the 3rd
        with freeze_time("2026-04-04"):
            run = self._run_billing()
        self.assertEqual(april.state, "posted")
        self.assertEqual(april.amount_untaxed, 40.0)
        self.assertEqual(run.posted_draft_count, 1)
