from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

INVOICE_KINDS = [
    ("period", "Billing Period"),
    ("proration", "Plan Change"),
    ("cancellation", "Cancellation"),
]


class AccountMove(models.Model):
    """Invoices and credit notes of Woow PaaS subscriptions.

    A *period* invoice charges one billing period of a subscription in
    advance (``paas_period_start``/``paas_period_end``) and the usage of the
    period before it in arrears (``paas_usage_start``/``paas_usage_end``).
    The unique index below is what makes invoicing a period idempotent: a
    re-run after a crash, two runs at once or a double click can never leave
    two live invoices for one subscription and period.
    """

    _inherit = "account.move"

    paas_subscription_id = fields.Many2one(
        "woow.paas.subscription",
        string="Subscription",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    paas_invoice_kind = fields.Selection(
        INVOICE_KINDS, string="Subscription Invoice", readonly=True, copy=False
    )
    paas_period_start = fields.Date(string="Period Start", readonly=True, copy=False)
    paas_period_end = fields.Date(
        string="Period End", readonly=True, copy=False, help="First day after the period."
    )
    paas_usage_start = fields.Date(string="Usage From", readonly=True, copy=False)
    paas_usage_end = fields.Date(
        string="Usage Until", readonly=True, copy=False, help="First day after the usage billed."
    )

    _paas_period_uniq = models.UniqueIndex(
        "(paas_subscription_id, paas_period_start)"
        " WHERE paas_invoice_kind = 'period' AND state != 'cancel'",
        "A subscription period is invoiced once.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        paas = posted.filtered(lambda m: m.paas_subscription_id and m.is_invoice())
        if paas:
            paas._paas_emit_posted()
        return posted

    def _paas_emit_posted(self):
        """``invoice.posted`` for each move, in one batch (webhooks and the
        payment layer read it)."""
        self.env["woow.paas.event"]._emit(
            "invoice.posted",
            self,
            lambda move: {
                "invoice": move.name,
                "move_type": move.move_type,
                "kind": move.paas_invoice_kind or "",
                "amount_total": move.amount_total,
                "amount_untaxed": move.amount_untaxed,
                "amount_residual": move.amount_residual,
                "currency": move.currency_id.name,
                "period_start": fields.Date.to_string(move.paas_period_start) or None,
                "period_end": fields.Date.to_string(move.paas_period_end) or None,
            },
        )

    def _paas_event_links(self):
        self.ensure_one()
        sub = self.paas_subscription_id
        return {
            "partner_id": self.commercial_partner_id.id,
            "subscription_id": sub.id,
            "plan_id": sub.plan_id.id,
            "company_id": self.company_id.id,
        }

    def action_paas_rerate(self):
        """Re-rate the usage lines of draft subscription invoices from the
        usage known now (late events of the period included)."""
        if self.filtered(lambda m: m.state != "draft" or not m.paas_usage_start):
            raise UserError(
                self.env._("Only a draft subscription invoice with a usage period can be re-rated.")
            )
        self.check_access("write")
        for move in self:
            sub = move.paas_subscription_id
            period = (move.paas_usage_start, move.paas_usage_end)
            metrics = sub.plan_id.metric_price_ids.metric_id.filtered("billable")
            usage = sub._paas_usage_many([(sub, metric, *period) for metric in metrics])
            products = metrics.product_id
            old = move.invoice_line_ids.filtered(lambda line, p=products: line.product_id in p)
            move.write(
                {
                    "invoice_line_ids": [Command.unlink(line.id) for line in old]
                    + [Command.create(vals) for vals in sub._paas_usage_lines(usage, *period)]
                }
            )
        return True

    @api.model
    def _paas_post_due_drafts(self, date, company):
        """Post the draft period invoices whose late-usage grace ended by
        ``date``, re-rated first. Returns them."""
        grace = self.env["woow.paas.subscription"]._paas_grace_days()
        drafts = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "draft"),
                ("paas_invoice_kind", "=", "period"),
                ("paas_usage_end", "<=", date - timedelta(days=grace)),
            ]
        )
        if drafts:
            drafts.action_paas_rerate()
            drafts.action_post()
        return drafts

    @api.model
    def _paas_subscription_moves(self, subscriptions):
        """Posted customer invoices and credit notes of ``subscriptions``."""
        return self.search(
            [
                ("paas_subscription_id", "in", subscriptions.ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ]
        )
