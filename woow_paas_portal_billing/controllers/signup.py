from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.payment.controllers.portal import PaymentPortal
from odoo.addons.woow_paas_portal.controllers.signup import WoowPaasSignup

from ..models.woow_paas_signup import SIGNUP_CURRENCY_KEY


class WoowPaasBillingSignup(WoowPaasSignup):
    """Override of ``woow_paas_portal``: *Pay now* at sign-up. The
    subscription waits in draft while the customer saves a payment method
    on Odoo's own payment form (``/my/payment_method``, which lands back
    here); confirming then activates it (its first invoice is posted and
    charged off-session on that method) and provisions the tenant."""

    def _paas_signup_payment_available(self, plan):
        # A provider the customer's payment form shows (published: Odoo
        # hides the others from portal users) and that saves methods.
        # Asked per plan by the pricing page: one query per company and request.
        company = plan.company_id or request.env.company
        known = request.env.cr.cache.setdefault("woow_paas_pay_now", {})
        if company.id not in known:
            known[company.id] = bool(
                request.env["payment.provider"]
                .sudo()
                .search_count(
                    [
                        ("state", "in", ("enabled", "test")),
                        ("allow_tokenization", "=", True),
                        ("is_published", "=", True),
                        ("company_id", "=", company.id),
                    ],
                    limit=1,
                )
            )
        return known[company.id]

    # ------------------------------------------------------------------
    # Currency: billing bills a customer in their pricelist's currency
    # ------------------------------------------------------------------
    def _paas_visitor_billing_currency(self, plan):
        Signup = request.env["woow.paas.signup"].sudo()
        partner = request.env.user.sudo().partner_id.commercial_partner_id
        company = plan.company_id or request.env.company
        return Signup._paas_signup_billing_currency(partner, plan, company)

    def _paas_default_currency(self, currencies):
        """The currency billing gives the visitor (their pricelist's; for a
        new customer the company's default pricelist), when offered."""
        partner = request.env.user.sudo().partner_id.commercial_partner_id
        currency = partner.property_product_pricelist.currency_id
        if currency and currency in currencies:
            return currency
        return super()._paas_default_currency(currencies)

    def _paas_signup_currency(self, plan):
        """The chosen currency only when this customer can be billed in it:
        a new customer, a pricelist in it; else what billing bills them in."""
        chosen = super()._paas_signup_currency(plan)
        billing = self._paas_visitor_billing_currency(plan)
        if chosen == billing or plan._paas_price_in(billing) is None:
            return chosen
        Signup = request.env["woow.paas.signup"].sudo()
        company = plan.company_id or request.env.company
        partner = request.env.user.sudo().partner_id.commercial_partner_id
        # The public user has no subscription: a visitor may choose.
        if request.env["product.pricelist"]._paas_signup_pricelists(
            chosen, company
        ) and Signup._paas_can_choose_currency(partner, company):
            return chosen
        return billing

    @http.route()
    def paas_signup_tenant_post(self, plan=None, nonce=None, **post):
        """Override of ``woow_paas_portal``: the sign-up bills in the
        currency chosen on the pricing page (see woow.paas.signup._paas_start)."""
        plan_rec = self._paas_public_plan(plan)
        if plan_rec:
            request.update_context(**{SIGNUP_CURRENCY_KEY: self._paas_signup_currency(plan_rec).id})
        return super().paas_signup_tenant_post(plan=plan, nonce=nonce, **post)

    def _paas_signup_next_url(self, signup):
        if signup.pay_now and signup.subscription_id.state == "draft":
            return f"/paas/signup/{signup.id}/pay"
        return super()._paas_signup_next_url(signup)

    def _paas_signup_tokens(self, signup):
        return signup._paas_payment_tokens()

    def _paas_signup_pay_page(self, signup, error=None, status=200):
        response = request.render(
            "woow_paas_portal_billing.paas_signup_pay",
            {
                "signup": signup,
                "tokens": self._paas_signup_tokens(signup),
                "add_url": f"/my/payment_method?paas_signup={signup.id}",
                "error": error,
            },
        )
        response.status_code = status
        return response

    @http.route(
        "/paas/signup/<int:signup_id>/pay", type="http", auth="user", website=True,
        methods=["GET"],
    )  # fmt: skip
    def paas_signup_pay(self, signup_id, **kw):
        signup = self._paas_own_signup(signup_id)
        if not signup:
            return request.not_found()
        if signup.subscription_id.state != "draft":
            return request.redirect(f"/paas/signup/{signup.id}")
        return self._paas_signup_pay_page(signup)

    @http.route(
        "/paas/signup/<int:signup_id>/pay", type="http", auth="user", website=True,
        methods=["POST"],
    )  # fmt: skip
    def paas_signup_pay_confirm(self, signup_id, **kw):
        signup = self._paas_own_signup(signup_id)
        if not signup:
            return request.not_found()
        try:
            signup._paas_confirm_payment()
        except UserError as exc:
            return self._paas_signup_pay_page(signup, error=str(exc), status=409)
        return request.redirect(f"/paas/signup/{signup.id}")


class WoowPaasSignupPaymentPortal(PaymentPortal):
    """Odoo's payment form lands back on the sign-up once the method is
    saved when it was opened from there."""

    def _get_extra_payment_form_values(self, paas_signup=None, **kwargs):
        values = super()._get_extra_payment_form_values(**kwargs)
        if isinstance(paas_signup, str) and paas_signup.isdigit():
            signup = request.env["woow.paas.signup"].sudo().browse(int(paas_signup)).exists()
            if signup and signup.user_id == request.env.user:
                values["landing_route"] = f"/paas/signup/{signup.id}/pay"
        return values
