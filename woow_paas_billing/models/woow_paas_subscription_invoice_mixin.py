from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, api, fields, models
from odoo.tools import format_date

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .woow_paas_plan_metric import to_decimal


class WoowPaasSubscriptionBillingInvoiceMixin(models.AbstractModel):
    """The invoicing of ``woow.paas.subscription``: the usage of a period,
    the invoice lines (recurring and metered) and the moves made of them,
    and the preview of the next invoice. Mixed into the subscription; layers
    override these methods on ``woow.paas.subscription``."""

    _name = "woow.paas.subscription.billing.invoice.mixin"
    _description = "Woow PaaS Subscription Invoicing"

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
        once, over all the tenants of each subscription (archived ones
        included): ``{(subscription id, metric id): Decimal}``. One call of
        ``woow.paas.metric._paas_aggregate``."""
        subscriptions = self.browse({request[0].id for request in requests}).with_context(
            active_test=False
        )
        tenants = {sub.id: sub.tenant_ids.ids for sub in subscriptions.sudo()}
        return self.env["woow.paas.metric"]._paas_aggregate(
            [
                ((sub.id, metric.id), metric, tenants[sub.id], date_from, date_to)
                for sub, metric, date_from, date_to in requests
            ]
        )

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
