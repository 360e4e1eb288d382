"""Public constants of the API: scopes and key format."""

KEY_PREFIX = "wpk_"
# Characters of the key stored in clear to find it (never enough to use it).
LOOKUP_LENGTH = 12

SCOPES = {
    "plans:read": "Read plans",
    "subscriptions:read": "Read subscriptions",
    "subscriptions:write": "Create, change and cancel subscriptions",
    "tenants:read": "Read tenants",
    "tenants:write": "Create, suspend and resume tenants",
    "events:read": "Read the event log",
    "usage:write": "Send usage events",
    "billing:read": "Read invoices",
    "webhooks:manage": "Manage webhook endpoints",
}

# The rights an operator (an internal user) needs for each scope: the routes
# of the scope act as the credential's owner with these. A credential never
# holds a scope its owner lacks the rights for; a model not installed is
# skipped. Customers' credentials are judged apart (their routes act for
# their own customer): see woow.paas.api.owned.mixin.
SCOPE_RIGHTS = {
    "plans:read": (("woow.paas.plan", "read"),),
    "subscriptions:read": (("woow.paas.subscription", "read"),),
    "subscriptions:write": (("woow.paas.subscription", "create"),
                            ("woow.paas.subscription", "write")),
    "tenants:read": (("woow.paas.tenant", "read"),),
    "tenants:write": (("woow.paas.tenant", "create"), ("woow.paas.tenant", "write")),
    "events:read": (("woow.paas.event", "read"),),
    "usage:write": (("woow.paas.usage.event", "create"),),
    "billing:read": (("account.move", "read"),),
    "webhooks:manage": (("woow.paas.webhook.endpoint", "create"),
                        ("woow.paas.webhook.endpoint", "write")),
}  # fmt: skip
