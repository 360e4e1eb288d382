import fnmatch
import json
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import webhook as wh

# A rotated secret keeps signing for this long unless told otherwise.
DEFAULT_OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=7)
# Fields whose change lets the fan-out cache go stale.
ROUTING_FIELDS = {"enabled", "event_types", "user_id", "company_id"}


class WoowPaasWebhookEndpoint(models.Model):
    """A URL that receives the platform's events, signed (Standard Webhooks).

    An endpoint belongs to a user: an operator (internal user), whose
    endpoint receives every event of its company that its filters accept,
    or a customer's portal user, whose endpoint receives only the events of
    that customer (``partner_id`` of the event). The ``whsec_`` secret is
    shown once, when generated or rotated; during a rotation's overlap
    window both secrets sign every delivery. Its owner and company are
    guarded by ``woow.paas.api.owned.mixin``; a URL changed by anyone but a
    PaaS Manager loses the permission to reach private networks.
    """

    _name = "woow.paas.webhook.endpoint"
    _inherit = ["woow.paas.api.owned.mixin", "woow.paas.webhook.endpoint.health"]
    _description = "PaaS Webhook Endpoint"
    _order = "id desc"
    _rec_name = "url"

    url = fields.Char(string="URL", required=True, help="An https:// URL (or http://).")
    description = fields.Char(help="What this endpoint is for.")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.user,
        help="An operator receives every event; a customer's portal user only its customer's.",
    )
    partner_id = fields.Many2one(
        related="user_id.partner_id.commercial_partner_id", string="Customer", store=True
    )
    is_customer_endpoint = fields.Boolean(related="user_id.share", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    event_types = fields.Char(
        help="Space- or comma-separated event types; wildcards such as tenant.* are "
        "allowed. Empty: every event.",
    )
    enabled = fields.Boolean(default=True)
    ordered = fields.Boolean(
        string="Ordered Delivery",
        default=True,
        help="Send this endpoint's deliveries one at a time, in event order: while one "
        "is retried (its first three attempts, about five minutes), the later ones wait. "
        "Unticked: deliveries go out in parallel, faster, in no guaranteed order.",
    )
    disabled_reason = fields.Char(readonly=True, copy=False)
    disabled_at = fields.Datetime(readonly=True, copy=False)
    reenabled_at = fields.Datetime(string="Re-enabled At", readonly=True, copy=False)
    missed_replayed = fields.Boolean(
        readonly=True, copy=False, help="What was missed while disabled was replayed."
    )
    custom_headers = fields.Text(
        string="Custom Headers (JSON)",
        help='Extra headers sent with every delivery, as a JSON object: {"X-Env": "prod"}.',
    )
    allow_private_network = fields.Boolean(
        help="Allow private, loopback and link-local targets (operators only; for "
        "receivers inside the platform's network).",
    )
    secret = fields.Char(readonly=True, copy=False, groups="base.group_system")
    previous_secret = fields.Char(readonly=True, copy=False, groups="base.group_system")
    previous_secret_expires_at = fields.Datetime(
        string="Old Secret Valid Until", readonly=True, copy=False
    )
    secret_shown = fields.Boolean(
        readonly=True, copy=False, help="The secret was shown once; rotate it to see a new one."
    )
    failing_since = fields.Datetime(readonly=True, copy=False)
    delivery_ids = fields.One2many("woow.paas.webhook.delivery", "endpoint_id")
    delivery_count = fields.Integer(compute="_compute_delivery_count")

    def _compute_delivery_count(self):
        counts = dict(
            self.env["woow.paas.webhook.delivery"]._read_group(
                [("endpoint_id", "in", self.ids)], ["endpoint_id"], ["__count"]
            )
        )
        for endpoint in self:
            endpoint.delivery_count = counts.get(endpoint, 0)

    @api.constrains("url", "allow_private_network")
    def _check_url(self):
        for endpoint in self:
            try:
                wh.check_url(endpoint.url, endpoint.allow_private_network)
            except wh.UnsafeTarget as exc:
                raise ValidationError(str(exc)) from exc

    @api.constrains("event_types")
    def _check_event_types(self):
        for endpoint in self:
            for pattern in endpoint._event_patterns():
                if not all(c.isalnum() or c in "._-*" for c in pattern):
                    raise ValidationError(
                        self.env._("%(pattern)s is not an event type or pattern.",
                                   pattern=pattern)
                    )  # fmt: skip

    @api.constrains("custom_headers")
    def _check_custom_headers(self):
        for endpoint in self:
            endpoint._parsed_headers()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_private_network_right(vals)
        endpoints = super().create(vals_list)
        for endpoint in endpoints.sudo():
            endpoint.write({"secret": wh.new_secret(), "secret_shown": False})
        self.env.registry.clear_cache()
        return endpoints

    def write(self, vals):
        self._check_private_network_right(vals)
        if "url" in vals and not self._may_keep_private_network():
            # A new URL is checked as any other: the permission to reach
            # private networks was given for the old one.
            moved = self.filtered(lambda e: e.url != vals["url"])
            if moved and moved != self:
                return (self - moved).write(vals) and moved.write(vals)
            if moved.filtered("allow_private_network") and "allow_private_network" not in vals:
                vals = {**vals, "allow_private_network": False}
        switched = self.browse()
        platform = {}
        if "enabled" in vals:
            switched = self.filtered(lambda e: e.enabled != bool(vals["enabled"]))
            if not vals["enabled"] and "disabled_reason" not in vals:
                platform["disabled_reason"] = self.env._("Disabled by %s", self.env.user.name)
            elif vals["enabled"]:
                platform.update(disabled_reason=False, failing_since=False)
        result = super().write(vals)
        if platform:
            self.sudo().write(platform)
        if switched:
            # When it was disabled and re-enabled bound what a replay sends.
            now = fields.Datetime.now()
            if vals["enabled"]:
                switched.sudo().filtered("disabled_at").write(
                    {"reenabled_at": now, "missed_replayed": False}
                )
            else:
                switched.sudo().write(
                    {"disabled_at": now, "reenabled_at": False, "missed_replayed": False}
                )
        if "enabled" in vals and not vals["enabled"]:
            self.env["woow.paas.webhook.delivery"].sudo()._cancel_pending(self)
        if ROUTING_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return result

    @api.ondelete(at_uninstall=False)
    def _clear_routing_cache(self):
        self.env.registry.clear_cache()

    def _paas_platform_fields(self):
        rotate = self.env._("use Rotate Secret")
        worker = self.env._("the delivery worker keeps it")
        switch = self.env._("it follows the Enabled switch")
        owner = self.env._("it follows the endpoint's owner")
        return {
            **super()._paas_platform_fields(),
            "secret": rotate, "previous_secret": rotate, "previous_secret_expires_at": rotate,
            "secret_shown": self.env._("use Show Secret"), "failing_since": worker,
            "disabled_reason": switch, "disabled_at": switch, "reenabled_at": switch,
            "missed_replayed": self.env._("use Replay Missed Events"),
            "partner_id": owner, "is_customer_endpoint": owner,
        }  # fmt: skip

    def _may_keep_private_network(self):
        """Whether the caller may change the URL of an endpoint allowed on
        private networks and keep that permission: a PaaS Manager, or the
        superuser itself. Code that acts with the platform's rights for a
        user (``sudo()``) does not count: the new URL is the user's."""
        user = self.env.user
        return user._is_superuser() or user.has_group("woow_paas_core.group_paas_manager")

    def _check_private_network_right(self, vals):
        if vals.get("allow_private_network") and not (
            self.env.su or self.env.user.has_group("woow_paas_core.group_paas_manager")
        ):
            raise AccessError(
                self.env._("Only PaaS Managers may let an endpoint reach private networks.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_reveal_secret(self):
        """Show the secret generated at creation, once."""
        self.ensure_one()
        self.check_access("write")
        endpoint = self.sudo()
        if endpoint.secret_shown:
            raise UserError(self.env._("The secret was shown once: rotate it to get a new one."))
        endpoint.secret_shown = True
        return self._show_secret_action(endpoint.secret)

    def _show_secret_action(self, secret):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Your Webhook Secret"),
            "res_model": "woow.paas.webhook.secret.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_secret": secret},
        }

    def action_rotate_secret(self, overlap_hours=None):
        """Generate a new secret and show it once; the current one keeps
        signing (beside the new one) for ``overlap_hours`` (default 24, at
        most 168), so that receivers can switch without losing a message."""
        self.ensure_one()
        return self._show_secret_action(self._rotate_secret(overlap_hours))

    def _rotate_secret(self, overlap_hours=None):
        """Rotate and return the new secret; the caller must be allowed to
        write the endpoint."""
        self.ensure_one()
        self.check_access("write")
        overlap = DEFAULT_OVERLAP if overlap_hours is None else timedelta(hours=overlap_hours)
        if overlap < timedelta(0) or overlap > MAX_OVERLAP:
            raise UserError(self.env._("The overlap is between 0 and 168 hours."))
        endpoint = self.sudo()
        secret = wh.new_secret()
        vals = {"secret": secret, "secret_shown": True, "previous_secret": False,
                "previous_secret_expires_at": False}  # fmt: skip
        if overlap and endpoint.secret:
            vals.update(
                previous_secret=endpoint.secret,
                previous_secret_expires_at=fields.Datetime.now() + overlap,
            )
        endpoint.write(vals)
        return secret

    def action_test_send(self):
        """Queue a ``webhook.test`` message: the worker sends it at once (a
        test message neither waits behind nor holds the endpoint's other
        deliveries, and is not retried). The click does not wait for the
        receiver: the result shows in the endpoint's deliveries."""
        self.ensure_one()
        self._test_send()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Test message queued"),
                "message": self.env._(
                    "It is sent within seconds; its result shows in the deliveries."
                ),
                "sticky": False,
                "next": self.action_open_deliveries(),
            },
        }

    def _test_send(self):
        """Queue a test message and return its delivery; the caller must be
        allowed to write the endpoint."""
        self.ensure_one()
        self.check_access("write")
        Delivery = self.env["woow.paas.webhook.delivery"].sudo()
        delivery = Delivery._create_test(self)
        Delivery._trigger_worker()
        return delivery

    def action_open_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_api.woow_paas_webhook_delivery_action"
        )
        action["domain"] = [("endpoint_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _event_patterns(self):
        self.ensure_one()
        return [p for p in (self.event_types or "").replace(",", " ").split() if p]

    def _parsed_headers(self):
        """The custom headers as a dict; a ValidationError for anything but a
        JSON object of strings, a name that is not an HTTP token, a value that
        HTTP cannot carry (beyond printable Latin-1, a line break) or a header
        the protocol owns."""
        self.ensure_one()
        if not (self.custom_headers or "").strip():
            return {}
        try:
            headers = json.loads(self.custom_headers)
        except ValueError as exc:
            raise ValidationError(self.env._("Custom headers are not valid JSON.")) from exc
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValidationError(
                self.env._('Custom headers are a JSON object of strings: {"X-Env": "prod"}.')
            )
        for name, value in headers.items():
            if not wh.is_header_name(name):
                raise ValidationError(
                    self.env._(
                        "“%(name)s” is not a header name: use letters, digits and "
                        "!#$%%&'*+-.^_`|~ only, without spaces.",
                        name=name,
                    )
                )
            if not wh.is_header_value(value):
                raise ValidationError(
                    self.env._(
                        "The value of header %(name)s cannot be sent: use printable Latin-1 "
                        "characters only (no line breaks or control characters, no "
                        "characters such as € or emoji), without spaces at either end.",
                        name=name,
                    )
                )
        reserved = sorted(k for k in headers if k.lower() in wh.RESERVED_HEADERS)
        if reserved:
            raise ValidationError(
                self.env._("These headers are set by the platform: %s.", ", ".join(reserved))
            )
        return headers

    @api.model
    @tools.ormcache()
    def _routing_table(self):
        """The enabled endpoints as ``(id, patterns, customer id or None,
        company id)`` tuples, cached per registry and cleared whenever an
        endpoint changes. The fan-out joins the table again, so a stale
        entry (another worker's change) never inserts for a disabled or
        deleted endpoint."""
        self.flush_model()
        self.env.cr.execute(
            """SELECT e.id, e.event_types, e.is_customer_endpoint, e.partner_id, e.company_id
                 FROM woow_paas_webhook_endpoint e WHERE e.enabled ORDER BY e.id"""
        )
        return tuple(
            (
                id_,
                tuple(p for p in (types or "").replace(",", " ").split() if p),
                partner_id if is_customer else None,
                company_id,
            )
            for id_, types, is_customer, partner_id, company_id in self.env.cr.fetchall()
        )

    @api.model
    def _matches(self, patterns, event_type):
        return not patterns or any(fnmatch.fnmatchcase(event_type, p) for p in patterns)

    def _paas_event_links(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id if self.is_customer_endpoint else False,
            "company_id": self.company_id.id,
        }

    def _signing_secrets(self, now=None):
        """The secrets that sign now: the current one, and the previous one
        during its overlap window."""
        self.ensure_one()
        endpoint = self.sudo()
        now = now or fields.Datetime.now()
        found = [endpoint.secret]
        if endpoint.previous_secret and (endpoint.previous_secret_expires_at or now) > now:
            found.append(endpoint.previous_secret)
        return found
