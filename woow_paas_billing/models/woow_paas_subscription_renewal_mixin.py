from odoo import api, models
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING


class WoowPaasSubscriptionBillingRenewalMixin(models.AbstractModel):
    """The invoicing of the periods of ``woow.paas.subscription``: locking
    for a billing run, the periods already invoiced, the invoices of new and
    renewed periods and the last invoice of a subscription cancelled at the
    end of its period. The moves that trigger them (activation, resumption,
    renewal) are overridden on the subscription itself."""

    _name = "woow.paas.subscription.billing.renewal.mixin"
    _description = "Woow PaaS Subscription Period Invoicing"

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

    def _paas_invoice_current_period(self):
        """Invoice the current period of paying subscriptions (their usage
        comes with the next period's invoice)."""
        subs = self.filtered(lambda s: s.state in SUBSCRIPTION_PAYING and s.current_period_start)
        return self._paas_invoice_periods(
            [(s, (s.current_period_start, s.current_period_end), None) for s in subs]
        )

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
