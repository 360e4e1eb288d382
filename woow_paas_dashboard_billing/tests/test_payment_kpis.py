from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.woow_paas_billing.tests.common import list_columns
from odoo.addons.woow_paas_billing.tests.test_invoicing import WoowPaasInvoicingCase


@tagged("post_install", "-at_install")
class TestPaymentKpis(WoowPaasInvoicingCase):
    """Failed payments and the amount at risk, from the event log, worked
    out by hand: three invoices, February and March 2026, two currencies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rate = cls.env["res.currency.rate"]
        # 1 USD = 1 EUR in January and February, 2 EUR from March.
        Rate.create({"currency_id": cls.eur.id, "name": "2026-01-01", "rate": 1.0})
        Rate.create({"currency_id": cls.eur.id, "name": "2026-03-01", "rate": 2.0})
        subs = [cls._new_sub(cls, day) for day in ("2026-01-10", "2026-02-05", "2026-02-06")]
        cls.inv1, cls.inv2, cls.inv3 = (sub.invoice_ids[:1] for sub in subs)
        Event = cls.env["woow.paas.event"]
        for when, event_type, move, amount, currency in (
            ("2026-02-20 09:00:00", "payment.failed", cls.inv1, 30.0, "USD"),
            ("2026-02-25 09:00:00", "payment.failed", cls.inv3, 100.0, "EUR"),
            ("2026-03-02 09:00:00", "payment.failed", cls.inv1, 30.0, "USD"),
            ("2026-03-05 09:00:00", "payment.failed", cls.inv2, 30.0, "USD"),
            ("2026-03-10 09:00:00", "invoice.paid", cls.inv1, 30.0, "USD"),
        ):
            with freeze_time(when):
                Event._emit(event_type, move, {"amount": amount, "currency": currency})

    def _kpis(self, plan_ids=None):
        with freeze_time("2026-03-31 12:00:00"):
            data = (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_user)
                .with_context(tz="UTC")
                .get_dashboard("2026-03-01", "2026-03-31", plan_ids=plan_ids)
            )
        return {kpi["key"]: kpi for kpi in data["kpis"]}

    def test_failed_payments_and_amount_at_risk(self):
        kpis = self._kpis()
        failed = kpis["failed_payments"]
        # March: inv1's second attempt and inv2; February: inv1 and inv3.
        self.assertEqual((failed["value"], failed["previous"]), (2, 2))
        self.assertEqual(failed["trend"][-3:], [0, 2, 2])
        self.assertEqual(self.env["woow.paas.event"].search_count(failed["drill"]["domain"]), 2)
        risk = kpis["amount_at_risk"]
        # End of March: inv1 was paid; inv2 30 USD + inv3 100 EUR at 0.5 = 80.
        # End of February: inv1 30 + inv3 100 EUR at 1.0 = 130.
        self.assertEqual((risk["value"], risk["previous"]), (80.0, 130.0))
        self.assertEqual(risk["trend"][-3:], [0.0, 130.0, 80.0])
        self.assertEqual(risk["drill"]["res_model"], "account.move")
        self.assertEqual(risk["drill"]["ids"], sorted((self.inv2 | self.inv3).ids))

    def test_amount_at_risk_lists_the_customers(self):
        """The invoices behind the amount at risk open in billing's list of
        subscription invoices: customer, amount due and payment status."""
        drill = self._kpis()["amount_at_risk"]["drill"]
        self.assertEqual(
            drill["list_view_id"], self.env.ref("woow_paas_billing.account_move_view_list").id
        )
        shown, __ = list_columns(
            self.env["account.move"], drill["list_view_id"], drill.get("context") or {}
        )
        for name in ("invoice_partner_display_name", "amount_residual_signed", "payment_state"):
            self.assertIn(name, shown)

    def test_plan_filter_and_past_dates(self):
        """A plan filter narrows both cards; a later payment does not change
        what a past period shows."""
        kpis = self._kpis([self.plan_yearly.id])
        self.assertEqual(kpis["failed_payments"]["value"], 0)
        self.assertEqual(kpis["amount_at_risk"]["value"], 0.0)
        with freeze_time("2026-04-02 09:00:00"):
            self.env["woow.paas.event"]._emit(
                "invoice.paid", self.inv2, {"amount": 30.0, "currency": "USD"}
            )
        self.assertEqual(self._kpis()["amount_at_risk"]["value"], 80.0)
