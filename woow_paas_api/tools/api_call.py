"""The caller and the call of a REST API route: :class:`Credential`,
:class:`Call`, and the per-model domains that limit a credential bound to
one tenant. Public names are re-exported by :mod:`.framework`."""

from odoo.http import request

from .api_errors import ApiError

# Per model, the domain that limits a credential bound to one tenant to what
# concerns that tenant. Declarations made at import (like routes), by this
# addon and its bridges (register_tenant_domain); never changed by a request.
TENANT_DOMAINS = {}


class Credential:
    """The caller as the API sees it, from an API key or an OAuth2 token.

    ``id`` names the credential for rate limits and idempotency keys: the
    API key, or the OAuth2 client (its tokens rotate, its limits do not).
    """

    def __init__(self, ref, user, scopes, rate_limit=0, record=None):
        self.id = ref
        self.record = record  # the woow.paas.api.key or woow.paas.oauth.client
        self.user_id = user
        # Only the column needed: a partner's whole row is wide, and this
        # runs on every request.
        user.partner_id.fetch(["commercial_partner_id"])
        self.partner_id = user.partner_id.commercial_partner_id
        self.is_customer_key = user.share
        self.rate_limit = rate_limit
        self._scopes = set(scopes)
        self.tenant = bound_tenant(record)

    def _scope_set(self):
        return self._scopes


def bound_tenant(record):
    """The tenant a credential acts for, or None. woow_paas_api_tenant binds
    an API key or an OAuth2 client to one tenant (``paas_tenant_id``): such a
    credential reads and acts on that tenant only (see :func:`register_tenant_domain`)."""
    if record is None or "paas_tenant_id" not in record._fields:
        return None
    return record.sudo().paas_tenant_id or None


def register_tenant_domain(model, domain):
    """Limit ``model`` for credentials bound to a tenant: ``domain(tenant)``
    returns the domain of the records that concern ``tenant``."""
    TENANT_DOMAINS[model] = domain


register_tenant_domain("woow.paas.tenant", lambda tenant: [("id", "=", tenant.id)])
register_tenant_domain(
    "woow.paas.subscription", lambda tenant: [("id", "=", tenant.subscription_id.id)]
)
# The tenant's events, and those of its subscription that name no tenant.
register_tenant_domain(
    "woow.paas.event",
    lambda tenant: ["|", ("tenant_id", "=", tenant.id), "&", ("tenant_id", "=", False),
                    ("subscription_id", "=", tenant.subscription_id.id)],
)  # fmt: skip


class Call:
    """What a route function receives: the credential, the environment it
    acts in, the validated body and query, and helpers to find records."""

    def __init__(self, key, body, query):
        self.key, self.body, self.query = key, body, query
        self.env = request.env
        self.user = key.user_id if key else None
        self.is_customer = bool(key and key.is_customer_key)
        self.partner = key.partner_id if key else None
        self.tenant = key.tenant if key else None

    def tenant_domain(self, model):
        """The domain that limits ``model`` to the bound tenant's records
        (empty for a credential bound to no tenant, or a model that does not
        concern tenants)."""
        if not self.tenant or model not in TENANT_DOMAINS:
            return []
        return TENANT_DOMAINS[model](self.tenant.sudo())

    def check_unbound(self, what):
        """Refuse (403) what reaches beyond the tenant a credential is bound to."""
        if self.tenant:
            raise ApiError(
                403, f"This credential acts for tenant {self.tenant.sudo().code} only: it may "
                f"not {what}.",
            )  # fmt: skip

    def find(self, model, record_id):
        """The record if the credential may see it; 404 otherwise, so that
        another customer's ids reveal nothing."""
        record = self.env[model].search(
            [("id", "=", record_id), *self.tenant_domain(model)], limit=1
        )
        if not record:
            raise ApiError(404, f"No {model.split('.')[-1]} {record_id}.")
        return record


def check_read(call, model):
    """Refuse (403) a credential whose user may not read ``model``."""
    if not call.env[model].has_access("read"):
        raise ApiError(403, "The credential's user may not read these records.")


def customer_act(call, record):
    """Customers act on their own records (found under their rules) through
    the platform's rights: portal users write nothing themselves."""
    return record.sudo() if call.is_customer else record
