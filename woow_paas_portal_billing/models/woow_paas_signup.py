from odoo import models
from odoo.exceptions import UserError

# Context key of the tenant step: the currency the customer signs up in.
SIGNUP_CURRENCY_KEY = "woow_paas_signup_currency"


class WoowPaasSignup(models.Model):
    _inherit = "woow.paas.signup"

    def _paas_start(self):
        """Override of ``woow_paas_portal``: a new customer who chose a
        currency on the pricing page is billed in it (the tenant step passes
        it in the context, from the session): they get a pricelist in that
        currency before their subscription takes its terms."""
        currency = self.env["res.currency"].browse(self.env.context.get(SIGNUP_CURRENCY_KEY))
        if currency.exists():
            self._paas_apply_signup_currency(currency)
        return super()._paas_start()

    def _paas_start_subscription(self, subscription):
        """Override of ``woow_paas_portal``: *Pay now* leaves the
        subscription in draft until the customer confirms with a saved
        payment method (:meth:`_paas_confirm_payment`)."""
        if self.pay_now:
            return None
        return super()._paas_start_subscription(subscription)

    def _paas_payment_tokens(self):
        """The saved payment methods of this sign-up's customer."""
        self.ensure_one()
        partner = self.sudo().user_id.partner_id.commercial_partner_id
        return (
            self.env["payment.token"]
            .sudo()
            .search([("partner_id", "child_of", partner.id), ("active", "=", True)])
        )

    def _paas_confirm_payment(self):
        """*Pay now* confirmed: activate the subscription waiting in draft
        (its first invoice is posted and charged off-session on the saved
        method), then provision the tenant. The subscription is locked: a
        double click activates (and invoices) once; a started one is left
        alone. A ``UserError`` says why it may not; its work is undone."""
        self.ensure_one()
        subscription = self._paas_lock_subscription()
        if subscription.state != "draft":
            return False
        if not self._paas_payment_tokens():
            raise UserError(self.env._("Add a payment method first."))
        with self.env.cr.savepoint():
            subscription._paas_start("active")
            self._paas_provision()
        return True

    def _paas_signup_billing_currency(self, partner, plan, company):
        """The currency billing would bill ``partner`` in for ``plan`` (the
        subscription's own hook, on a record that is never saved)."""
        probe = (
            self.env["woow.paas.subscription"]
            .sudo()
            .new({"partner_id": partner.id, "plan_id": plan.id, "company_id": company.id})
        )
        return probe._paas_billing_currency()

    def _paas_can_choose_currency(self, partner, company):
        """Only a customer without a subscription yet picks a currency: an
        existing one keeps paying in theirs."""
        return not (
            self.env["woow.paas.subscription"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("partner_id", "child_of", partner.commercial_partner_id.id),
                 ("company_id", "=", company.id)],
                limit=1,
            )
        )  # fmt: skip

    def _paas_apply_signup_currency(self, currency):
        self.ensure_one()
        signup = self.sudo()
        company = signup.company_id
        partner = signup.user_id.partner_id.commercial_partner_id.with_company(company)
        if (
            signup.plan_id._paas_price_in(currency) is None
            or self._paas_signup_billing_currency(partner, signup.plan_id, company) == currency
            or not self._paas_can_choose_currency(partner, company)
        ):
            return
        pricelist = self.env["product.pricelist"]._paas_signup_pricelists(currency, company)[:1]
        if pricelist:
            partner.sudo().property_product_pricelist = pricelist
