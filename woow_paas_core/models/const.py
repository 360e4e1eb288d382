"""Constants shared by the core models (and readable by the layers)."""

import re

# Anchored with \A and \Z, not ^ and $: "$" also matches before a final
# newline, so "acme\n" would pass and make an unreachable database.
# RFC 1035 label, narrowed to lowercase: 3-63 chars, no leading/trailing hyphen.
TENANT_CODE_RE = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]\Z")

# Host names the platform itself answers on; a tenant may never take them.
RESERVED_TENANT_CODES = frozenset(
    {
        "admin",
        "api",
        "app",
        "auth",
        "billing",
        "docs",
        "help",
        "mail",
        "oauth",
        "portal",
        "static",
        "status",
        "support",
        "web",
        "www",
    }
)

PLAN_CODE_RE = re.compile(r"\A[a-z0-9][a-z0-9_.-]{0,63}\Z")
RESOURCE_CODE_RE = re.compile(r"\A[a-z][a-z0-9_]{0,63}\Z")

SUBSCRIPTION_STATES = [
    ("draft", "Draft"),
    ("trial", "Trial"),
    ("active", "Active"),
    ("past_due", "Past Due"),
    ("suspended", "Suspended"),
    ("cancelled", "Cancelled"),
]

TENANT_STATES = [
    ("draft", "Draft"),
    ("provisioning", "Provisioning"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("archived", "Archived"),
    ("failed", "Failed"),
]

# Subscription states in which the service runs: tenants may be active, the plan may change.
SUBSCRIPTION_RUNNING = ("trial", "active", "past_due")
# Subscription states in which the customer pays: they renew and count in MRR.
SUBSCRIPTION_PAYING = ("active", "past_due")

# System parameter: customers may start the free trial of a plan again
# (default: one trial per customer and plan).
PARAM_ALLOW_REPEAT_TRIALS = "woow_paas_core.allow_repeat_trials"
