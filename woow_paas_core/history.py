"""The history core guarantees to the layers that rebuild the past.

A subscription's or a tenant's state, price and plan at any past instant
are its row today unwound by its events (``woow.paas.event``). Layers that
replay the history (the dashboard's snapshot and its live replay) read only
what this module declares, and core's tests (``test_history_contract``)
check that what it declares holds: the contract is written here rather than
left implicit in another addon's SQL.

Core guarantees, for every event still kept (see the retention of the log):

- an event of a record (``res_model``, ``res_id``) whose payload has ``to``
  is a change of that record's ``state``, at ``occurred_at``: ``from`` is the
  state it left and ``to`` the state it entered (values of the record's
  ``state`` selection). Every state change made by ``_paas_transition`` (the
  lifecycle mixin, whichever layer calls it) emits one, and no other event
  of a subscription or tenant carries ``to``;
- each event type of ``HISTORY_PAYLOAD_KEYS`` carries the keys listed for it
  (dotted names are keys of a nested object);
- the columns of ``HISTORY_COLUMNS`` exist with these names and meanings;
  a layer may watch them (e.g. with triggers) to learn that a record's
  history must be read again, and must watch no other column of core's
  tables for that.
"""

from types import MappingProxyType

# The keys of a state change's payload (see above).
TRANSITION_KEYS = ("from", "to")

# The state changes core emits (other layers may emit more, with the same keys).
TRANSITION_EVENTS = MappingProxyType(
    {
        "woow.paas.subscription": (
            "subscription.trial_started", "subscription.activated", "subscription.past_due",
            "subscription.suspended", "subscription.reactivated", "subscription.cancelled",
        ),
        "woow.paas.tenant": (
            "tenant.provisioning", "tenant.provisioned", "tenant.failed", "tenant.suspended",
            "tenant.reactivated", "tenant.archived",
        ),
    }
)  # fmt: skip

# The price and plan changes of a subscription: the price, interval and plan
# *before* the change, so that prices can be unwound from today's.
# ``plan_changed``: ``from_plan``/``to_plan`` are plan codes; ``before`` and
# ``after`` the price and billing interval. ``price_changed``: ``before`` and
# ``after`` are prices in ``currency`` (the plan is the event's ``plan_id``).
HISTORY_PAYLOAD_KEYS = MappingProxyType(
    {
        "subscription.plan_changed": (
            "from_plan", "to_plan", "before.price", "before.interval", "after.price",
            "after.interval",
        ),
        "subscription.price_changed": ("before", "after", "currency"),
    }
)  # fmt: skip

# The columns of core's tables that a subscription's or a tenant's history is
# made of (table: columns): today's values, unwound by the events.
HISTORY_COLUMNS = MappingProxyType(
    {
        "woow_paas_subscription": (
            "id", "state", "price", "billing_interval", "plan_id", "commercial_partner_id",
            "currency_id", "company_id", "date_start", "cancel_date",
        ),
        "woow_paas_tenant": ("id", "state", "plan_id", "company_id", "create_date"),
        "woow_paas_plan": ("id", "code", "billing_interval"),
        "woow_paas_event": (
            "id", "event_type", "occurred_at", "res_model", "res_id", "plan_id", "payload",
        ),
    }
)  # fmt: skip


def payload_value(payload, key):
    """The value of the dotted ``key`` in ``payload`` (``KeyError`` when
    missing): ``payload_value(p, "before.price")`` is ``p["before"]["price"]``."""
    value = payload
    for part in key.split("."):
        if not isinstance(value, dict):
            raise KeyError(key)
        value = value[part]
    return value
