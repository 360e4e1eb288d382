from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .woow_paas_plan_metric import to_decimal

# Aggregations whose period figure adds up from the daily rollups.
ROLLUP_AGGREGATIONS = ("sum", "count", "min", "max", "average")


class WoowPaasSubscription(models.Model):
    _inherit = "woow.paas.subscription"

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

    def _paas_is_paid(self):
        """Whether this subscription costs anything: a recurring price or
        billable usage prices."""
        self.ensure_one()
        return bool(
            self.price > 0
            or self.plan_id.sudo().metric_price_ids.filtered(lambda p: p.metric_id.billable)
        )

    def _paas_check_customer_plan_change(self, plan):
        """A customer (a portal or public user, even through ``sudo()``)
        moves a running free subscription to a paid plan only with a usable
        payment method, as when it starts one: otherwise the change would
        hand it the paid plan against an invoice nobody will charge. A
        subscription already paid keeps its way of paying; a trial converts
        at its end through the same rule."""
        new_is_paid = plan.price > 0 or plan.sudo().metric_price_ids.filtered(
            lambda p: p.metric_id.billable
        )
        if not new_is_paid:
            return
        for sub in self.sudo():
            if (
                sub.state in SUBSCRIPTION_PAYING
                and not sub._paas_is_paid()
                and not (sub._paas_payment_token())
            ):
                raise UserError(
                    self.env._(
                        "Plan %(plan)s is paid: add a payment method before you move "
                        "%(sub)s to it.",
                        plan=plan.name,
                        sub=sub.name,
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
    # Usage of a period
    # ------------------------------------------------------------------
    def _paas_usage(self, metric, date_from, date_to):
        """Usage of ``metric`` by all the tenants of these subscriptions from
        ``date_from`` (included) to ``date_to`` (excluded); a Decimal. See
        ``woow.paas.tenant._paas_usage``."""
        self.check_access("read")
        tenants = self.with_context(active_test=False).tenant_ids
        return tenants._paas_usage(metric, date_from, date_to)

    @api.model
    def _paas_usage_many(self, requests):
        """Usage for many ``(subscription, metric, date_from, date_to)`` at
        once: ``{(subscription id, metric id): Decimal}``.

        Rollup-based aggregations of every request are read in one query;
        unique counts and time-weighted sums read the raw events per request
        (their index makes each one a range scan).
        """
        result = {}
        rolled = [r for r in requests if r[1].aggregation in ROLLUP_AGGREGATIONS]
        if rolled:
            self.env["woow.paas.usage.event"].flush_model()
            self.env["woow.paas.usage.rollup"].flush_model()
            self.env["woow.paas.tenant"].flush_model(["subscription_id"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT k.sub_id, k.metric_id, sum(r.quantity_sum)::text, sum(r.event_count),
                           min(r.quantity_min)::text, max(r.quantity_max)::text
                      FROM unnest(%s::int[], %s::int[], %s::date[], %s::date[])
                           AS k(sub_id, metric_id, d0, d1)
                      JOIN woow_paas_tenant t ON t.subscription_id = k.sub_id
                      JOIN woow_paas_usage_rollup r ON r.tenant_id = t.id
                           AND r.metric_id = k.metric_id AND r.day >= k.d0 AND r.day < k.d1
                  GROUP BY k.sub_id, k.metric_id
                    """,
                    [r[0].id for r in rolled],
                    [r[1].id for r in rolled],
                    [r[2] for r in rolled],
                    [r[3] for r in rolled],
                )
            )
            rows = {(row[0], row[1]): row[2:] for row in self.env.cr.fetchall()}
            for sub, metric, _start, _end in rolled:
                row = rows.get((sub.id, metric.id))
                if not row or not row[1]:
                    result[sub.id, metric.id] = Decimal(0)
                    continue
                total, count, low, high = row
                result[sub.id, metric.id] = {
                    "sum": lambda t=total: Decimal(t),
                    "count": lambda c=count: Decimal(c),
                    "min": lambda v=low: Decimal(v),
                    "max": lambda v=high: Decimal(v),
                    "average": lambda t=total, c=count: Decimal(t) / Decimal(c),
                }[metric.aggregation]()
        Usage = self.env["woow.paas.usage.event"].sudo()
        for sub, metric, start, end in requests:
            if metric.aggregation not in ROLLUP_AGGREGATIONS:
                tenants = sub.with_context(active_test=False).tenant_ids
                result[sub.id, metric.id] = Usage._aggregate(tenants, metric, start, end)
        return result

    # ------------------------------------------------------------------
    # Invoice lines
    # ------------------------------------------------------------------
    def _paas_round(self, amount):
        """Round a Decimal to the subscription's currency, half up: the only
        rounding of an amount, at the invoice line."""
        step = to_decimal(self.currency_id.rounding or 0.01)
        return float((to_decimal(amount) / step).quantize(Decimal(1), ROUND_HALF_UP) * step)

    def _paas_period_label(self, start, end):
        return self.env._(
            "%(start)s to %(end)s",
            start=format_date(self.env, start),
            end=format_date(self.env, end - timedelta(days=1)),
        )

    def _paas_recurring_line(self, start, end, price=None, label=None, plan=None):
        self.ensure_one()
        plan = plan or self.plan_id
        return {
            "product_id": plan.product_id.id,
            "name": label
            or self.env._(
                "%(plan)s, %(period)s", plan=plan.name, period=self._paas_period_label(start, end)
            ),
            "quantity": 1,
            "price_unit": self.price if price is None else price,
        }

    def _paas_usage_lines(self, usage, start, end):
        """One line per billable metric of the plan (one per tier reached for
        tiered prices) for the usage of [start, end); ``usage`` maps
        ``(subscription id, metric id)`` to the period's quantity."""
        self.ensure_one()
        lines = []
        plan = self.plan_id
        period = self._paas_period_label(start, end)
        for price_line in plan.metric_price_ids.filtered(lambda p: p.metric_id.billable):
            metric = price_line.metric_id
            quantity = usage.get((self.id, metric.id), Decimal(0))
            for part in price_line._invoice_parts(quantity):
                amount = part["amount"]
                if plan.currency_id != self.currency_id:
                    amount = to_decimal(
                        plan.currency_id._convert(
                            float(amount),
                            self.currency_id,
                            self.company_id,
                            fields.Date.context_today(self),
                            round=False,
                        )
                    )
                lines.append(
                    {
                        "product_id": metric.product_id.id,
                        "name": self.env._(
                            "%(metric)s, %(period)s: %(detail)s",
                            metric=metric.name,
                            period=period,
                            detail=part["label"],
                        ),
                        "quantity": 1,
                        "price_unit": self._paas_round(amount),
                    }
                )
        return lines

    def _paas_invoice_vals(self, kind, lines, period=None, usage_period=None, refund_of=None):
        self.ensure_one()
        period = period or (False, False)
        usage_period = usage_period or (False, False)
        vals = {
            "move_type": "out_refund" if refund_of is not None else "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.name,
            "paas_subscription_id": self.id,
            "paas_invoice_kind": kind,
            "paas_period_start": period[0],
            "paas_period_end": period[1],
            "paas_usage_start": usage_period[0],
            "paas_usage_end": usage_period[1],
            "invoice_line_ids": [Command.create(line) for line in lines],
        }
        if refund_of:
            vals["reversed_entry_id"] = refund_of.id
        return vals

    @api.model
    def _paas_create_moves(self, vals_list, post=True):
        """Create (and post) the moves of ``vals_list``, skipping those whose
        lines are all zero; one create per company."""
        vals_list = [
            vals
            for vals in vals_list
            if any(cmd[2].get("price_unit") for cmd in vals["invoice_line_ids"])
        ]
        # Invoicing is the consequence of a move the caller was allowed to
        # make (activation, renewal, plan change): it runs as superuser.
        moves = self.env["account.move"].sudo()
        by_company = defaultdict(list)
        for vals in vals_list:
            by_company[vals["company_id"]].append(vals)
        for company_id, group in by_company.items():
            moves |= (
                self.env["account.move"]
                .sudo()
                .with_company(company_id)
                # No chatter tracking of machine-made invoices: it costs more
                # than the invoice itself, and the origin says where it came from.
                .with_context(
                    default_move_type=group[0]["move_type"],
                    tracking_disable=True,
                    mail_create_nolog=True,
                )
                .create(group)
            )
        if post and moves:
            moves.action_post()
        return moves

    # ------------------------------------------------------------------
    # Invoicing periods
    # ------------------------------------------------------------------
    def _paas_lock_for_billing(self):
        """Lock these subscriptions' rows until the end of the transaction,
        waiting for a concurrent billing of the same ones to finish, and
        return them freshly read: what that one did (a renewed period, an
        invoice) is then visible here and is not done twice."""
        if not self:
            return self
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM woow_paas_subscription WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                self.ids,
            )
        )
        self.invalidate_recordset()
        self.env["account.move"].invalidate_model(["paas_subscription_id"])
        return self

    def _paas_invoiced_periods(self, kind="period"):
        """``{(subscription id, period start)}`` of the live invoices of ``kind``."""
        moves = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                [
                    ("paas_subscription_id", "in", self.ids),
                    ("paas_invoice_kind", "=", kind),
                    ("state", "!=", "cancel"),
                ],
                ["paas_subscription_id", "paas_period_start"],
            )
        )
        return {(m.paas_subscription_id.id, m.paas_period_start) for m in moves}

    def _paas_invoice_periods(self, periods, post=True):
        """Invoice ``periods`` = ``[(subscription, (start, end), usage (start,
        end) or None)]``: the recurring line of the period and the usage lines
        of the usage period, one invoice each. A period already invoiced is
        skipped (see ``account.move._paas_period_uniq``). Returns the moves."""
        if not periods:
            return self.env["account.move"]
        subs = self.browse([p[0].id for p in periods])
        subs.plan_id.filtered(lambda p: not p.product_id)._paas_create_products()
        subs.plan_id.metric_price_ids.metric_id.filtered(
            lambda m: not m.product_id
        )._paas_create_products()
        done = subs._paas_invoiced_periods()
        periods = [p for p in periods if (p[0].id, p[1][0]) not in done]
        requests = []
        for sub, _period, usage_period in periods:
            if usage_period:
                requests.extend(
                    (sub, line.metric_id, *usage_period)
                    for line in sub.plan_id.metric_price_ids
                    if line.metric_id.billable
                )
        usage = self._paas_usage_many(requests)
        vals_list = []
        for sub, period, usage_period in periods:
            lines = [sub._paas_recurring_line(*period)]
            if usage_period:
                lines += sub._paas_usage_lines(usage, *usage_period)
            vals_list.append(sub._paas_invoice_vals("period", lines, period, usage_period))
        moves = self._paas_create_moves(vals_list, post=False)
        if post:
            # With a grace period, invoices billing usage wait in draft for
            # late events; the billing run posts them once it is over.
            grace = self._paas_grace_days()
            moves.filtered(lambda m: not (grace and m.paas_usage_start)).action_post()
        return moves

    @api.model
    def _paas_grace_days(self):
        """Days a period's invoice stays in draft after the period to take
        late usage (0: posted at once)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("woow_paas_billing.invoice_grace_days", "0")
        )
        try:
            return max(int(value), 0)
        except ValueError:
            return 0

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

    def _paas_invoice_current_period(self):
        """Invoice the current period of paying subscriptions (their usage
        comes with the next period's invoice)."""
        subs = self.filtered(lambda s: s.state in SUBSCRIPTION_PAYING and s.current_period_start)
        return self._paas_invoice_periods(
            [(s, (s.current_period_start, s.current_period_end), None) for s in subs]
        )

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

    def _paas_cancel_at_end(self):
        """Cancel at the end of the period: invoice the period's usage (no
        recurring line), then cancel without a credit note."""
        vals_list = []
        requests = []
        for sub in self:
            requests.extend(
                (sub, line.metric_id, sub.current_period_start, sub.current_period_end)
                for line in sub.plan_id.metric_price_ids
                if line.metric_id.billable
            )
        usage = self._paas_usage_many(requests)
        for sub in self:
            usage_period = (sub.current_period_start, sub.current_period_end)
            lines = sub._paas_usage_lines(usage, *usage_period)
            vals_list.append(sub._paas_invoice_vals("cancellation", lines, None, usage_period))
        self._paas_create_moves(vals_list)
        self.sudo().with_context(paas_no_refund=True).action_cancel(
            reason=self.env._("Cancelled at the end of the paid period.")
        )

    # ------------------------------------------------------------------
    # Plan changes: proration
    # ------------------------------------------------------------------
    def _paas_remaining_fraction(self, today):
        """Share of the current period still to come on ``today``, exact."""
        self.ensure_one()
        start, end = self.current_period_start, self.current_period_end
        if not start or not end or not start <= today < end:
            return Decimal(0)
        return Decimal((end - today).days) / Decimal((end - start).days)

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

    def _paas_plan_snapshot(self, today):
        """What a plan change credits: the plan, price and period being left."""
        self.ensure_one()
        return {
            "plan": self.plan_id,
            "price": self.price,
            "interval": self.billing_interval,
            "period": (self.current_period_start, self.current_period_end),
            "fraction": self._paas_remaining_fraction(today),
        }

    def _paas_plan_change_deferred(self, plan):
        """Whether moving to ``plan`` waits for the end of the paid period: a
        cheaper plan of the same interval when the current plan's downgrade
        policy says so."""
        self.ensure_one()
        new_price = plan._paas_price_in(self.currency_id)
        return bool(
            self.state in SUBSCRIPTION_PAYING
            and self.plan_id != plan
            and self.current_period_end
            and new_price is not None
            and self.plan_id.downgrade_policy == "renewal"
            and plan.billing_interval == self.billing_interval
            and plan._monthly_amount(new_price) < self.recurring_monthly
        )

    def _paas_proration_vals(self, old, today, plan, price, period):
        """The move that prorates a change from ``old`` (see
        :meth:`_paas_plan_snapshot`) to ``plan`` at ``price`` whose period is
        ``period`` = (start, end), on ``today``: ``(lines, is_refund, (start,
        end))``, or ``None`` when nothing is left of the period. Pure: both
        the invoicing (:meth:`_paas_prorate`) and the preview
        (:meth:`_paas_plan_change_preview`) use it."""
        self.ensure_one()
        fraction = old["fraction"]
        if not fraction:
            return None
        old_start, old_end = old["period"]
        credit = self._paas_round(to_decimal(old["price"]) * fraction)
        reanchored = period[0] != old_start
        end = period[1] if reanchored else old_end
        charge = self._paas_round(to_decimal(price) * (1 if reanchored else fraction))
        unused_label = self.env._(
            "Unused time on %(plan)s, %(period)s",
            plan=old["plan"].name,
            period=self._paas_period_label(today, old_end),
        )
        new_label = self.env._(
            "Remaining time on %(plan)s, %(period)s",
            plan=plan.name,
            period=self._paas_period_label(today, end),
        )
        # An upgrade invoices the difference, a downgrade credits it: each line
        # is rounded once, so both net to exactly zero on the same day.
        sign = 1 if charge >= credit else -1
        lines = [
            {**self._paas_recurring_line(today, end, -sign * credit, unused_label, old["plan"]),
             "product_id": old["plan"].product_id.id},
            self._paas_recurring_line(today, end, sign * charge, new_label, plan),
        ]  # fmt: skip
        return lines, sign < 0, (today, end)

    def _paas_prorate(self, before, today):
        """Invoice (upgrade) or credit (downgrade) the change of plan of each
        subscription from ``today`` to the end of its period."""
        invoices, refunds = [], []
        for sub in self:
            old = before[sub.id]
            proration = sub._paas_proration_vals(
                old, today, sub.plan_id, sub.price,
                (sub.current_period_start, sub.current_period_end),
            )  # fmt: skip
            if not proration:
                continue
            lines, is_refund, period = proration
            if not is_refund:
                invoices.append(sub._paas_invoice_vals("proration", lines, period))
                continue
            original = sub.sudo().invoice_ids.filtered(
                lambda m, s=old["period"][0]: (
                    m.paas_invoice_kind == "period"
                    and m.paas_period_start == s
                    and m.state == "posted"
                )
            )[:1]
            refunds.append(sub._paas_invoice_vals("proration", lines, period, refund_of=original))
        return self._paas_create_moves(invoices + refunds)

    def _paas_plan_change_preview(self, plan):
        """What :meth:`action_change_plan` would do with ``plan`` today, from
        the same code, without writing anything (a ``UserError`` says why a
        change is refused). A dict:

        - ``when``: ``"now"`` or ``"renewal"`` (a downgrade scheduled for the
          end of the paid period), ``effective`` the date it applies;
        - ``price``: the new price per ``interval``;
        - ``lines``: ``[(label, amount)]`` of the proration move, signed as on
          that move; ``move_type``: ``"out_invoice"``, ``"out_refund"`` or
          ``False`` when nothing is invoiced; ``total``: its untaxed total.
        """
        self.ensure_one()
        plan = plan.exists()
        if not plan or plan == self.plan_id:
            raise UserError(self.env._("Choose another plan than the current one."))
        self._paas_check_plan_change(plan)
        today = fields.Date.context_today(self)
        price = plan._paas_price_in(self.currency_id) or 0.0
        preview = {
            "plan": plan,
            "price": price,
            "interval": plan.billing_interval,
            "when": "now",
            "effective": today,
            "lines": [],
            "move_type": False,
            "total": 0.0,
        }
        if self._paas_plan_change_deferred(plan):
            preview.update(when="renewal", effective=self.current_period_end)
            return preview
        if not (self.state in SUBSCRIPTION_PAYING and self.current_period_end):
            return preview
        period = (self.current_period_start, self.current_period_end)
        if plan.billing_interval != self.billing_interval:
            vals = self._paas_period_vals(today, plan.billing_interval)
            period = (vals["current_period_start"], vals["current_period_end"])
        proration = self._paas_proration_vals(
            self._paas_plan_snapshot(today), today, plan, price, period
        )
        if proration:
            lines, is_refund, _period = proration
            total = sum(line["price_unit"] for line in lines)
            if total:
                preview.update(
                    lines=[(line["name"], line["price_unit"]) for line in lines],
                    move_type="out_refund" if is_refund else "out_invoice",
                    total=total,
                )
        return preview

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

    def _paas_cancel_credit_vals(self, today, fraction=None, end=None):
        """The credit note of cancelling now on ``today`` (the unused part of
        the paid period of the posted period invoice), as move values, or
        ``None``. Pure: the cancellation and its preview use it."""
        self.ensure_one()
        if fraction is None:
            fraction = self._paas_remaining_fraction(today)
        end = end or self.current_period_end
        original = self.sudo().invoice_ids.filtered(
            lambda m: (
                m.paas_invoice_kind == "period"
                and m.paas_period_start == self.current_period_start
                and m.state == "posted"
            )
        )[:1]
        if not fraction or not original:
            return None
        label = self.env._(
            "Unused time on %(plan)s, %(period)s",
            plan=self.plan_id.name,
            period=self._paas_period_label(today, end),
        )
        credit = self._paas_round(to_decimal(self.price) * fraction)
        return self._paas_invoice_vals(
            "cancellation",
            [self._paas_recurring_line(today, end, credit, label)],
            (today, end),
            refund_of=original,
        )

    def _paas_cancel_preview(self):
        """What cancelling would do, without writing: ``{"now": {"lines":
        [(label, amount)], "total": credit note total, "effective": today},
        "period_end": {"effective": end of the paid period or False}}``."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        vals = None
        if self.state in SUBSCRIPTION_PAYING:
            vals = self._paas_cancel_credit_vals(today)
        lines = [
            (cmd[2]["name"], cmd[2]["price_unit"])
            for cmd in (vals or {}).get("invoice_line_ids", [])
        ]
        return {
            "now": {
                "effective": today,
                "lines": lines,
                "total": sum(amount for _label, amount in lines),
            },
            "period_end": {
                "effective": self.current_period_end
                if self.state in SUBSCRIPTION_PAYING
                else False,
            },
        }

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
    # Preview and views
    # ------------------------------------------------------------------
    def _paas_next_invoice_preview(self):
        """Lines the next renewal would invoice today: ``[(label, amount)]``
        and the total, untaxed, in the subscription's currency."""
        self.ensure_one()
        if self.state not in SUBSCRIPTION_PAYING or not self.current_period_end:
            return [], 0.0
        start = self.current_period_end
        plan = self.paas_next_plan_id or self.plan_id
        price = plan._paas_price_in(self.currency_id) or 0.0
        lines = [] if self.paas_cancel_at_period_end else [
            self._paas_recurring_line(start, self._paas_period_end(start), price)
        ]  # fmt: skip
        usage_period = (self.current_period_start, self.current_period_end)
        usage = self._paas_usage_many(
            [
                (self, line.metric_id, *usage_period)
                for line in self.plan_id.metric_price_ids
                if line.metric_id.billable
            ]
        )
        lines += self._paas_usage_lines(usage, *usage_period)
        return [(line["name"], line["price_unit"]) for line in lines], sum(
            line["price_unit"] for line in lines
        )

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

    # ------------------------------------------------------------------
    # Payments
    # The payment method of a subscription and its moves on payment.
    #
    # Kept apart from ``woow_paas_subscription.py`` (invoicing) so the payment
    # layer reads on its own.
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

    def _paas_payment_tokens(self):
        """``{subscription: token}``: the chosen method, else the customer's
        latest active one (one query for the whole batch)."""
        result = {sub: sub.payment_token_id for sub in self if sub.payment_token_id.active}
        missing = self.filtered(lambda s: s not in result)
        if missing:
            partners = missing.commercial_partner_id
            tokens = (
                self.env["payment.token"]
                .sudo()
                .search(
                    [("partner_id", "child_of", partners.ids), ("active", "=", True)],
                    order="id desc",
                )
            )
            latest = {}
            for token in tokens:
                latest.setdefault(token.partner_id.commercial_partner_id, token)
            for sub in missing:
                result[sub] = latest.get(sub.commercial_partner_id, tokens.browse())
        return result

    def _paas_payment_token(self):
        self.ensure_one()
        return self._paas_payment_tokens()[self]

    def _paas_dunning_suspend(self):
        """The dunning schedule ran out: suspend (core suspends the running
        tenants) and remember why, so a payment brings it back."""
        subs = self.filtered(lambda s: s.state in ("active", "past_due"))
        if subs:
            subs.action_suspend()
            subs.sudo().paas_suspended_for_payment = True
        return subs

    def _paas_payment_settled(self):
        """Every posted invoice is paid: past due → active, or back from a
        suspension that dunning caused, with the tenants it stopped."""
        past_due = self.filtered(lambda s: s.state == "past_due")
        if past_due:
            past_due._paas_payment_received()
        suspended = self.filtered(lambda s: s.state == "suspended" and s.paas_suspended_for_payment)
        if suspended:
            suspended._paas_check_resume("suspended")
            suspended._paas_resume()
            suspended.sudo().paas_suspended_for_payment = False
        return past_due | suspended

    def _paas_send_template(self, xmlid):
        template = self.env.ref(f"woow_paas_billing.{xmlid}", raise_if_not_found=False)
        if template:
            for sub in self:
                template.sudo().send_mail(sub.id)
