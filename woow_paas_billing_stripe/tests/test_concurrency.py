import threading
import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..const import PARAM_API_BASE
from .common import CARD_OK, localstripe_base


@tagged("post_install", "-at_install")
class TestConcurrentCharges(BaseCase):
    """Two charge jobs of the same invoice run at the same moment, each on its
    own database connection, and commit: one charges, the other is
    postponed, and its retry finds nothing left to do. The rows are
    committed, so the test makes its own customer and removes everything it
    made afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.suffix = uuid.uuid4().hex[:10]
        self.made = {}
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            ICP = env["ir.config_parameter"]
            self.saved_params = {
                key: ICP.get_param(key) for key in (PARAM_API_BASE, "database.uuid")
            }
            ICP.set_param(PARAM_API_BASE, localstripe_base())
            ICP.set_param("database.uuid", str(uuid.uuid4()))
            provider = env.ref("payment.payment_provider_stripe")
            self.saved_provider = provider.read(
                ["state", "stripe_secret_key", "stripe_publishable_key"]
            )[0]
            provider.write(
                {"state": "test", "stripe_secret_key": "sk_test_conc",
                 "stripe_publishable_key": "pk_test_conc"}
            )  # fmt: skip
            partner = env["res.partner"].create({"name": f"Concurrent {self.suffix}"})
            self.made["partner"] = partner.id
            plan = env["woow.paas.plan"].create(
                {"name": "Concurrent", "code": f"conc-{self.suffix}", "price": 10, "trial_days": 14}
            )
            self.made["plan"] = plan.id
            sub = env["woow.paas.subscription"].create(
                {"partner_id": partner.id, "plan_id": plan.id}
            )
            self.made["sub"] = sub.id
            # In trial: activation would post an invoice of its own.
            sub.action_start_trial()
            method = provider._paas_stripe_client().v1.payment_methods.create(
                params={"type": "card", "card": {"number": CARD_OK, "exp_month": 12,
                                                 "exp_year": 2031, "cvc": "123"}}
            )  # fmt: skip
            token = provider._paas_stripe_save_card(partner, method.id)
            self.made["token"] = token.id
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "paas_subscription_id": sub.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Period",
                                "quantity": 1,
                                "price_unit": 10,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            self.made["move"] = move.id
            move.action_post()

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            move_id = self.made.get("move")
            if move_id:
                txs = env["payment.transaction"].search([("invoice_ids", "in", [move_id])])
                moves = [move_id, *txs.payment_id.move_id.ids]
                cr.execute(SQL(
                    "DELETE FROM account_partial_reconcile WHERE debit_move_id IN"
                    " (SELECT id FROM account_move_line WHERE move_id = ANY(%s))"
                    " OR credit_move_id IN (SELECT id FROM account_move_line"
                    " WHERE move_id = ANY(%s))", moves, moves,
                ))  # fmt: skip
                cr.execute(SQL(
                    "DELETE FROM account_full_reconcile WHERE id IN (SELECT full_reconcile_id"
                    " FROM account_move_line WHERE move_id = ANY(%s))", moves,
                ))  # fmt: skip
                cr.execute(SQL("UPDATE payment_transaction SET payment_id = NULL"
                               " WHERE id = ANY(%s)", txs.ids))  # fmt: skip
                cr.execute(SQL("DELETE FROM account_payment WHERE id = ANY(%s)",
                               txs.payment_id.ids))  # fmt: skip
                cr.execute(SQL("DELETE FROM payment_transaction WHERE id = ANY(%s)", txs.ids))
                cr.execute(SQL("DELETE FROM account_move WHERE id = ANY(%s)", moves))
                cr.execute(SQL("DELETE FROM queue_job WHERE identity_key LIKE %s",
                               f"paas-charge-{move_id}-%"))  # fmt: skip
            if self.made.get("token"):
                cr.execute(SQL("DELETE FROM payment_token WHERE id = %s", self.made["token"]))
            if self.made.get("sub"):
                cr.execute(SQL(
                    "DELETE FROM woow_paas_event WHERE subscription_id = %s OR partner_id = %s",
                    self.made["sub"], self.made["partner"],
                ))  # fmt: skip
                cr.execute(SQL("DELETE FROM woow_paas_subscription WHERE id = %s",
                               self.made["sub"]))  # fmt: skip
            if self.made.get("plan"):
                cr.execute(SQL("DELETE FROM woow_paas_event WHERE plan_id = %s",
                               self.made["plan"]))  # fmt: skip
                cr.execute(SQL("DELETE FROM woow_paas_plan WHERE id = %s", self.made["plan"]))
            if self.made.get("partner"):
                cr.execute(SQL("DELETE FROM res_partner WHERE id = %s", self.made["partner"]))
            ICP = env["ir.config_parameter"]
            for key, value in self.saved_params.items():
                ICP.set_param(key, value or False)
            env.ref("payment.payment_provider_stripe").write(
                {k: v for k, v in self.saved_provider.items() if k != "id"}
            )

    def test_two_jobs_one_invoice(self):
        """Two workers charge the same invoice at once: one payment."""
        barrier = threading.Barrier(2)
        outcomes = []

        def worker():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                move = env["account.move"].browse(self.made["move"])
                barrier.wait()
                try:
                    outcomes.append(("charged", move._paas_charge(1).ids))
                except RetryableJobError:
                    cr.rollback()
                    outcomes.append(("postponed", []))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(outcomes), 2, outcomes)
        # The second finds the lock taken (postponed), or, if the first was
        # already done, nothing left to charge.
        self.assertEqual(sum(1 for _kind, ids in outcomes if ids), 1, outcomes)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            move = env["account.move"].browse(self.made["move"])
            # The postponed job's retry: nothing left to charge.
            self.assertFalse(move._paas_charge(1))
            txs = env["payment.transaction"].search([("invoice_ids", "in", move.ids)])
            self.assertEqual(len(txs), 1)
            self.assertEqual(txs.state, "done")
            self.assertEqual(len(txs.payment_id), 1)
            self.assertIn(move.payment_state, ("paid", "in_payment"))
