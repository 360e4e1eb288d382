"""What bridges need to extend the read-only GraphQL of ``/api/graphql``
(``controllers/graphql.py``). Public names are re-exported by
:mod:`.framework`."""

from odoo.http import request

from .api_errors import ApiError

# Page size bounds of a GraphQL list field (``first``).
GRAPHQL_MAX_LIMIT = 100
# Query fields that bridge addons add (woow_paas_api_billing: invoices):
# ``(module, query mixin class, list field names)``, declared at import and
# never changed by a request. A database serves those of its installed modules.
QUERY_EXTENSIONS = []


def register_query(module, mixin, list_fields):
    """Add the fields of the graphene ``mixin`` class to the GraphQL query
    of the databases where ``module`` is installed; ``list_fields`` name its
    list fields (they count ``first`` records in the query's cost)."""
    QUERY_EXTENSIONS.append((module, mixin, frozenset(list_fields)))


def query_extensions():
    """The registered extensions of the modules installed on the request's database."""
    if not request.db:
        return ()
    modules = request.env.registry._init_modules
    return tuple(ext for ext in QUERY_EXTENSIONS if ext[0] in modules)


def check_scope(scope):
    """Refuse (403) a GraphQL field whose scope the credential lacks."""
    if scope not in request.woow_paas_call.key._scope_set():
        raise ApiError(403, f"The credential lacks the scope {scope}.")


def graphql_records(model, domain, first, scope):
    """The newest ``first`` records of ``model`` (a name, or a recordset to
    search in) that the credential may see, for a list field needing ``scope``."""
    check_scope(scope)
    if not 1 <= first <= GRAPHQL_MAX_LIMIT:
        raise ApiError(400, f"first must be between 1 and {GRAPHQL_MAX_LIMIT}.")
    Model = request.env[model] if isinstance(model, str) else model
    domain = [*domain, *request.woow_paas_call.tenant_domain(Model._name)]
    return list(Model.search(domain, limit=first, order="id desc"))
