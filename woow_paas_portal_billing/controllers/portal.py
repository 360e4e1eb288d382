import math
from datetime import timedelta

from werkzeug.exceptions import BadRequest, NotFound

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING, SUBSCRIPTION_RUNNING
from odoo.addons.woow_paas_portal.controllers.portal import WoowPaasCustomerPortal

# Past usage periods offered on /my/usage (with the current one).
USAGE_PERIODS = 12
# Latest invoices listed on a subscription page (the rest: /my/invoices).
SUBSCRIPTION_INVOICES = 5
# The usage chart: its height in pixels, about as many ticks on the value
# axis and at most as many dates on the time axis.
CHART_HEIGHT = 200
CHART_TICKS = 4
CHART_DATES = 7


def _nice_step(raw, digits):
    """A round step (1, 2 or 5 times a power of ten) of at least ``raw``,
    and not finer than the metric's decimals: seats step by whole seats."""
    smallest = 10.0**-digits
    if raw <= smallest:
        return smallest
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw - 1e-12:
            return max(factor * power, smallest)
    return 10 * power


def _to_int(value):
    """An id from a query string or a form; ``None`` when absent, 400 when
    it is not a number."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(_("Not a valid id: %s", value)) from error


class WoowPaasBillingPortal(WoowPaasCustomerPortal):
    """Billing on the customer's subscription page (/my/usage: usage.py).

    Reads go through the portal user's own access (record rules); the moves
    a customer confirms run as superuser on a subscription whose access was
    checked first, like Odoo's portal does for documents. Every move is a
    POST with its CSRF token that redirects (303) to the page with a message,
    so a refresh never repeats it; each form carries the state it was shown
    for, and the subscription row is locked before it is compared, so a
    second identical POST (a double click, a replay) changes nothing.
    """

    # ------------------------------------------------------------------
    # Home counter
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "paas_usage_metric_count" in counters:
            Rollup = request.env["woow.paas.usage.rollup"]
            since = fields.Date.context_today(Rollup) - timedelta(days=30)
            values["paas_usage_metric_count"] = (
                len(Rollup._read_group([("day", ">=", since)], ["metric_id"]))
                if Rollup.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Subscription page
    # ------------------------------------------------------------------
    def _paas_messages(self):
        return {
            "plan_changed": _("Your plan was changed."),
            "plan_scheduled": _("Your plan changes at the end of the current period."),
            "plan_unchanged": _("Nothing to change: the subscription is already on that plan."),
            "cancelled": _("Your subscription is cancelled."),
            "cancel_scheduled": _("Your subscription ends with the current period."),
            "cancel_unchanged": _("Nothing to change: the subscription is already cancelled."),
            "kept": _("Your subscription keeps renewing."),
            "keep_unchanged": _("Nothing to change: the subscription already renews."),
        }

    def _paas_plan_choices(self, subscription):
        """Public plans the customer may move to: active, same billing
        interval, sold in the subscription's currency."""
        if subscription.state not in SUBSCRIPTION_RUNNING:
            return request.env["woow.paas.plan"]
        plans = request.env["woow.paas.plan"].search(
            [
                ("is_public", "=", True),
                ("billing_interval", "=", subscription.billing_interval),
                ("id", "!=", subscription.plan_id.id),
                ("company_id", "in", (False, subscription.company_id.id)),
            ],
            order="sequence, id",
        )
        return plans.filtered(lambda p: p._paas_price_in(subscription.currency_id) is not None)

    def _paas_plan_label(self, subscription, plan):
        price = plan._paas_price_in(subscription.currency_id)
        values = {
            "plan": plan.name,
            "price": format_amount(request.env, price, subscription.currency_id),
        }
        upgrade = plan._monthly_amount(price) > subscription.recurring_monthly
        if plan.billing_interval == "year":
            if upgrade:
                return _("%(plan)s, %(price)s per year (upgrade)", **values)
            return _("%(plan)s, %(price)s per year (downgrade)", **values)
        if upgrade:
            return _("%(plan)s, %(price)s per month (upgrade)", **values)
        return _("%(plan)s, %(price)s per month (downgrade)", **values)

    def _paas_subscription_page_values(self, subscription, **kw):
        values = super()._paas_subscription_page_values(subscription, **kw)
        sub = subscription.sudo()
        lines, total = sub._paas_next_invoice_preview()
        plans = self._paas_plan_choices(sub)
        values.update(
            {
                "paas_next_invoice": {
                    "lines": lines,
                    "total": total,
                    "date": sub.current_period_end,
                },
                "paas_plans": plans,
                "paas_plan_options": [
                    {"plan": plan, "label": self._paas_plan_label(sub, plan)} for plan in plans
                ],
                "paas_plan_preview": False,
                "paas_cancel_preview": False,
                "paas_cancel_when": False,
                # Billing's own messages, else the portal's (its reactivation).
                "paas_message": self._paas_messages().get(kw.get("paas_message"))
                or values.get("paas_message"),
                # Billing's cancellation (now with its credit, or at period
                # end) replaces the portal's plain "cancel now".
                "paas_can_cancel": False,
                "paas_billing_error": kw.get("paas_billing_error") or {},
                "paas_paying": sub.state in SUBSCRIPTION_PAYING,
                "paas_running": sub.state in SUBSCRIPTION_RUNNING,
            }
        )
        plan_id = kw.get("change_plan")
        if plan_id and not values["paas_billing_error"]:
            plan = plans.filtered(lambda p: str(p.id) == str(plan_id))
            try:
                if not plan:
                    raise UserError(_("This plan is not offered for this subscription."))
                values["paas_plan_preview"] = sub._paas_plan_change_preview(plan)
            except UserError as error:
                values["paas_billing_error"] = {"form": "change_plan", "message": str(error)}
        when = kw.get("cancel")
        if when in ("now", "period_end") and values["paas_running"]:
            values["paas_cancel_when"] = when
            values["paas_cancel_preview"] = sub._paas_cancel_preview()
        values.update(self._paas_subscription_invoices(sub))
        return values

    def _paas_subscription_invoices(self, subscription):
        """The latest invoices of the subscription the user may read, and
        how many there are (two queries)."""
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return {"paas_invoices": Move, "paas_invoice_count": 0}
        domain = Domain(self._get_invoices_domain("out")) & Domain(
            "paas_subscription_id", "=", subscription.id
        )
        return {
            "paas_invoices": Move.search(
                domain, order="invoice_date desc, id desc", limit=SUBSCRIPTION_INVOICES
            ),
            "paas_invoice_count": Move.search_count(domain),
        }

    def _paas_render_subscription(self, subscription, status=200, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._paas_subscription_page_values(subscription, **kw))
        return request.render("woow_paas_portal.portal_my_paas_subscription", values, status=status)

    def _paas_subscription_move(self, subscription_id, form, apply, access_token=None, **kw):
        """Check access, lock the subscription, run ``apply(subscription)``
        (returns a message key) in a savepoint, then redirect to the page
        with the message; a refused move renders the page with the reason
        beside ``form`` (422)."""
        try:
            subscription = self._document_check_access(
                "woow.paas.subscription", subscription_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.not_found()
        subscription = subscription.sudo()._paas_lock_for_billing()
        try:
            with request.env.cr.savepoint():
                message = apply(subscription)
        except (UserError, ValidationError) as error:
            return self._paas_render_subscription(
                subscription, status=422, paas_billing_error={"form": form, "message": str(error)}
            )
        return request.redirect(f"/my/subscriptions/{subscription.id}?paas_message={message}")

    @http.route(
        "/my/subscriptions/<int:subscription_id>/change_plan",
        type="http", auth="user", methods=["POST"], website=True,
    )  # fmt: skip
    def portal_paas_change_plan(self, subscription_id, plan_id=None, from_plan_id=None, **kw):
        plan_id, from_plan_id = _to_int(plan_id), _to_int(from_plan_id)

        def apply(sub):
            if sub.plan_id.id == plan_id or (
                sub.paas_next_plan_id.id == plan_id and sub.plan_id.id == from_plan_id
            ):
                return "plan_unchanged"
            if sub.plan_id.id != from_plan_id:
                raise UserError(
                    _("The subscription changed since this page was shown: review the change.")
                )
            plan = self._paas_plan_choices(sub).filtered(lambda p: p.id == plan_id)
            if not plan:
                raise UserError(_("This plan is not offered for this subscription."))
            deferred = sub._paas_plan_change_deferred(plan)
            sub.action_change_plan(plan)
            return "plan_scheduled" if deferred else "plan_changed"

        return self._paas_subscription_move(subscription_id, "change_plan", apply, **kw)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/cancel",
        type="http", auth="user", methods=["POST"], website=True,
    )  # fmt: skip
    def portal_my_paas_subscription_cancel(self, subscription_id, when=None, **kw):
        """Override of ``woow_paas_portal`` (same route): cancel now with the
        prorated credit note, or at the end of the period. Without ``when``
        it is the portal's own form (cancel now, with a reason)."""
        if when is None:
            return super().portal_my_paas_subscription_cancel(subscription_id, **kw)
        if when not in ("now", "period_end"):
            raise BadRequest(_("Choose when the subscription ends."))

        def apply(sub):
            if sub.state == "cancelled":
                return "cancel_unchanged"
            if when == "period_end":
                if sub.paas_cancel_at_period_end:
                    return "cancel_unchanged"
                sub.action_cancel_at_period_end()
                return "cancel_scheduled"
            if sub.state not in SUBSCRIPTION_RUNNING:
                raise UserError(_("Only a running subscription can be cancelled here."))
            sub.action_cancel(reason=_("Cancelled by the customer from the portal."))
            return "cancelled"

        return self._paas_subscription_move(subscription_id, "cancel", apply, **kw)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/keep_renewing",
        type="http", auth="user", methods=["POST"], website=True,
    )  # fmt: skip
    def portal_paas_keep_renewing(self, subscription_id, **kw):
        def apply(sub):
            if not (sub.paas_cancel_at_period_end or sub.paas_next_plan_id):
                return "keep_unchanged"
            if sub.state not in SUBSCRIPTION_RUNNING:
                raise UserError(_("Only a running subscription can keep renewing."))
            sub.action_keep_renewing()
            return "kept"

        return self._paas_subscription_move(subscription_id, "keep_renewing", apply, **kw)


class WoowPaasInvoicePortal(PortalAccount):
    """``/my/invoices?subscription_id=<id>``: Odoo's own invoice list, kept
    to the invoices of one of the customer's subscriptions; a subscription
    invoice shown as an invoice, not a proforma."""

    @http.route()
    def portal_my_invoice_detail(
        self, invoice_id, access_token=None, report_type=None, download=False, **kw
    ):
        """Override of ``account``: the PDF downloaded of a posted
        subscription invoice without a generated PDF is the invoice, not the
        proforma that ``account`` falls back to."""
        if report_type == "pdf" and download:
            try:
                invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
            except (AccessError, MissingError):
                invoice_sudo = None
            if invoice_sudo and invoice_sudo._paas_issued_without_document():
                return self._show_report(
                    model=invoice_sudo,
                    report_type="pdf",
                    report_ref=invoice_sudo.partner_id.invoice_template_pdf_report_id.report_name
                    or "account.account_invoices",
                    download=True,
                )
        return super().portal_my_invoice_detail(
            invoice_id, access_token=access_token, report_type=report_type, download=download, **kw
        )

    def _show_report(self, model, report_type, report_ref, download=False):
        """Override of ``portal``: ``account`` asks for a proforma when the
        invoice has no generated PDF; a posted subscription invoice is shown
        as the invoice (see ``account.move._paas_issued_without_document``)."""
        if (
            model._name == "account.move"
            and len(model) == 1
            and model._paas_issued_without_document()
        ):
            request.update_context(proforma_invoice=False)
        return super()._show_report(model, report_type, report_ref, download=download)

    def _prepare_my_invoices_values(
        self, page, date_begin, date_end, sortby, filterby, domain=None, url="/my/invoices"
    ):
        subscription = self._paas_invoice_subscription()
        if subscription:
            domain = Domain(domain or Domain.TRUE) & Domain(
                "paas_subscription_id", "=", subscription.id
            )
        values = super()._prepare_my_invoices_values(
            page, date_begin, date_end, sortby, filterby, domain=domain, url=url
        )
        if subscription:
            values["pager"]["url_args"]["subscription_id"] = subscription.id
            values["paas_invoice_subscription"] = subscription
        return values

    def _paas_invoice_subscription(self):
        subscription_id = _to_int(request.params.get("subscription_id"))
        if not subscription_id:
            return None
        subscription = request.env["woow.paas.subscription"].search([("id", "=", subscription_id)])
        if not subscription:
            raise NotFound()
        return subscription
