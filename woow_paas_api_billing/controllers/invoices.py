"""Invoice routes of /api/v1, served where woow_paas_billing is installed.

A customer credential reads its own commercial partner's posted invoices
and credit notes (another customer's id answers 404); an operator
credential reads the customer invoices its user may read in Accounting. A
credential bound to a tenant reads the invoices of that tenant's subscription.
"""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.woow_paas_api.tools.framework import (
    LIST_QUERY,
    PREFIX,
    SINCE_QUERY,
    ApiError,
    api_route,
    codes,
    iso,
    page,
    register_tenant_domain,
)

from . import invoice_schemas as I

SCOPE = "billing:read"
TAGS = ("invoices",)
MOVE_TYPES = {"out_invoice": "invoice", "out_refund": "credit_note"}
STATES = ("draft", "posted", "cancel")
PAYMENT_STATES = ("not_paid", "in_payment", "paid", "partial", "reversed", "blocked")
FIELDS = [
    "name", "move_type", "commercial_partner_id", "paas_subscription_id", "paas_invoice_kind",
    "state", "payment_state", "currency_id", "amount_untaxed_signed", "amount_tax_signed",
    "amount_total_signed", "amount_residual_signed", "invoice_date", "invoice_date_due",
    "paas_period_start", "paas_period_end", "create_date", "write_date",
]  # fmt: skip


register_tenant_domain(
    "account.move", lambda tenant: [("paas_subscription_id", "=", tenant.subscription_id.id)]
)


def _invoices(call):
    """The model to search and the domain that limits it to what the
    credential may see."""
    domain = [("move_type", "in", list(MOVE_TYPES)), *call.tenant_domain("account.move")]
    if call.is_customer:
        # Portal users have no read right of their own on account.move
        # beyond followers; the API limits them to their customer instead.
        return call.env["account.move"].sudo(), [
            *domain, ("commercial_partner_id", "=", call.partner.id), ("state", "=", "posted"),
        ]  # fmt: skip
    if not call.env["account.move"].has_access("read"):
        raise ApiError(403, "The credential's user may not read invoices.")
    return call.env["account.move"], domain


def _amount(value, sign):
    # The *_signed amounts are negative on credit notes: the API shows the
    # document's own amounts, positive, as the PDF does.
    return round(value * sign, 2)


def _invoice_data(moves):
    rows = moves.read(FIELDS, load=None)
    currencies = codes(moves.env["res.currency"], [r["currency_id"] for r in rows], "name")
    result = []
    for r in rows:
        sign = -1 if r["move_type"] == "out_refund" else 1
        result.append({
            "id": r["id"], "number": r["name"] if r["name"] not in (False, "/") else None,
            "type": MOVE_TYPES[r["move_type"]], "customer_id": r["commercial_partner_id"],
            "subscription_id": r["paas_subscription_id"] or None,
            "kind": r["paas_invoice_kind"] or None, "state": r["state"],
            "payment_state": r["payment_state"], "currency": currencies.get(r["currency_id"]),
            "amount_untaxed": _amount(r["amount_untaxed_signed"], sign),
            "amount_tax": _amount(r["amount_tax_signed"], sign),
            "amount_total": _amount(r["amount_total_signed"], sign),
            "amount_due": _amount(r["amount_residual_signed"], sign),
            "invoice_date": iso(r["invoice_date"]), "due_date": iso(r["invoice_date_due"]),
            "period_start": iso(r["paas_period_start"]),
            "period_end": iso(r["paas_period_end"]),
            "created_at": iso(r["create_date"]), "updated_at": iso(r["write_date"]),
        })  # fmt: skip
    return result


def _find(call, invoice_id):
    Move, domain = _invoices(call)
    move = Move.search([*domain, ("id", "=", invoice_id)], limit=1)
    if not move:
        raise ApiError(404, f"No invoice {invoice_id}.")
    return move


class WoowPaasInvoiceApi(http.Controller):
    @api_route(f"{PREFIX}/invoices", "GET", summary="List invoices", scope=SCOPE,
               response=I.InvoicePage,
               query={**LIST_QUERY, **SINCE_QUERY,
                      "state": ("string", "Only this state: " + ", ".join(STATES)),
                      "payment_state": ("string", "Only this payment state: "
                                        + ", ".join(PAYMENT_STATES)),
                      "subscription_id": ("integer", "Only this subscription's."),
                      "customer_id": ("integer", "Only this customer's (operators).")},
               tags=TAGS)  # fmt: skip
    def list_invoices(call):
        """Invoices and credit notes, newest first."""
        Move, domain = _invoices(call)
        for name, values in (("state", STATES), ("payment_state", PAYMENT_STATES)):
            if name in call.query:
                if call.query[name] not in values:
                    raise ApiError(400, f"{name} is one of {', '.join(values)}.")
                domain.append((name, "=", call.query[name]))
        for name, field in (("subscription_id", "paas_subscription_id"),
                            ("customer_id", "commercial_partner_id")):  # fmt: skip
            if name in call.query:
                domain.append((field, "=", call.query[name]))
        return page(call, Move, domain, _invoice_data)

    @api_route(f"{PREFIX}/invoices/<int:invoice_id>", "GET", summary="Read an invoice",
               scope=SCOPE, response=I.InvoiceDetail, tags=TAGS)  # fmt: skip
    def get_invoice(call, invoice_id):
        """An invoice with its lines."""
        move = _find(call, invoice_id)
        data = _invoice_data(move)[0]
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        data["lines"] = [
            {"description": r["name"] or "", "quantity": r["quantity"],
             "price_unit": r["price_unit"], "subtotal": _amount(r["price_subtotal"], 1),
             "total": _amount(r["price_total"], 1)}
            for r in lines.read(["name", "quantity", "price_unit", "price_subtotal",
                                 "price_total"], load=None)
        ]  # fmt: skip
        return 200, data

    @api_route(f"{PREFIX}/invoices/<int:invoice_id>/pdf", "GET",
               summary="Download an invoice as PDF", scope=SCOPE, media="application/pdf",
               tags=TAGS)  # fmt: skip
    def get_invoice_pdf(call, invoice_id):
        """The invoice printed by Odoo's invoice report."""
        move = _find(call, invoice_id)
        try:
            content, kind = (
                request.env["ir.actions.report"]
                .sudo()
                ._render_qweb_pdf("account.account_invoices", move.ids)
            )
        except UserError as exc:  # no wkhtmltopdf on the server
            raise ApiError(503, str(exc.args[0] if exc.args else exc)) from exc
        filename = (move.name or f"invoice-{move.id}").replace("/", "-")
        # Under tests Odoo renders reports as HTML (no wkhtmltopdf call).
        media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
        return 200, request.make_response(
            content,
            headers=[("Content-Type", media),
                     ("Content-Disposition", f'inline; filename="{filename}.pdf"')],
        )  # fmt: skip
