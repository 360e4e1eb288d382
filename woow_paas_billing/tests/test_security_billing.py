"""Attacks on the billing fields and on starting paid plans: each test is
an abuse by a PaaS User, an accountant or a customer, refused with nothing
written, next to the legitimate path that must keep working."""

import uuid

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, mute_logger

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


class WoowPaasBillingSecurityCase(WoowPaasCase):
    """A token provider, a saved method for each customer, a private plan
    and a cheaper plan that downgrades at renewal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["payment.provider"].create(
            {"name": "Test Tokens", "code": "none", "state": "test", "allow_tokenization": True}
        )
        cls.token_b = cls._token(cls.customer_b)
        Plan = cls.env["woow.paas.plan"]
        cls.plan_private = Plan.create(
            {"name": "Test Private", "code": "test-private", "price": 1.0, "is_public": False}
        )
        cls.plan_cheap = Plan.create({"name": "Test Cheap", "code": "test-cheap", "price": 10.0})
        cls.plan_dear = Plan.create({"name": "Test Dear", "code": "test-dear", "price": 90.0})
        cls.plan_free = Plan.create({"name": "Test Free", "code": "test-free", "price": 0.0})
        cls.plan_monthly.downgrade_policy = "renewal"
        plans = cls.plan_monthly | cls.plan_cheap | cls.plan_dear | cls.plan_private
        plans._paas_create_products()
        plans.product_id.taxes_id = False

    @classmethod
    def _token(cls, partner):
        return cls.env["payment.token"].create(
            {
                "provider_id": cls.provider.id,
                "payment_method_id": cls.env.ref("payment.payment_method_card").id,
                "partner_id": partner.id,
                "provider_ref": f"test-ref-{partner.id}",
                "payment_details": "4242",
            }
        )

    def _active_sub(self, partner=None, plan=None, start="2026-04-01"):
        with freeze_time(start):
            sub = self._subscription(partner=partner, plan=plan, date_start=start)
            sub.action_activate()
        return sub


@tagged("post_install", "-at_install")
class TestBillingFieldsProtected(WoowPaasBillingSecurityCase):
    def test_paas_user_cannot_write_billing_fields(self):
        """A PaaS User cannot point a subscription at another customer's
        card, schedule a private plan for the renewal, or flip the dunning
        and cancellation flags with a plain write."""
        sub = self._active_sub()
        attacks = {
            "payment_token_id": self.token_b.id,
            "paas_next_plan_id": self.plan_private.id,
            "paas_suspended_for_payment": True,
            "paas_cancel_at_period_end": True,
        }
        for name, value in attacks.items():
            with self.subTest(field=name), self.assertRaises(UserError):
                sub.with_user(self.paas_user).write({name: value})
        self.assertFalse(sub.payment_token_id)
        self.assertFalse(sub.paas_next_plan_id)
        self.assertFalse(sub.paas_suspended_for_payment)
        self.assertFalse(sub.paas_cancel_at_period_end)
        with freeze_time("2026-05-01"):
            sub._paas_renew()
        self.assertEqual(sub.plan_id, self.plan_monthly, "no private plan applied at renewal")

    def test_payment_token_must_be_the_customers(self):
        """Even trusted code cannot charge a subscription on another
        customer's saved method."""
        sub = self._active_sub()
        with self.assertRaises(ValidationError):
            sub.write({"payment_token_id": self.token_b.id})
        draft = self._subscription(partner=self.customer_b)
        draft.write({"payment_token_id": self.token_b.id})
        with self.assertRaises(ValidationError):
            draft.write({"partner_id": self.customer_a.id})

    def test_paas_user_cannot_forge_stored_computed_fields(self):
        """The stored customer (which the portal rules and the charges
        trust) and the MRR figures of a subscription, and a tenant's stored
        customer, follow their sources: plain writes are refused."""
        sub = self._active_sub()
        tenant = self._tenant("forge-a", sub)
        as_user = sub.with_user(self.paas_user)
        for vals in (
            {"commercial_partner_id": self.customer_b.id},
            {"mrr": 0.0},
            {"recurring_monthly": 0.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                as_user.write(vals)
        with self.assertRaises(UserError):
            tenant.with_user(self.paas_user).write({"commercial_partner_id": self.customer_b.id})
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(sub.commercial_partner_id, self.customer_a)
        self.assertEqual(sub.mrr, 30.0)
        self.assertEqual(tenant.commercial_partner_id, self.customer_a)
        Sub = self.env["woow.paas.subscription"].with_user(self.portal_b)
        self.assertFalse(Sub.search([("id", "=", sub.id)]), "customer B never sees it")

    def test_legitimate_paths_still_write_them(self):
        """Plan change, cancellation at period end, keep renewing, a card
        saved by the customer and dunning still set the protected fields."""
        sub = self._active_sub()
        as_user = sub.with_user(self.paas_user)
        self.enterContext(freeze_time("2026-04-10"))
        as_user.action_change_plan(self.plan_cheap)
        self.assertEqual(sub.paas_next_plan_id, self.plan_cheap)
        as_user.action_keep_renewing()
        self.assertFalse(sub.paas_next_plan_id)
        as_user.action_cancel_at_period_end()
        self.assertTrue(sub.paas_cancel_at_period_end)
        as_user.action_keep_renewing()
        self.assertFalse(sub.paas_cancel_at_period_end)
        # A method the customer saves (Odoo's payment form creates it as
        # superuser) becomes the subscription's.
        token_a = self._token(self.customer_a)
        self.assertEqual(sub.payment_token_id, token_a)
        # Dunning ran by a manager's billing run (not the superuser).
        as_manager = sub.with_user(self.paas_manager)
        as_manager._paas_dunning_suspend()
        self.assertEqual((sub.state, sub.paas_suspended_for_payment), ("suspended", True))
        as_manager._paas_payment_settled()
        self.assertEqual((sub.state, sub.paas_suspended_for_payment), ("active", False))

    def test_context_cannot_skip_proration_or_credit(self):
        """A context key sent by an RPC caller neither makes an upgrade free
        until the renewal nor skips the credit note of a cancellation."""
        sub = self._active_sub()
        as_user = sub.with_user(self.paas_user).with_context(
            paas_no_proration=True, paas_no_refund=True
        )
        with freeze_time("2026-04-16"):
            as_user.action_change_plan(self.plan_dear)
        self.assertEqual(sub.plan_id, self.plan_dear)
        proration = sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "proration")
        self.assertEqual(len(proration), 1, "the upgrade is invoiced")
        self.assertEqual(proration.amount_untaxed, 30.0)
        with freeze_time("2026-04-16"):
            as_user.action_cancel(reason="test")
        credit = sub.invoice_ids.filtered(lambda m: m.paas_invoice_kind == "cancellation")
        self.assertEqual(credit.move_type, "out_refund", "the unused time is credited")

    def test_invoice_subscription_fields_are_the_platforms(self):
        """An accountant cannot tie another customer's invoice (or any
        invoice) to a subscription, whose posting would charge the
        subscription's saved method, nor touch its dunning fields."""
        sub = self._active_sub()
        self._token(self.customer_a)
        accountant = new_test_user(
            self.env, login="test_sec_accountant",
            groups="woow_paas_core.group_paas_user,account.group_account_invoice",
        )  # fmt: skip
        product = self.env["product.product"].create({"name": "Anything", "taxes_id": False})
        vals = {
            "move_type": "out_invoice",
            "partner_id": self.customer_b.id,
            "paas_subscription_id": sub.id,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": 999.0})
            ],
        }
        Move = self.env["account.move"]
        with self.assertRaises(UserError):
            Move.with_user(accountant).create(vals)
        with self.assertRaises(ValidationError):
            Move.create(vals)
        other = Move.with_user(accountant).create(dict(vals, paas_subscription_id=False))
        for name, value in (
            ("paas_subscription_id", sub.id),
            ("paas_invoice_kind", "period"),
            ("paas_payment_attempt", 9),
            ("paas_paid_emitted", True),
        ):
            with self.subTest(field=name), self.assertRaises(UserError):
                other.with_user(accountant).write({name: value})
        self.assertFalse(other.paas_subscription_id)
        self.assertEqual(
            self.env["payment.transaction"].search_count([("invoice_ids", "in", other.ids)]), 0
        )


@tagged("post_install", "-at_install")
class TestCustomerStart(WoowPaasBillingSecurityCase):
    """``_paas_start``, the one path of the REST API and the portal sign-up:
    a customer starts a paid plan only with a saved method of its own,
    else as the plan's trial (once per plan), else not at all."""

    def _customer_sub(self, plan, user=None):
        Sub = self.env["woow.paas.subscription"].with_user(user or self.portal_a).sudo()
        partner = (user or self.portal_a).partner_id
        return Sub.create({"partner_id": partner.id, "plan_id": plan.id})

    def test_paid_plan_without_method_starts_as_trial(self):
        sub = self._customer_sub(self.plan_monthly)
        self.assertEqual(sub._paas_start("active"), "trial")
        self.assertEqual(sub.state, "trial")
        self.assertFalse(sub.sudo().invoice_ids)

    def test_paid_plan_without_method_nor_trial_refused(self):
        sub = self._customer_sub(self.plan_yearly)
        for start in ("active", "trial"):
            with self.subTest(start=start), self.assertRaisesRegex(UserError, "payment method"):
                sub._paas_start(start)
        self.assertEqual(sub.state, "draft")
        self.assertFalse(sub.sudo().invoice_ids)

    def test_another_customers_method_does_not_count(self):
        self.assertTrue(self.token_b)
        sub = self._customer_sub(self.plan_yearly)
        with self.assertRaises(UserError):
            sub._paas_start("active")

    def test_paid_plan_with_own_method_starts_active(self):
        self._token(self.contact_a)
        sub = self._customer_sub(self.plan_yearly)
        self.assertEqual(sub._paas_start("active"), "active")
        self.assertEqual(sub.state, "active")
        self.assertEqual(len(sub.sudo().invoice_ids), 1)

    def test_free_plan_starts_active_without_method(self):
        sub = self._customer_sub(self.plan_free)
        self.assertEqual(sub._paas_start("active"), "active")

    def test_one_trial_per_customer_and_plan(self):
        """A second trial of the same plan is refused (even once the first
        is cancelled) unless the operator allows repeat trials; another
        customer or another plan has its own."""
        first = self._customer_sub(self.plan_monthly)
        first._paas_start("trial")
        first.sudo().action_cancel(reason="test")
        again = self._customer_sub(self.plan_monthly)
        with self.assertRaisesRegex(UserError, "already had the free trial"):
            again._paas_start("trial")
        with self.assertRaisesRegex(UserError, "already had the free trial"):
            again._paas_start("active")
        self.assertEqual(again.state, "draft")
        self.assertEqual(self._customer_sub(self.plan_monthly, self.portal_b)._paas_start("trial"),
                         "trial")  # fmt: skip
        settings = self.env["res.config.settings"].create({"paas_allow_repeat_trials": True})
        settings.execute()
        self.assertEqual(again._paas_start("trial"), "trial")

    def test_free_to_paid_plan_change_needs_a_method(self):
        """A customer on a running free plan does not move to a paid plan
        without a payment method of its own (no invoice, no change); with
        one it does, and operators are not bound."""
        sub = self._customer_sub(self.plan_free)
        sub._paas_start("active")
        with self.assertRaisesRegex(UserError, "add a payment method"):
            sub.action_change_plan(self.plan_dear)
        self.assertEqual(sub.plan_id, self.plan_free)
        self.assertFalse(sub.sudo().invoice_ids)
        self.assertFalse(sub.sudo().paas_next_plan_id)
        operator_sub = self._active_sub(partner=self.customer_b, plan=self.plan_free)
        operator_sub.with_user(self.paas_user).action_change_plan(self.plan_cheap)
        self.assertEqual(operator_sub.plan_id, self.plan_cheap)
        self._token(self.contact_a)
        sub.action_change_plan(self.plan_dear)
        self.assertEqual(sub.plan_id, self.plan_dear)

    def test_operators_start_anything(self):
        """Operators (internal users) are not bound by the customer rules."""
        first = self._customer_sub(self.plan_monthly)
        first._paas_start("trial")
        Sub = self.env["woow.paas.subscription"].with_user(self.paas_user)
        trial = Sub.create({"partner_id": self.customer_a.id, "plan_id": self.plan_monthly.id})
        self.assertEqual(trial._paas_start("trial"), "trial")
        paid = Sub.create({"partner_id": self.customer_a.id, "plan_id": self.plan_yearly.id})
        self.assertEqual(paid._paas_start("active"), "active")


@tagged("post_install", "-at_install")
class TestConcurrentTrials(BaseCase):
    """Two trials of the same customer and plan started at the same moment
    on two connections: the second waits for the first and fails to
    serialize (Odoo retries the request, which then sees the first trial).
    The rows are committed: the test uses its own customer and plan and
    deletes them afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        suffix = uuid.uuid4().hex[:10]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create(
                {"name": f"Trials {suffix}", "is_company": True, "is_paas_customer": True}
            )
            plan = env["woow.paas.plan"].create(
                {"name": f"Trials {suffix}", "code": f"trials-{suffix}", "price": 10.0,
                 "trial_days": 14}
            )  # fmt: skip
            self.ids = (partner.id, plan.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        partner_id, plan_id = self.ids
        with self.registry.cursor() as cr:
            cr.execute(SQL("SELECT id FROM woow_paas_subscription WHERE plan_id = %s", plan_id))
            sub_ids = [row[0] for row in cr.fetchall()]
            for query in (
                SQL("DELETE FROM woow_paas_event WHERE partner_id = %s OR plan_id = %s",
                    partner_id, plan_id),
                SQL("DELETE FROM mail_message WHERE model = 'woow.paas.subscription'"
                    " AND res_id = ANY(%s)", sub_ids),
                SQL("DELETE FROM mail_followers WHERE res_model = 'woow.paas.subscription'"
                    " AND res_id = ANY(%s)", sub_ids),
                SQL("DELETE FROM woow_paas_subscription WHERE id = ANY(%s)", sub_ids),
            ):  # fmt: skip
                cr.execute(query)
            env = api.Environment(cr, SUPERUSER_ID, {})
            plan = env["woow.paas.plan"].browse(plan_id)
            product = plan.product_id
            plan.unlink()
            product.product_tmpl_id.unlink()
            env["res.partner"].browse(partner_id).unlink()

    def _new_sub(self, cr):
        partner_id, plan_id = self.ids
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        return env["woow.paas.subscription"].create({"partner_id": partner_id, "plan_id": plan_id})

    @mute_logger("odoo.sql_db")
    def test_two_trials_at_once(self):
        with self.registry.cursor() as late:
            late.execute("SELECT 1")  # its snapshot predates the first trial
            with self.registry.cursor() as first:
                sub = self._new_sub(first)
                sub._paas_check_customer_start("trial")
                sub.action_start_trial()
            second = self._new_sub(late)
            with self.assertRaises(SerializationFailure):
                second._paas_check_customer_start("trial")
                second.action_start_trial()
                late.flush()
            late.rollback()
