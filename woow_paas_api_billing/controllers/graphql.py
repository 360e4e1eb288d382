"""Invoices in the read-only GraphQL of woow_paas_api, with the REST
routes' scoping (``billing:read``; a customer's own posted invoices)."""

import graphene

from odoo.http import request

from odoo.addons.woow_paas_api.tools.framework import graphql_records, register_query

from .invoices import SCOPE, _invoice_data, _invoices


class Invoice(graphene.ObjectType):
    id = graphene.Int(required=True)
    number = graphene.String()
    type = graphene.String(required=True)
    customer_id = graphene.Int()
    subscription_id = graphene.Int()
    kind = graphene.String()
    state = graphene.String(required=True)
    payment_state = graphene.String()
    currency = graphene.String()
    amount_untaxed = graphene.Float()
    amount_tax = graphene.Float()
    amount_total = graphene.Float()
    amount_due = graphene.Float()
    invoice_date = graphene.String()
    due_date = graphene.String()
    period_start = graphene.String()
    period_end = graphene.String()
    created_at = graphene.String()
    updated_at = graphene.String()


class InvoiceQuery(graphene.ObjectType):
    invoices = graphene.List(
        graphene.NonNull(Invoice), required=True,
        first=graphene.Int(default_value=50), state=graphene.String(),
        subscription_id=graphene.Int(),
    )  # fmt: skip

    def resolve_invoices(root, info, first, state=None, subscription_id=None):
        Move, domain = _invoices(request.woow_paas_call)
        if state:
            domain = [*domain, ("state", "=", state)]
        if subscription_id:
            domain = [*domain, ("paas_subscription_id", "=", subscription_id)]
        moves = graphql_records(Move, domain, first, SCOPE)
        # One read for the page (the REST serializer), not one per invoice.
        return [Invoice(**row) for row in _invoice_data(Move.browse([m.id for m in moves]))]


register_query("woow_paas_api_billing", InvoiceQuery, {"invoices"})
