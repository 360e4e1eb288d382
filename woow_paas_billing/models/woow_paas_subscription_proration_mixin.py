from decimal import Decimal

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .woow_paas_plan_metric import to_decimal


class WoowPaasSubscriptionBillingProrationMixin(models.AbstractModel):
    """What a plan change or a cancellation of ``woow.paas.subscription``
    invoices or credits for the rest of the paid period, and their previews
    from the same code. ``action_change_plan`` and ``action_cancel`` are
    overridden on the subscription itself and use these."""

    _name = "woow.paas.subscription.billing.proration.mixin"
    _description = "Woow PaaS Subscription Proration"

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
