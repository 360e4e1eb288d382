from datetime import date, timedelta

from odoo import api, fields, models

from .const import CHARGEABLE_STATES


class PaymentToken(models.Model):
    """Card expiry on saved payment methods, which ``payment`` does not keep;
    provider bridges fill it when they save a card."""

    _inherit = "payment.token"

    paas_card_expiry = fields.Date(
        string="Card Expires",
        help="Last day the card can be charged (end of its expiry month).",
    )
    paas_expiry_notified = fields.Date(
        string="Expiry Notice Sent",
        copy=False,
        help="Expiry date the owner was last told about: told once per card.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        tokens = super().create(vals_list)
        tokens.filtered("active")._paas_adopt()
        return tokens

    def _paas_adopt(self):
        """A method the customer just saved (portal, back office, any
        provider) becomes the payment method of their running subscriptions
        that have none (or an archived one) and of those past due (their
        method is failing: the next retry uses the new one), and the open
        invoices that waited for one (the manual path: posted, never charged,
        no retry scheduled) are charged now, each by one charge job."""
        partners = self.partner_id.commercial_partner_id
        if not partners:
            return
        latest = {}
        for token in self.sorted("id", reverse=True):
            latest.setdefault(token.partner_id.commercial_partner_id, token)
        subs = (
            self.env["woow.paas.subscription"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("state", "in", CHARGEABLE_STATES),
                ]
            )
            .filtered(lambda s: not s.payment_token_id.active or s.state == "past_due")
        )
        for token, group in subs.grouped(lambda s: latest[s.commercial_partner_id]).items():
            group.write({"payment_token_id": token.id})
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("paas_subscription_id", "in", subs.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("paas_next_payment_at", "=", False),
                ]
            )
            ._paas_chargeable()
            .filtered(lambda m: not m.transaction_ids)
        )
        for attempt, group in moves.grouped(lambda m: max(m.paas_payment_attempt, 1)).items():
            group._paas_enqueue_charge(attempt)

    @api.model
    def _paas_expiry_from_month(self, month, year):
        """Last day of ``month``/``year`` (a card expires at the end of it)."""
        if not (month and year):
            return False
        first_next = date(int(year) + int(month) // 12, int(month) % 12 + 1, 1)
        return first_next - timedelta(days=1)

    @api.model
    def _cron_paas_card_expiring(self):
        """Flag the cards of running subscriptions that expire before the next
        renewal and mail their owners once per card."""
        subs = self.env["woow.paas.subscription"].search(
            [("state", "in", ("trial", "active", "past_due"))]
        )
        tokens = self.browse()
        for sub in subs:
            token = sub._paas_payment_token()
            renewal = sub.current_period_end or sub.trial_end_date
            if (
                token.paas_card_expiry
                and renewal
                and token.paas_card_expiry < renewal
                and token.paas_expiry_notified != token.paas_card_expiry
            ):
                tokens |= token
        template = self.env.ref(
            "woow_paas_billing.mail_template_paas_card_expiring", raise_if_not_found=False
        )
        for token in tokens:
            if template:
                template.send_mail(token.id)
            token.paas_expiry_notified = token.paas_card_expiry
        return tokens
