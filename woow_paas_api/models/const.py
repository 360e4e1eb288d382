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
