"""Read-only GraphQL at /api/graphql over the REST API's resources.

Same credentials, scopes, record rules and rate limits as /api/v1 (the
request goes through the REST dispatcher). A nested object needs the scope
of its own kind, as at the top level (``tenants { subscription { price } }``
needs ``subscriptions:read`` too), and a credential bound to a tenant reaches
that tenant's records only, nested or not. Nested lists are resolved on the
parent's recordset, so Odoo's prefetching reads each level in one query
whatever the number of parents (no N+1). Queries deeper than MAX_DEPTH or
asking for more than MAX_COST records in all are refused before they run.
"""

import graphene
from graphql import GraphQLError, parse, validate
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode

from odoo import http
from odoo.http import request

from ..tools.api_graphql import check_scope, query_extensions
from ..tools.framework import ApiError, api_route, graphql_records, iso
from . import schemas as S
from .events import events_scope

MAX_DEPTH = 6
MAX_COST = 5000


def _nested(records, scope):
    """Records reached through a parent: they need their own scope, and a
    tenant-bound credential sees only those of its tenant."""
    check_scope(scope)
    domain = request.woow_paas_call.tenant_domain(records._name)
    return records.filtered_domain(domain) if domain else records


class Plan(graphene.ObjectType):
    id = graphene.Int(required=True)
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    price = graphene.Float(required=True)
    currency = graphene.String()
    billing_interval = graphene.String()
    trial_days = graphene.Int()

    def resolve_currency(plan, info):
        return plan.currency_id.name


class Tenant(graphene.ObjectType):
    id = graphene.Int(required=True)
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    state = graphene.String(required=True)
    customer_id = graphene.Int()
    plan = graphene.Field(Plan)
    subscription = graphene.Field(lambda: Subscription)
    created_at = graphene.String()
    url = graphene.String(description="Where the tenant's application is served, if anywhere.")

    def resolve_customer_id(tenant, info):
        return tenant.commercial_partner_id.id

    def resolve_url(tenant, info):
        # Once for every tenant read with this one (no query per tenant).
        urls = getattr(request, "woow_paas_tenant_urls", None)
        if urls is None:
            urls = request.woow_paas_tenant_urls = {}
        if tenant.id not in urls:
            urls.update(tenant.browse(tenant._prefetch_ids)._paas_urls())
        return urls.get(tenant.id) or None

    def resolve_plan(tenant, info):
        return _nested(tenant.plan_id, "plans:read") or None

    def resolve_subscription(tenant, info):
        return _nested(tenant.subscription_id, "subscriptions:read") or None

    def resolve_created_at(tenant, info):
        return iso(tenant.create_date)


class Subscription(graphene.ObjectType):
    id = graphene.Int(required=True)
    reference = graphene.String(required=True)
    state = graphene.String(required=True)
    customer_id = graphene.Int()
    price = graphene.Float()
    currency = graphene.String()
    mrr = graphene.Float()
    current_period_end = graphene.String()
    plan = graphene.Field(Plan)
    tenants = graphene.List(graphene.NonNull(Tenant), required=True)

    def resolve_reference(sub, info):
        return sub.name

    def resolve_customer_id(sub, info):
        return sub.commercial_partner_id.id

    def resolve_currency(sub, info):
        return sub.currency_id.name

    def resolve_current_period_end(sub, info):
        return iso(sub.current_period_end)

    def resolve_plan(sub, info):
        return _nested(sub.plan_id, "plans:read") or None

    def resolve_tenants(sub, info):
        return list(_nested(sub.tenant_ids, "tenants:read"))


class Event(graphene.ObjectType):
    id = graphene.String(required=True)
    type = graphene.String(required=True)
    occurred_at = graphene.String(required=True)
    subscription_id = graphene.Int()
    tenant_id = graphene.Int()
    payload = graphene.JSONString()

    def resolve_id(event, info):
        return event.uuid

    def resolve_type(event, info):
        return event.event_type

    def resolve_occurred_at(event, info):
        return iso(event.occurred_at)

    def resolve_subscription_id(event, info):
        return event.subscription_id.id or None

    def resolve_tenant_id(event, info):
        return event.tenant_id.id or None


class Query(graphene.ObjectType):
    plans = graphene.List(
        graphene.NonNull(Plan), required=True, first=graphene.Int(default_value=50)
    )
    subscriptions = graphene.List(
        graphene.NonNull(Subscription), required=True,
        first=graphene.Int(default_value=50), state=graphene.String(),
    )  # fmt: skip
    tenants = graphene.List(
        graphene.NonNull(Tenant), required=True,
        first=graphene.Int(default_value=50), state=graphene.String(),
    )  # fmt: skip
    events = graphene.List(
        graphene.NonNull(Event), required=True,
        first=graphene.Int(default_value=50), type=graphene.String(),
    )  # fmt: skip

    def resolve_plans(root, info, first):
        return graphql_records("woow.paas.plan", [], first, "plans:read")

    def resolve_subscriptions(root, info, first, state=None):
        domain = [("state", "=", state)] if state else []
        return graphql_records("woow.paas.subscription", domain, first, "subscriptions:read")

    def resolve_tenants(root, info, first, state=None):
        domain = [("state", "=", state)] if state else []
        return graphql_records("woow.paas.tenant", domain, first, "tenants:read")

    def resolve_events(root, info, first, type=None):
        check_scope("events:read")
        events, domain = events_scope(request.woow_paas_call)  # the REST route's scoping
        domain = [*domain, ("event_type", "=", type)] if type else domain
        return graphql_records(events, domain, first, "events:read")


SCHEMA = graphene.Schema(query=Query, auto_camelcase=False)


def _schema():
    """The schema of this database: core's query plus its installed
    bridges' fields, built once per registry and combination (modules are
    loaded into the registry one after another)."""
    extensions = query_extensions()
    if not extensions:
        return SCHEMA
    registry = request.env.registry
    if not hasattr(registry, "_woow_paas_graphql_schemas"):
        registry._woow_paas_graphql_schemas = {}
    schemas = registry._woow_paas_graphql_schemas
    key = tuple(ext[0] for ext in extensions)
    if key not in schemas:
        query = type("Query", (*(ext[1] for ext in extensions), Query), {})
        schemas[key] = graphene.Schema(query=query, auto_camelcase=False)
    return schemas[key]


def _cost(node, fragments, depth=1, list_fields=None):
    """(depth, records) of a selection: every list field counts its
    ``first`` (default 50) times what it contains."""
    max_depth, cost = depth, 0
    for selection in getattr(node.selection_set, "selections", None) or []:
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment:
                sub_depth, sub_cost = _cost(fragment, fragments, depth, list_fields)
                max_depth, cost = max(max_depth, sub_depth), cost + sub_cost
            continue
        if isinstance(selection, InlineFragmentNode):
            sub_depth, sub_cost = _cost(selection, fragments, depth, list_fields)
            max_depth, cost = max(max_depth, sub_depth), cost + sub_cost
            continue
        if not isinstance(selection, FieldNode) or not selection.selection_set:
            continue
        sub_depth, sub_cost = _cost(selection, fragments, depth + 1, list_fields)
        first = next(
            (int(arg.value.value) for arg in selection.arguments
             if arg.name.value == "first" and hasattr(arg.value, "value")), 50,
        )  # fmt: skip
        max_depth = max(max_depth, sub_depth)
        is_list = selection.name.value in (list_fields or LIST_FIELDS)
        cost += first * (1 + sub_cost) if is_list else 1 + sub_cost
    return max_depth, cost


LIST_FIELDS = {"plans", "subscriptions", "tenants", "events"}


class WoowPaasGraphql(http.Controller):
    @api_route("/api/graphql", "POST", summary="GraphQL query (read-only)", body=S.GraphqlQuery,
               response=S.GraphqlResult, tags=("graphql",))  # fmt: skip
    def graphql(call):
        """A read-only GraphQL query over plans, subscriptions, tenants and
        events; the schema is at GET /api/graphql/schema. Same credentials,
        scopes and limits as /api/v1."""
        try:
            document = parse(call.body.query)
        except GraphQLError as exc:
            raise ApiError(400, f"The query is not valid GraphQL: {exc}") from exc
        schema = _schema()
        list_fields = LIST_FIELDS.union(*(ext[2] for ext in query_extensions()))
        errors = validate(schema.graphql_schema, document)
        if errors:
            raise ApiError(400, "; ".join(error.message for error in errors))
        fragments = {
            d.name.value: d for d in document.definitions if d.kind == "fragment_definition"
        }
        for definition in document.definitions:
            if definition.kind != "operation_definition":
                continue
            if definition.operation.value != "query":
                raise ApiError(400, "Only queries are served: the API's writes are REST routes.")
            depth, cost = _cost(definition, fragments, list_fields=list_fields)
            if depth > MAX_DEPTH:
                raise ApiError(400, f"The query is {depth} levels deep; at most {MAX_DEPTH}.")
            if cost > MAX_COST:
                raise ApiError(400, f"The query may return {cost} records; at most {MAX_COST}.")
        request.woow_paas_call = call
        result = schema.execute(
            call.body.query, variable_values=call.body.variables,
            operation_name=call.body.operationName,
        )  # fmt: skip
        for error in result.errors or []:
            original = getattr(error, "original_error", None)
            if isinstance(original, ApiError):
                raise original
        if result.errors:
            raise ApiError(400, "; ".join(str(error.message) for error in result.errors))
        return 200, {"data": result.data}

    @http.route("/api/graphql/schema", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False)  # fmt: skip
    def graphql_schema(self):
        return request.make_response(
            str(_schema()), headers=[("Content-Type", "text/plain; charset=utf-8")]
        )
