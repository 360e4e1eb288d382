from freezegun import freeze_time
from lxml import etree

from odoo.tests import new_test_user, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

from .common import NOW, WoowPaasUsageCase, list_columns


@tagged("post_install", "-at_install")
class TestUsageViews(WoowPaasUsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        codes = ("usage-a", "usage-a2", "usage-b")
        with freeze_time(NOW):
            cls.Usage.ingest(
                [
                    cls._event(
                        f"v{n}",
                        tenant=codes[n % 3],
                        metric=("test_sum", "test_max")[n % 2],
                        quantity=n,
                        timestamp=f"2026-03-{1 + n % 10:02d}T10:00:00Z",
                    )
                    for n in range(300)
                ]
            )

    def _open_list(self, model, limit):
        """Queries of the web client opening ``model``'s list view on ``limit`` rows."""
        arch = model.get_views([(False, "list")])["views"]["list"]["arch"]
        spec = {}
        for node in etree.fromstring(arch).iterchildren("field"):
            field = model._fields[node.get("name")]
            spec[field.name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        records = model.web_search_read([], spec, limit=limit)["records"]
        self.assertEqual(len(records), limit)
        return self.cr.sql_log_count - before

    def test_lists_without_n_plus_one(self):
        """The usage lists cost no more queries for all their rows than for a
        few (related names are read in one query per model)."""
        for name, rows in (("woow.paas.usage.event", 300), ("woow.paas.usage.rollup", 30)):
            with self.subTest(model=name):
                model = self.env[name].with_user(self.paas_user)
                self._open_list(model, 1)  # warms the rule and group caches
                few = self._open_list(model, 5)
                self.assertLessEqual(self._open_list(model, rows), few)
                self.assertLessEqual(few, 5)

    def test_pivot_by_tenant_metric_day(self):
        """Usage groups by tenant, metric and day in one grouped query."""
        groups = self.Usage.with_user(self.paas_user)._read_group(
            [], ["tenant_id", "metric_id", "timestamp:day"], ["quantity:sum", "__count"]
        )
        self.assertEqual(len(groups), 30)  # tenant, metric and day follow n % 30
        self.assertEqual(sum(g[3] for g in groups), sum(range(300)))
        self.assertEqual(sum(g[4] for g in groups), 300)


@tagged("post_install", "-at_install")
class TestInvoiceViews(WoowPaasCase):
    def test_subscription_invoices_list(self):
        """A subscription's Invoices button lists its invoices with their
        customer, date, amount due and payment status."""
        sub = self._subscription(partner=self.customer_a)
        sub.action_activate()
        clerk = new_test_user(
            self.env,
            login="test_invoice_clerk",
            groups="account.group_account_invoice,woow_paas_core.group_paas_user",
        )
        action = sub.with_user(clerk).action_view_invoices()
        view_id = {mode: view for view, mode in action["views"]}["list"]
        self.assertEqual(view_id, self.env.ref("woow_paas_billing.account_move_view_list").id)
        Move = self.env["account.move"].with_user(clerk)
        shown, arch = list_columns(Move, view_id, action["context"])
        for name in ("name", "invoice_partner_display_name", "invoice_date", "invoice_date_due",
                     "amount_residual_signed", "status_in_payment", "payment_state"):  # fmt: skip
            self.assertIn(name, shown)
        self.assertEqual(arch.xpath("field[@name='payment_state']")[0].get("widget"), "badge")
        self.assertEqual(Move.search(action["domain"]), sub.invoice_ids)
        self.assertEqual(Move.search(action["domain"]).payment_state, "not_paid")
