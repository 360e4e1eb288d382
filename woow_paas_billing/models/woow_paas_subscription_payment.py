from odoo import fields, models


class WoowPaasSubscription(models.Model):
    """The payment method of a subscription and its moves on payment.

    Kept apart from ``woow_paas_subscription.py`` (invoicing) so the payment
    layer reads on its own.
    """

    _inherit = "woow.paas.subscription"

    payment_token_id = fields.Many2one(
        "payment.token",
        string="Payment Method",
        domain="[('partner_id', 'child_of', commercial_partner_id), ('active', '=', True)]",
        ondelete="set null",
        copy=False,
        tracking=True,
        help="Saved payment method charged for each posted invoice. Empty: the"
        " customer's latest saved method; none at all: invoices wait for a manual payment.",
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
            subs.paas_suspended_for_payment = True
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
            suspended.paas_suspended_for_payment = False
        return past_due | suspended

    def _paas_send_template(self, xmlid):
        template = self.env.ref(f"woow_paas_billing.{xmlid}", raise_if_not_found=False)
        if template:
            for sub in self:
                template.sudo().send_mail(sub.id)
