from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

# Set by the billing runs and the charges only (see _paas_check_platform_fields).
PAAS_MOVE_FIELDS = frozenset(
    {
        "paas_subscription_id",
        "paas_invoice_kind",
        "paas_period_start",
        "paas_period_end",
        "paas_usage_start",
        "paas_usage_end",
        "paas_payment_attempt",
        "paas_next_payment_at",
        "paas_paid_emitted",
    }
)

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

    _name = "account.move"
    _inherit = ["account.move", "woow.paas.move.charge.mixin"]

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

    @api.constrains("paas_subscription_id", "partner_id")
    def _check_paas_subscription_customer(self):
        """A subscription's invoice is its customer's: its posting charges
        the subscription's payment method."""
        for move in self.sudo().filtered("paas_subscription_id"):
            sub = move.paas_subscription_id
            if move.commercial_partner_id != sub.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Invoice %(move)s is for %(partner)s, not for %(customer)s, the customer "
                        "of subscription %(sub)s.",
                        move=move.display_name,
                        partner=move.commercial_partner_id.display_name,
                        customer=sub.commercial_partner_id.display_name,
                        sub=sub.name,
                    )
                )

    def _paas_check_platform_fields(self, names):
        """The subscription fields of a move are the platform's: billing
        runs and charges set them as superuser; nobody else sets them (they
        decide what is charged, on which card, and which periods count as
        invoiced)."""
        names = PAAS_MOVE_FIELDS.intersection(names)
        if names and not self.env.su:
            raise UserError(
                self.env._(
                    "The field “%(field)s” of an invoice is managed by the platform: "
                    "subscription invoices come from the billing runs.",
                    field=self._fields[min(names)]._description_string(self.env),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_check_platform_fields(
            {name for vals in vals_list for name, value in vals.items() if value}
        )
        return super().create(vals_list)

    def write(self, vals):
        self._paas_check_platform_fields(vals)
        return super().write(vals)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        paas = posted.filtered(lambda m: m.paas_subscription_id and m.is_invoice())
        if paas:
            paas._paas_emit_posted()
        chargeable = posted._paas_chargeable()
        if chargeable:
            tokens = chargeable.paas_subscription_id._paas_payment_tokens()
            # No saved method: the manual path at once, no job to wait for.
            manual = chargeable.filtered(lambda m: not tokens[m.paas_subscription_id])
            manual.sudo()._paas_manual_path(1)
            (chargeable - manual)._paas_enqueue_charge(1)
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

    # ------------------------------------------------------------------
    # Payments and dunning: the fields of the charges (their methods are in
    # ``woow.paas.move.charge.mixin``)
    # ------------------------------------------------------------------

    paas_payment_attempt = fields.Integer(
        string="Payment Attempts",
        readonly=True,
        copy=False,
        help="Off-session charges tried for this invoice so far.",
    )
    paas_next_payment_at = fields.Datetime(string="Next Payment Attempt", readonly=True, copy=False)
    # in_payment → paid calls the paid hook a second time: one event per invoice.
    paas_paid_emitted = fields.Boolean(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    def _invoice_paid_hook(self):
        """Override of `account` so that any payment path counts: a charge,
        a notification, a bank transfer reconciled by hand."""
        res = super()._invoice_paid_hook()
        paid = self.filtered(
            lambda m: (
                m.paas_subscription_id
                and m.move_type == "out_invoice"
                and m.payment_state in ("paid", "in_payment")
                and not m.paas_paid_emitted
            )
        )
        if paid:
            paid._paas_on_paid()
        return res
