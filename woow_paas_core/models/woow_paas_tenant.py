import re
import unicodedata
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .const import RESERVED_TENANT_CODES, SUBSCRIPTION_RUNNING, TENANT_CODE_RE, TENANT_STATES

# System parameter: minutes after which a provisioning that has not ended is
# offered Retry, Cancel and Archive in the back office.
STUCK_MINUTES_PARAM = "woow_paas_core.provisioning_stuck_minutes"
STUCK_MINUTES_DEFAULT = 15
# Bus notification sent to PaaS users on every status change of tenants.
STATE_NOTIFICATION = "woow_paas.tenant/state"


class WoowPaasTenant(models.Model):
    """An instance of the service run for a customer, reached by its code.

    States: draft → provisioning → active ⇄ suspended → archived, plus
    failed. Core has nothing to provision, so :meth:`_paas_provision`
    completes at once; the tenant layer overrides it with a real, resumable
    provisioning job.
    """

    _name = "woow.paas.tenant"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "woow.paas.lifecycle.mixin",
        "woow.paas.tenant.self.service.mixin",
    ]
    _description = "PaaS Tenant"
    _order = "id desc"
    _check_company_auto = True
    _paas_event_field = "tenant_id"

    # mail.activity.mixin computes these from activity_ids, which portal users
    # may not read: without groups, a portal read() of the record would fail.
    activity_exception_decoration = fields.Selection(groups="base.group_user")
    activity_exception_icon = fields.Char(groups="base.group_user")

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        copy=False,
        tracking=True,
        help="DNS label of the tenant (its host name): 3 to 63 lowercase letters, "
        "digits or hyphens, not starting or ending with a hyphen.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, index=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        string="Commercial Entity",
    )
    subscription_id = fields.Many2one(
        "woow.paas.subscription",
        tracking=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        domain="[('state', '!=', 'cancelled')]"
        " + ([('commercial_partner_id', '=', commercial_partner_id)]"
        " if commercial_partner_id else [])",
    )
    plan_id = fields.Many2one(related="subscription_id.plan_id", store=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        TENANT_STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        group_expand=True,
    )
    suspended_by_subscription = fields.Boolean(
        readonly=True,
        copy=False,
        help="Suspended because its subscription stopped; reactivated with it.",
    )
    paas_customer_suspended = fields.Boolean(
        string="Suspended by the Customer",
        readonly=True,
        copy=False,
        help="Suspended by the customer (portal or API), who may resume it. Any other "
        "change of status clears it: a suspension by the platform is never the customer's.",
    )
    state_message = fields.Text(
        string="Status Details", readonly=True, copy=False, help="Why it failed or was suspended."
    )
    provisioning_date = fields.Datetime(
        string="Provisioning Since",
        readonly=True,
        copy=False,
        help="When the current (or last) provisioning started.",
    )
    paas_provisioning_stuck = fields.Boolean(
        string="Provisioning Stuck",
        compute="_compute_paas_provisioning_stuck",
        help="Provisioning started longer ago than the threshold (system parameter "
        "woow_paas_core.provisioning_stuck_minutes, 15 minutes by default) and has not "
        "ended: Retry, Cancel and Archive are offered.",
    )
    provisioned_date = fields.Datetime(readonly=True, copy=False)
    archived_date = fields.Datetime(readonly=True, copy=False)
    color = fields.Integer()

    _code_uniq = models.Constraint("UNIQUE(code)", "This tenant code is already taken.")

    @api.constrains("code")
    def _check_code(self):
        for tenant in self:
            code = tenant.code or ""
            if not TENANT_CODE_RE.fullmatch(code):
                raise ValidationError(
                    self.env._(
                        "The tenant code %(code)r is not a valid host name: use 3 to 63 "
                        "lowercase letters, digits or hyphens, not starting or ending "
                        "with a hyphen.",
                        code=code,
                    )
                )
            if code in self._paas_reserved_codes():
                raise ValidationError(
                    self.env._("The tenant code %(code)r is reserved by the platform.", code=code)
                )

    @api.model
    def _paas_reserved_codes(self):
        """Hook: the host names a tenant may never take. Override to add
        the names an addon serves (``super() | {"docs2"}``)."""
        return set(RESERVED_TENANT_CODES)

    @api.constrains("partner_id", "subscription_id")
    def _check_subscription_customer(self):
        for tenant in self:
            sub = tenant.subscription_id
            if sub and sub.commercial_partner_id != tenant.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Tenant %(tenant)s and its subscription %(sub)s must belong to "
                        "the same customer.",
                        tenant=tenant.name,
                        sub=sub.name,
                    )
                )

    @api.depends("state", "provisioning_date")
    def _compute_paas_provisioning_stuck(self):
        since = fields.Datetime.now() - timedelta(minutes=self._paas_stuck_minutes())
        for tenant in self:
            tenant.paas_provisioning_stuck = tenant.state == "provisioning" and (
                not tenant.provisioning_date or tenant.provisioning_date <= since
            )

    @api.model
    def _paas_stuck_minutes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(STUCK_MINUTES_PARAM)
        try:
            return max(int(value), 0) if value else STUCK_MINUTES_DEFAULT
        except ValueError:
            return STUCK_MINUTES_DEFAULT

    @api.onchange("name")
    def _onchange_name_suggest_code(self):
        if self.name and not self.code:
            ascii_name = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore")
            slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")
            slug = slug[:63].strip("-")
            self.code = slug or False

    @api.onchange("subscription_id")
    def _onchange_subscription_id(self):
        if self.subscription_id and not self.partner_id:
            self.partner_id = self.subscription_id.partner_id

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_check_protected_create(vals_list)
        tenants = super().create(vals_list)
        self.env["woow.paas.event"]._emit("tenant.created", tenants)
        return tenants

    def _paas_protected_fields(self):
        fields_ = super()._paas_protected_fields()
        status = self.env._("it follows the tenant's status buttons")
        before_provisioning = {"draft", "failed"}
        fields_.update(
            {
                "suspended_by_subscription": (None, status),
                "access_token": (None, self.env._("the portal generates it")),
                "paas_customer_suspended": (None, status),
                "state_message": (None, status),
                "provisioning_date": (None, status),
                "provisioned_date": (None, status),
                "archived_date": (None, status),
                "code": (
                    before_provisioning,
                    self.env._("the code of a provisioned tenant is its host name"),
                ),
                "partner_id": (
                    before_provisioning,
                    self.env._("a provisioned tenant stays with its customer"),
                ),
                "subscription_id": (
                    before_provisioning,
                    self.env._("a provisioned tenant stays on its subscription"),
                ),
                "company_id": (
                    before_provisioning,
                    self.env._("a provisioned tenant stays in its company"),
                ),
                # Stored related field: the record rules and the usage billed
                # trust it, a plain write would keep another customer's.
                "commercial_partner_id": (None, self.env._("it follows the customer")),
            }
        )
        return fields_

    def write(self, vals):
        if "state" in vals and "paas_customer_suspended" not in vals:
            # Only the customer's own suspension sets it; every other move ends it.
            vals = dict(vals, paas_customer_suspended=False)
        audited = [name for name in ("partner_id", "subscription_id") if name in vals]
        before = {tenant.id: {name: tenant[name] for name in audited} for tenant in self}
        result = super().write(vals)
        if audited:
            self.env["woow.paas.event"]._emit_changes("tenant.updated", self, before)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.filtered(lambda t: t.state not in ("draft", "failed")):
            raise UserError(
                self.env._("Only draft or failed tenants can be deleted; archive the others.")
            )

    def _paas_event_links(self):
        self.ensure_one()
        return {
            "partner_id": self.commercial_partner_id.id,
            "tenant_id": self.id,
            "subscription_id": self.subscription_id.id,
            "plan_id": self.plan_id.id,
            "company_id": self.company_id.id,
        }

    def _paas_urls(self):
        """Hook: where each tenant's application is served, as ``{tenant id:
        URL or False}``. Core serves no tenant at a URL of its own, so every
        value is False; the tenant layer gives database tenants their host
        name. Layers that show a tenant (the REST API, GraphQL) read it here
        without depending on the tenant layer."""
        return dict.fromkeys(self.ids, False)

    def _paas_allowed_transitions(self):
        moves = super()._paas_allowed_transitions()
        moves.update(
            {
                "draft": {"provisioning", "archived"},
                # Suspended: provisioning ended while the subscription stopped.
                "provisioning": {"active", "suspended", "failed"},
                "active": {"suspended", "archived"},
                "suspended": {"active", "archived"},
                "failed": {"provisioning", "archived"},
                "archived": set(),
            }
        )
        return moves

    def _paas_transition(self, target, event_type, vals=None, note=None, payload=None):
        """Override of the lifecycle mixin: every status change is announced
        on the bus to PaaS users, so that an open tenant form shows it at
        once (a provisioning job ends in another transaction)."""
        moved = self.ids
        res = super()._paas_transition(target, event_type, vals=vals, note=note, payload=payload)
        if moved:
            self._paas_notify_state(moved, target)
        return res

    @api.model
    def _paas_notify_state(self, tenant_ids, state):
        """Send ``{"ids", "state"}`` to the PaaS users' group channel (every
        PaaS user's browser listens to its groups); sent when the transaction
        commits, like every bus notification."""
        group = self.env.ref("woow_paas_core.group_paas_user", raise_if_not_found=False)
        if group:
            group._bus_send(STATE_NOTIFICATION, {"ids": list(tenant_ids), "state": state})

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------
    def action_provision(self):
        """Start (or retry) provisioning: draft/failed → provisioning."""
        without = self.filtered(lambda t: t.subscription_id.state not in SUBSCRIPTION_RUNNING)
        if without:
            raise UserError(
                self.env._(
                    "Tenant %(tenant)s needs a subscription in trial or active before "
                    "it can be provisioned.",
                    tenant=without[0].name,
                )
            )
        self._paas_transition(
            "provisioning",
            "tenant.provisioning",
            vals={"state_message": False, "provisioning_date": fields.Datetime.now()},
        )
        self._paas_provision()
        return True

    def _paas_check_provisioning(self):
        not_provisioning = self.filtered(lambda t: t.state != "provisioning")
        if not_provisioning:
            raise UserError(
                self.env._("Tenant %s is not being provisioned.", not_provisioning[0].name)
            )

    def _paas_stop_provisioning(self):
        """Hook: stop the work of a provisioning that is being cancelled
        (the tenant layer cancels its queued job, and refuses while the job
        runs). Core's provisioning ends at once: nothing to stop."""
        return True

    def action_cancel_provisioning(self, reason=None):
        """Give up a provisioning that does not end (provisioning → failed,
        with the reason): Retry Provisioning then resumes it, Archive
        retires the tenant."""
        self._paas_check_transition("failed")
        self._paas_check_provisioning()
        self._paas_stop_provisioning()
        return self._paas_provision_failed(
            reason or self.env._("Provisioning cancelled by %s.", self.env.user.name)
        )

    def action_retry_provisioning(self):
        """Start a provisioning that does not end over again: cancelled
        (→ failed), then provisioned again (→ provisioning), resuming where
        it stopped."""
        self.action_cancel_provisioning(
            reason=self.env._("Provisioning restarted by %s.", self.env.user.name)
        )
        return self.action_provision()

    def action_archive_provisioning(self):
        """Retire a tenant whose provisioning does not end: cancelled
        (→ failed), then archived."""
        self.action_cancel_provisioning(
            reason=self.env._("Provisioning abandoned by %s.", self.env.user.name)
        )
        return self.action_archive()

    def _paas_provision(self):
        """Hook: create the tenant's resources, then call
        :meth:`_paas_provisioned` (or :meth:`_paas_provision_failed`). Core
        has nothing to create. Both callbacks are private: only the
        provisioning job reports its outcome."""
        return self._paas_provisioned()

    def _paas_provisioned(self):
        """Provisioning done: provisioning → active, or suspended when the
        subscription stopped meanwhile (a tenant is active only under a
        running subscription)."""
        self._paas_check_provisioning()
        running = self.filtered(lambda t: t.subscription_id.state in SUBSCRIPTION_RUNNING)
        vals = {"provisioned_date": fields.Datetime.now(), "state_message": False}
        running._paas_transition("active", "tenant.provisioned", vals=vals)
        (self - running)._paas_transition(
            "suspended",
            "tenant.provisioned",
            vals=dict(vals, suspended_by_subscription=True),
            payload={"by_subscription": True},
        )
        return True

    def _paas_provision_failed(self, reason=None):
        """Provisioning failed (provisioning → failed); retry with action_provision."""
        return self._paas_transition(
            "failed",
            "tenant.failed",
            vals={"state_message": reason or False},
            note=reason,
            payload={"reason": reason or ""},
        )

    def action_activate(self):
        """Reactivate a suspended tenant (suspended → active) under a running
        subscription. Provisioning ends by itself, never by this button."""
        self._paas_check_transition("active")
        provisioning = self.filtered(lambda t: t.state == "provisioning")
        if provisioning:
            raise UserError(
                self.env._(
                    "Tenant %(tenant)s is still being provisioned: it becomes active by "
                    "itself when provisioning ends.",
                    tenant=provisioning[0].name,
                )
            )
        return self._paas_reactivate()

    def _paas_reactivate(self):
        stopped = self.filtered(lambda t: t.subscription_id.state not in SUBSCRIPTION_RUNNING)
        if stopped:
            raise UserError(
                self.env._(
                    "Tenant %(tenant)s cannot be reactivated while its subscription is "
                    "not running.",
                    tenant=stopped[0].name,
                )
            )
        return self._paas_transition(
            "active",
            "tenant.reactivated",
            vals={"suspended_by_subscription": False, "state_message": False},
        )

    def action_suspend(self, reason=None):
        """Suspend a running tenant by hand (active → suspended)."""
        self._paas_check_transition("suspended")
        not_active = self.filtered(lambda t: t.state != "active")
        if not_active:
            raise UserError(
                self.env._("Only an active tenant can be suspended: %s.", not_active[0].name)
            )
        return self._paas_suspend(reason=reason)

    def _paas_suspend(self, reason=None, by_subscription=False, by_customer=False):
        """Hook of every suspension: by hand, by the subscription or by the
        customer (:meth:`_paas_customer_suspend`). Override with ``**kwargs``
        passed on to ``super()``."""
        payload = {"reason": reason or "", "by_subscription": by_subscription}
        if by_customer:
            payload["by_customer"] = True
        return self._paas_transition(
            "suspended",
            "tenant.suspended",
            vals={
                "suspended_by_subscription": by_subscription,
                "paas_customer_suspended": by_customer,
                "state_message": reason or False,
            },
            note=reason,
            payload=payload,
        )

    def action_archive(self):
        """Retire the tenant for good (→ archived). Overrides the generic
        archive: a tenant has a lifecycle, not an ``active`` flag."""
        return self._paas_transition(
            "archived", "tenant.archived", vals={"archived_date": fields.Datetime.now()}
        )
