from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING


class WoowPaasSubscription(models.Model):
    """Billing of ``woow.paas.subscription``: its invoices, currency,
    payment method and the billing side of its moves (activation, renewal,
    plan change, cancellation).

    This file holds the fields and the overrides of the subscription's
    moves; the invoicing lives in
    ``woow.paas.subscription.billing.invoice.mixin``, the invoicing of
    periods in ``woow.paas.subscription.billing.renewal.mixin``, proration
    in ``woow.paas.subscription.billing.proration.mixin`` and payments in
    ``woow.paas.subscription.dunning.mixin``.
    """

    _name = "woow.paas.subscription"
    _inherit = [
        "woow.paas.subscription",
        "woow.paas.subscription.billing.invoice.mixin",
        "woow.paas.subscription.billing.renewal.mixin",
        "woow.paas.subscription.billing.proration.mixin",
        "woow.paas.subscription.dunning.mixin",
    ]

    invoice_ids = fields.One2many(
        "account.move",
        "paas_subscription_id",
        string="Invoices",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    paas_next_plan_id = fields.Many2one(
        "woow.paas.plan",
        string="Next Plan",
        readonly=True,
        copy=False,
        help="Downgrade scheduled for the end of the paid period.",
    )
    paas_cancel_at_period_end = fields.Boolean(
        string="Cancels at Period End",
        readonly=True,
        copy=False,
        help="The subscription is cancelled instead of renewed when its period ends.",
    )

    paas_billing_preview = fields.Html(
        string="Next Invoice",
        compute="_compute_paas_billing_preview",
        sanitize=True,
        help="Usage of the current period and what the next renewal would invoice today.",
    )

    # ------------------------------------------------------------------
    # Payments: the payment method of a subscription (its methods are in
    # ``woow.paas.subscription.dunning.mixin``)
    # ------------------------------------------------------------------
    payment_token_id = fields.Many2one(
        "payment.token",
        string="Payment Method",
        domain="[('partner_id', 'child_of', commercial_partner_id), ('active', '=', True)]",
        ondelete="set null",
        readonly=True,
        copy=False,
        tracking=True,
        help="Saved payment method charged for each posted invoice. Empty: the"
        " customer's latest saved method; none at all: invoices wait for a manual payment."
        " A method the customer saves becomes the one of its subscriptions without one.",
    )
    paas_suspended_for_payment = fields.Boolean(
        string="Suspended for Non-Payment",
        copy=False,
        readonly=True,
        help="Dunning suspended it: paying the invoice brings it back with its tenants.",
    )

    def _compute_paas_billing_preview(self):
        for sub in self:
            lines, total = sub._paas_next_invoice_preview()
            if not lines:
                sub.paas_billing_preview = False
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
                % (label, format_amount(self.env, amount, sub.currency_id))
                for label, amount in lines
            )
            sub.paas_billing_preview = Markup(
                "<p>%s</p><table class='table table-sm'><tbody>%s</tbody><tfoot><tr>"
                "<th>%s</th><th class='text-end'>%s</th></tr></tfoot></table>"
            ) % (
                self.env._(
                    "Next invoice on %s, before taxes, with the usage known now:",
                    format_date(self.env, sub.current_period_end),
                ),
                rows,
                self.env._("Total"),
                format_amount(self.env, total, sub.currency_id),
            )

    def _compute_invoice_count(self):
        # A count, not the invoices: visible to whoever sees the subscription.
        counts = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("paas_subscription_id", "in", self.ids)], ["paas_subscription_id"], ["__count"]
            )
        )
        for sub in self:
            sub.invoice_count = counts.get(sub, 0)

    # ------------------------------------------------------------------
    # Currency: the customer's
    # ------------------------------------------------------------------
    @api.depends("plan_id", "partner_id", "company_id")
    def _compute_plan_terms(self):
        return super()._compute_plan_terms()

    def _paas_billing_currency(self):
        """The customer's currency is the one of their pricelist (Odoo's
        pricelists feature, by customer or by country group); without
        pricelists, the plan's."""
        self.ensure_one()
        company = self.company_id or self.env.company
        partner = self.partner_id.commercial_partner_id.with_company(company).sudo()
        return partner.property_product_pricelist.currency_id or super()._paas_billing_currency()

    @api.constrains("plan_id", "currency_id")
    def _check_plan_sold_in_currency(self):
        for sub in self:
            if sub.plan_id and sub.plan_id._paas_price_in(sub.currency_id) is None:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s is not sold in %(currency)s, the currency of "
                        "%(customer)s: add a %(currency)s price to the plan or choose a plan "
                        "sold in %(currency)s.",
                        plan=sub.plan_id.name,
                        currency=sub.currency_id.name,
                        customer=sub.partner_id.commercial_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Protected fields and customer starts
    # ------------------------------------------------------------------
    def _paas_protected_fields(self):
        fields_ = super()._paas_protected_fields()
        fields_.update(
            {
                "payment_token_id": (
                    None,
                    self.env._(
                        "the customer's saved payment method is used (saved on the portal, "
                        "or the latest one)"
                    ),
                ),
                "paas_next_plan_id": (None, self.env._("use Change Plan")),
                "paas_cancel_at_period_end": (
                    None,
                    self.env._("use Cancel at Period End or Keep Renewing"),
                ),
                "paas_suspended_for_payment": (None, self.env._("dunning sets it")),
                "invoice_ids": (None, self.env._("invoices come from the billing runs")),
            }
        )
        return fields_

    @api.constrains("payment_token_id", "partner_id")
    def _check_payment_token_owner(self):
        for sub in self.sudo().filtered("payment_token_id"):
            owner = sub.payment_token_id.partner_id.commercial_partner_id
            if owner != sub.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The payment method of subscription %(sub)s must be one of its "
                        "customer %(customer)s.",
                        sub=sub.name,
                        customer=sub.partner_id.commercial_partner_id.display_name,
                    )
                )

    def _paas_check_customer_start(self, start):
        """Override of ``woow_paas_core``: a customer starts a paid plan
        only with a usable payment method (see :meth:`_paas_payment_tokens`);
        without one it gets the plan's trial, or is refused when the plan
        has none."""
        self.ensure_one()
        paying = start == "active" or (start == "trial" and self.plan_id.trial_days <= 0)
        if paying and self._paas_is_paid() and not self.sudo()._paas_payment_token():
            if self.plan_id.trial_days <= 0:
                raise UserError(
                    self.env._(
                        "Plan %s is paid and has no free trial: add a payment method first.",
                        self.plan_id.name,
                    )
                )
            start = "trial"
        return super()._paas_check_customer_start(start)

    # ------------------------------------------------------------------
    # Invoicing periods
    # ------------------------------------------------------------------
    def action_activate(self):
        started = self.filtered(lambda s: s.state in ("draft", "trial"))
        result = super().action_activate()
        started._paas_invoice_current_period()
        return result

    def _paas_on_trial_expired(self):
        """A trial that ends becomes a paying subscription: its first period
        is invoiced (and charged by the payment layer)."""
        return self.action_activate()

    def _paas_resume(self):
        before = {sub.id: sub.current_period_start for sub in self}
        result = super()._paas_resume()
        self.filtered(
            lambda s: s.current_period_start != before[s.id]
        )._paas_invoice_current_period()
        return result

    def _paas_renew(self):
        """Invoice the new period in advance and the ended one's usage in
        arrears; subscriptions set to cancel at period end are cancelled with
        a last invoice for their usage instead."""
        seen = {sub.id: sub.current_period_end for sub in self}
        self._paas_lock_for_billing()
        # Renewed meanwhile by a concurrent run: nothing left to do for them.
        subs = self.filtered(lambda s: s.current_period_end == seen[s.id])
        ending = subs.filtered("paas_cancel_at_period_end")
        if ending:
            ending._paas_cancel_at_end()
        subs -= ending
        scheduled = subs.filtered(
            lambda s: (
                s.paas_next_plan_id and s.paas_next_plan_id.billing_interval == s.billing_interval
            )
        )
        for plan, group in scheduled.grouped("paas_next_plan_id").items():
            group.sudo().with_context(paas_no_proration=True).action_change_plan(plan)
            group.sudo().write({"paas_next_plan_id": False})
        ended = {sub.id: (sub.current_period_start, sub.current_period_end) for sub in subs}
        result = super(WoowPaasSubscription, subs)._paas_renew()
        self._paas_invoice_periods(
            [
                (sub, (sub.current_period_start, sub.current_period_end), ended[sub.id])
                for sub in subs
            ]
        )
        return result

    # ------------------------------------------------------------------
    # Plan changes: proration
    # ------------------------------------------------------------------
    def action_change_plan(self, plan):
        """Upgrades charge the prorated difference now on an invoice of its
        own; downgrades follow the current plan's downgrade policy: at the
        end of the paid period, or now with a credit note. Both lines of a
        change (credit of the unused old plan, charge of the new one) are
        rounded once each, so an upgrade and a downgrade on the same day net
        to exactly zero."""
        plan = self.env["woow.paas.plan"].browse(getattr(plan, "id", plan)).exists()
        # The context arrives from RPC callers too: it skips proration only
        # for trusted code (a scheduled downgrade applied at renewal).
        if not plan or (self.env.su and self.env.context.get("paas_no_proration")):
            return super().action_change_plan(plan)
        self.check_access("write")
        if self.env.user.share:
            self._paas_check_customer_plan_change(plan)
        today = fields.Date.context_today(self)
        paying = self.filtered(
            lambda s: s.state in SUBSCRIPTION_PAYING and s.plan_id != plan and s.current_period_end
        )
        before = {sub.id: sub._paas_plan_snapshot(today) for sub in paying}
        deferred = paying.filtered(lambda s: s._paas_plan_change_deferred(plan))
        if deferred:
            deferred._paas_check_plan_change(plan)
            deferred.sudo().write({"paas_next_plan_id": plan.id})
            deferred._message_log_batch(
                bodies=dict.fromkeys(
                    deferred.ids,
                    Markup("%s")
                    % self.env._("Downgrade to %s scheduled for the end of the period.", plan.name),
                )
            )
            self.env["woow.paas.event"]._emit(
                "subscription.plan_change_scheduled",
                deferred,
                lambda s: {
                    "to_plan": plan.code,
                    "effective": fields.Date.to_string(s.current_period_end),
                },
            )
        now = self - deferred
        now.filtered("paas_next_plan_id").sudo().write({"paas_next_plan_id": False})
        result = super(WoowPaasSubscription, now).action_change_plan(plan)
        (now & paying)._paas_prorate(before, today)
        return result

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------
    def action_cancel(self, reason=None):
        """Cancel now and credit the unused part of the paid period (unless
        trusted code, as superuser, says ``paas_no_refund`` in the context:
        a context key from an RPC caller never skips the credit)."""
        today = fields.Date.context_today(self)
        no_refund = self.env.su and self.env.context.get("paas_no_refund")
        refund = [
            (sub, sub._paas_remaining_fraction(today), sub.current_period_end)
            for sub in self
            if sub.state in SUBSCRIPTION_PAYING and not no_refund
        ]
        credits = {
            sub.id: sub._paas_cancel_credit_vals(today, fraction, end)
            for sub, fraction, end in refund
        }
        result = super().action_cancel(reason=reason)
        self._paas_create_moves([vals for vals in credits.values() if vals])
        self.filtered("paas_next_plan_id").sudo().write({"paas_next_plan_id": False})
        return result

    def action_cancel_at_period_end(self):
        """Stop renewing: the subscription is cancelled when its paid period ends."""
        self.check_access("write")
        running = self.filtered(lambda s: s.state in SUBSCRIPTION_PAYING)
        if running != self:
            raise UserError(
                self.env._("Only an active or past-due subscription can cancel at period end.")
            )
        running.sudo().write({"paas_cancel_at_period_end": True})
        running._message_log_batch(
            bodies=dict.fromkeys(
                running.ids, Markup("%s") % self.env._("Set to cancel at the end of the period.")
            )
        )
        self.env["woow.paas.event"]._emit(
            "subscription.cancel_scheduled",
            running,
            lambda s: {"effective": fields.Date.to_string(s.current_period_end)},
        )
        return True

    def action_keep_renewing(self):
        """Undo :meth:`action_cancel_at_period_end` and any scheduled downgrade."""
        self.check_access("write")
        self.sudo().write({"paas_cancel_at_period_end": False, "paas_next_plan_id": False})
        return True

    # ------------------------------------------------------------------
    # Views
    # ------------------------------------------------------------------
    def action_view_invoices(self):
        """The subscription's invoices and credit notes, in the list of
        subscription invoices (customer, dates, payment status)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_billing.woow_paas_invoice_action"
        )
        action["domain"] = [("paas_subscription_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action
