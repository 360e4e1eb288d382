import json
import logging
import re
import secrets

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import email_normalize

from odoo.addons.woow_paas_core.models.const import PLAN_CODE_RE, TENANT_CODE_RE

from ..models.woow_paas_signup import TenantCodeTaken

_logger = logging.getLogger(__name__)

MAX_NAME = 128
MAX_TENANT_NAME = 64
# The currency a visitor chose on the pricing page.
CURRENCY_SESSION_KEY = "woow_paas_currency"
# Control characters (NUL among them: PostgreSQL refuses it in text) have no
# place in a name, an address or a company.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What _paas_tenant_form_values() hands out (secrets.token_urlsafe(24)).
NONCE_RE = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")


class WoowPaasSignup(http.Controller):
    """The public pricing page and the self-service sign-up.

    Steps: ``/paas/plans`` → ``/paas/signup`` (account: name and email;
    Odoo's signup mail confirms the address and sets the password) →
    ``/paas/signup/tenant`` (name the tenant, start the trial or pay) →
    ``/paas/signup/<id>`` (provisioning, followed live).

    The controller checks the input, rate-limits sign-up and the tenant
    code check per IP address, and renders; the process itself (accounts,
    claim, start, provisioning) belongs to ``woow.paas.signup``, called as
    superuser once the input is checked.

    Hooks for a billing bridge: :meth:`_paas_signup_payment_available` and
    :meth:`_paas_signup_next_url`.
    """

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _paas_remote_address(self):
        return request.httprequest.remote_addr or "unknown"

    def _paas_rate_limited(self, bucket):
        """``None`` when the caller may go on, else the seconds to wait."""
        allowed, retry_after = (
            request.env["woow.paas.portal.rate.limit"]
            .sudo()
            ._hit(bucket, self._paas_remote_address())
        )
        return None if allowed else retry_after

    def _paas_too_many(self, retry_after, json_body=False):
        message = request.env._(
            "Too many attempts from your network. Please try again in %(minutes)s minute(s).",
            minutes=max(1, round(retry_after / 60)),
        )
        headers = [("Retry-After", str(retry_after))]
        if json_body:
            return request.make_json_response(
                {"status": "rate_limited", "message": message}, headers=headers, status=429
            )
        response = request.render(
            "woow_paas_portal.paas_signup_message",
            {"title": request.env._("Too many attempts"), "message": message, "is_error": True},
        )
        response.status_code = 429
        response.headers.extend(headers)
        return response

    def _paas_public_plan(self, code):
        """The public plan of ``code`` offered in this company, or an empty
        recordset (also for a private or archived plan: never say which)."""
        if not isinstance(code, str) or not PLAN_CODE_RE.fullmatch(code):
            return request.env["woow.paas.plan"].sudo().browse()
        return (
            request.env["woow.paas.plan"]
            .sudo()
            .search(
                [
                    ("code", "=", code),
                    ("is_public", "=", True),
                    ("company_id", "in", (False, request.env.company.id)),
                ],
                limit=1,
            )
        )

    def _paas_login_url(self, plan):
        return "/web/login?" + url_encode({"redirect": f"/paas/signup/tenant?plan={plan.code}"})

    def _paas_is_signed_in(self):
        return not request.env.user._is_public()

    # ------------------------------------------------------------------
    # Hooks (billing bridge)
    # ------------------------------------------------------------------
    def _paas_signup_payment_available(self, plan):
        """Whether the customer may pay now for ``plan`` instead of a trial.
        Core has no payments: only trials. The billing bridge answers True
        when it can take a payment method through Odoo's payment form."""
        return False

    def _paas_signup_next_url(self, signup):
        """Where the browser goes once the sign-up is made: the provisioning
        page (the billing bridge may send a ``pay_now`` sign-up to the
        payment form first)."""
        return f"/paas/signup/{signup.id}"

    # ------------------------------------------------------------------
    # Pricing page
    # ------------------------------------------------------------------
    def _paas_pricing_currency(self, currencies):
        """The currency the pricing page and the sign-up show: the
        visitor's choice (``?currency=`` on the pricing page, remembered in
        the session) when it is among ``currencies``, else
        :meth:`_paas_default_currency`."""
        code = request.session.get(CURRENCY_SESSION_KEY)
        chosen = currencies.filtered(lambda currency: currency.name == code)[:1]
        return chosen or self._paas_default_currency(currencies)

    def _paas_default_currency(self, currencies):
        """Hook: the currency shown before the visitor chooses one, among
        ``currencies``: the company's. The billing bridge answers the
        visitor's billing currency (their pricelist's)."""
        company_currency = request.env.company.currency_id
        return company_currency if company_currency in currencies else currencies[:1]

    def _paas_remember_currency(self, code, currencies):
        """Keep the visitor's choice of ``currencies`` in the session; an
        unknown code forgets it (the default currency shows)."""
        if code is None:
            return
        chosen = (
            currencies.filtered(lambda currency: currency.name == code.strip().upper())[:1]
            if isinstance(code, str) and len(code) <= 8
            else currencies.browse()
        )
        if chosen:
            request.session[CURRENCY_SESSION_KEY] = chosen.name
        else:
            request.session.pop(CURRENCY_SESSION_KEY, None)

    def _paas_signup_currency(self, plan):
        """Hook: the currency the sign-up to ``plan`` shows and bills in:
        the chosen one when the plan is sold in it, else the plan's (core
        bills in the plan's currency). The billing bridge checks that the
        customer can pay in it."""
        chosen = self._paas_pricing_currency(plan._paas_pricing_currencies())
        return chosen if plan._paas_price_in(chosen) is not None else plan.currency_id

    def _paas_signup_price_values(self, plan):
        currency = self._paas_signup_currency(plan)
        return {"paas_currency": currency, "paas_price": plan._paas_price_in(currency)}

    def _paas_pricing_values(self, currency_code=None):
        pricing = request.env["woow.paas.plan"].sudo()._paas_pricing_plans()
        offered = request.env["woow.paas.plan"].sudo()
        for plan, yearly in pricing:
            offered |= plan | yearly
        currencies = offered._paas_pricing_currencies()
        self._paas_remember_currency(currency_code, currencies)
        currency = self._paas_pricing_currency(currencies)
        cards = []
        for plan, yearly in pricing:
            monthly = plan if plan.billing_interval == "month" else plan.browse()
            prices = {p.id: p._paas_price_in(currency) for p in monthly | yearly}
            # A variant not sold in the currency is not offered in it.
            unsold = [pid for pid, price in prices.items() if price is None]
            monthly, yearly = monthly - monthly.browse(unsold), yearly - yearly.browse(unsold)
            if not (monthly or yearly):
                continue
            saving = saving_percent = 0.0
            if monthly and yearly:
                saving = prices[monthly.id] * 12 - prices[yearly.id]
                if prices[monthly.id] > 0:
                    saving_percent = round(100 * saving / (prices[monthly.id] * 12))
            quotas = [
                {
                    "name": line.resource_id.name,
                    "limit": line.resource_id._paas_format_limit(line.limit),
                }
                for line in plan.quota_ids
            ]
            cards.append(
                {
                    "plan": plan,
                    "monthly": monthly,
                    "yearly": yearly,
                    "currency": currency,
                    "prices": prices,
                    "monthly_prices": {
                        p.id: currency.round(prices[p.id] / 12) for p in yearly if p != monthly
                    },
                    "saving": max(saving, 0.0),
                    "saving_percent": max(saving_percent, 0),
                    "quotas": quotas,
                    "features": plan._paas_portal_features(),
                    "can_trial": {p.id: p.trial_days > 0 for p in monthly | yearly},
                    "can_pay": {
                        p.id: self._paas_signup_payment_available(p) for p in monthly | yearly
                    },
                }
            )
        return {
            "cards": cards,
            "has_yearly": any(card["yearly"] for card in cards),
            "currencies": currencies,
            "currency": currency,
            "page_name": "paas_plans",
        }

    @http.route("/paas/plans", type="http", auth="public", website=True, readonly=True)
    def paas_plans(self, currency=None, **kw):
        return request.render(
            "woow_paas_portal.paas_pricing", self._paas_pricing_values(currency_code=currency)
        )

    # ------------------------------------------------------------------
    # Step 1: the account
    # ------------------------------------------------------------------
    @http.route("/paas/signup", type="http", auth="public", website=True, methods=["GET", "POST"])
    def paas_signup(self, plan=None, **post):
        plan_rec = self._paas_public_plan(plan)
        if not plan_rec:
            return request.redirect("/paas/plans")
        if self._paas_is_signed_in():
            return request.redirect(f"/paas/signup/tenant?plan={plan_rec.code}")
        values = {
            "plan": plan_rec,
            "errors": {},
            "form": {},
            "login_url": self._paas_login_url(plan_rec),
            **self._paas_signup_price_values(plan_rec),
        }
        if request.httprequest.method != "POST":
            return request.render("woow_paas_portal.paas_signup_account", values)
        retry_after = self._paas_rate_limited("signup")
        if retry_after:
            return self._paas_too_many(retry_after)
        form = {
            "name": (post.get("name") or "").strip(),
            "email": (post.get("email") or "").strip(),
            "company": (post.get("company") or "").strip(),
        }
        errors = {}
        if not form["name"] or len(form["name"]) > MAX_NAME:
            errors["name"] = request.env._("Enter your name (at most %s characters).", MAX_NAME)
        email = email_normalize(form["email"]) if len(form["email"]) <= 254 else False
        if not email:
            errors["email"] = request.env._("Enter a valid email address.")
        if len(form["company"]) > MAX_NAME:
            errors["company"] = request.env._("At most %s characters.", MAX_NAME)
        self._paas_refuse_control_characters(form, errors)
        if errors:
            values.update(errors=errors, form=form)
            response = request.render("woow_paas_portal.paas_signup_account", values)
            response.status_code = 400
            return response
        Signup = request.env["woow.paas.signup"].sudo()
        Signup._paas_create_account(form["name"], email, form["company"], plan_rec)
        if Signup._paas_demo_mode():
            # The demo mailbox shows a visitor the mails of its own sign-ups only.
            seen = request.session.get("paas_demo_mail_to") or []
            request.session["paas_demo_mail_to"] = [email, *(e for e in seen if e != email)][:5]
        # The same answer whether the address was new or not: no enumeration.
        return request.render(
            "woow_paas_portal.paas_signup_message",
            {
                "title": request.env._("Check your email"),
                "message": request.env._(
                    "If %(email)s is new here, we sent it a link to confirm the address and "
                    "choose your password; the link brings you back to name your tenant. "
                    "If you already have an account, sign in to continue.",
                    email=email,
                ),
                "login_url": self._paas_login_url(plan_rec),
            },
        )

    def _paas_refuse_control_characters(self, form, errors):
        """An error beside each field of ``form`` holding a control
        character (a NUL byte would otherwise end in a server error); the
        form shown again has them removed."""
        for field, value in form.items():
            if isinstance(value, str) and CONTROL_RE.search(value):
                form[field] = CONTROL_RE.sub("", value)
                errors[field] = request.env._(
                    "Remove the control characters (such as NUL or line breaks) from this field."
                )

    # ------------------------------------------------------------------
    # Step 2: the tenant
    # ------------------------------------------------------------------
    def _paas_tenant_form_values(self, plan, **extra):
        return {
            "plan": plan,
            "nonce": secrets.token_urlsafe(24),
            "can_pay": self._paas_signup_payment_available(plan),
            "can_trial": plan.trial_days > 0,
            "errors": {},
            "form": {},
            **self._paas_signup_price_values(plan),
            **extra,
        }

    @http.route("/paas/signup/tenant", type="http", auth="user", website=True, methods=["GET"])
    def paas_signup_tenant(self, plan=None, **kw):
        plan_rec = self._paas_public_plan(plan)
        if not plan_rec:
            return request.redirect("/paas/plans")
        values = self._paas_tenant_form_values(plan_rec)
        return request.render("woow_paas_portal.paas_signup_tenant", values)

    def _paas_validate_tenant_form(self, post, plan):
        form = {
            "tenant_name": (post.get("tenant_name") or "").strip(),
            "tenant_code": (post.get("tenant_code") or "").strip().lower(),
            "pay_now": post.get("start") == "pay",
        }
        errors = {}
        if not form["tenant_name"] or len(form["tenant_name"]) > MAX_TENANT_NAME:
            errors["tenant_name"] = request.env._(
                "Enter a name of at most %s characters.", MAX_TENANT_NAME
            )
        status, message = self._paas_code_status(form["tenant_code"])
        if status == "invalid":
            errors["tenant_code"] = message
        self._paas_refuse_control_characters(form, errors)
        if form["pay_now"] and not self._paas_signup_payment_available(plan):
            errors["start"] = request.env._("Paying online is not available: start a free trial.")
        if not form["pay_now"] and plan.trial_days <= 0:
            errors["start"] = request.env._("This plan has no free trial.")
        return form, errors, status

    @http.route("/paas/signup/tenant", type="http", auth="user", website=True, methods=["POST"])
    def paas_signup_tenant_post(self, plan=None, nonce=None, **post):
        plan_rec = self._paas_public_plan(plan)
        if not plan_rec:
            return request.redirect("/paas/plans")
        retry_after = self._paas_rate_limited("signup")
        if retry_after:
            return self._paas_too_many(retry_after)
        if not isinstance(nonce, str) or not NONCE_RE.fullmatch(nonce):
            return request.redirect(f"/paas/signup/tenant?plan={plan_rec.code}")
        form, errors, __ = self._paas_validate_tenant_form(post, plan_rec)
        if not errors:
            try:
                signup = (
                    request.env["woow.paas.signup"]
                    .sudo()
                    ._paas_sign_up(
                        nonce, request.env.user, plan_rec, form["tenant_name"],
                        form["tenant_code"], form["pay_now"], self._paas_remote_address(),
                    )
                )  # fmt: skip
            except TenantCodeTaken as exc:
                errors["tenant_code"] = str(exc)
            except UserError as exc:
                errors["start"] = str(exc)
            else:
                if signup:
                    return request.redirect(self._paas_signup_next_url(signup))
                errors["start"] = request.env._("This form was already sent: please start again.")
        values = self._paas_tenant_form_values(plan_rec, errors=errors, form=form)
        response = request.render("woow_paas_portal.paas_signup_tenant", values)
        response.status_code = 400
        return response

    def _paas_code_status(self, code):
        """``(status, message)``: ``available``, ``invalid`` (with the
        reason, the same rules as core's constraint) or ``taken`` (never by
        whom)."""
        Tenant = request.env["woow.paas.tenant"].sudo()
        if not isinstance(code, str) or not TENANT_CODE_RE.fullmatch(code):
            return "invalid", request.env._(
                "Use 3 to 63 lowercase letters, digits or hyphens, not starting or ending "
                "with a hyphen."
            )
        if code in Tenant._paas_reserved_codes():
            return "invalid", request.env._("This code is reserved by the platform.")
        if request.env["woow.paas.signup"].sudo()._paas_code_taken(code):
            return "taken", request.env._("This code is taken: choose another one.")
        return "available", request.env._("This code is available.")

    @http.route("/paas/tenant-code/check", type="http", auth="user", methods=["GET"])
    def paas_tenant_code_check(self, code=None, **kw):
        retry_after = self._paas_rate_limited("code_check")
        if retry_after:
            return self._paas_too_many(retry_after, json_body=True)
        status, message = self._paas_code_status((code or "").strip().lower()[:100])
        return request.make_json_response({"status": status, "message": message})

    # ------------------------------------------------------------------
    # Step 3: provisioning
    # ------------------------------------------------------------------
    def _paas_own_signup(self, signup_id):
        signup = request.env["woow.paas.signup"].sudo().browse(signup_id).exists()
        if not signup or signup.user_id != request.env.user:
            return None
        return signup

    @http.route("/paas/signup/<int:signup_id>", type="http", auth="user", website=True)
    def paas_signup_progress(self, signup_id, **kw):
        signup = self._paas_own_signup(signup_id)
        if not signup:
            return request.not_found()
        status = signup._paas_status()
        return request.render(
            "woow_paas_portal.paas_signup_progress",
            {"signup": signup, "status": status, "status_json": json.dumps(status)},
        )

    @http.route(
        "/paas/signup/<int:signup_id>/status", type="http", auth="user", methods=["GET"],
        readonly=True,
    )  # fmt: skip
    def paas_signup_status(self, signup_id, **kw):
        signup = self._paas_own_signup(signup_id)
        if not signup:
            return request.make_json_response({"error": "not_found"}, status=404)
        return request.make_json_response(
            signup._paas_status(), headers=[("Cache-Control", "no-store")]
        )

    @http.route(
        "/paas/signup/<int:signup_id>/retry", type="http", auth="user", website=True,
        methods=["POST"],
    )  # fmt: skip
    def paas_signup_retry(self, signup_id, **kw):
        signup = self._paas_own_signup(signup_id)
        if not signup:
            return request.not_found()
        try:
            signup._paas_retry_provisioning()
        except UserError as exc:
            status = signup._paas_status()
            response = request.render(
                "woow_paas_portal.paas_signup_progress",
                {"signup": signup, "status": status, "status_json": json.dumps(status),
                 "error": str(exc)},
            )  # fmt: skip
            response.status_code = 409
            return response
        return request.redirect(f"/paas/signup/{signup.id}")
