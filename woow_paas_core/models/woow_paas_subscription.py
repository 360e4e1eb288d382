from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .const import SUBSCRIPTION_STATES

INTERVAL_DELTA = {"month": relativedelta(months=1), "year": relativedelta(years=1)}


class WoowPaasSubscription(models.Model):
    """A customer's subscription to a plan and its lifecycle.

    States: draft → trial → active ⇄ past_due → suspended → cancelled. Every
    move is an ``action_*`` method (see ``woow.paas.lifecycle.mixin``) that
    checks the move, writes, logs in the chatter and emits an event; billing
    and tenant layers hook into those methods.
    """

    _name = "woow.paas.subscription"
    _inherit = ["mail.thread", "mail.activity.mixin", "woow.paas.lifecycle.mixin"]
    _description = "PaaS Subscription"
    _order = "id desc"
    _check_company_auto = True
    _paas_event_field = "subscription_id"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram"
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
    plan_id = fields.Many2one(
        "woow.paas.plan",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
        domain="[('company_id', 'in', (False, company_id))]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Account Manager", tracking=True, default=lambda self: self.env.user
    )
    state = fields.Selection(
        SUBSCRIPTION_STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        group_expand=True,
    )
    date_start = fields.Date(string="Start Date", copy=False, tracking=True)
    trial_end_date = fields.Date(copy=False, tracking=True)
    current_period_start = fields.Date(copy=False)
    current_period_end = fields.Date(
        copy=False, help="First day after the current period: the next renewal date."
    )
    period_anchor_date = fields.Date(
        copy=False,
        readonly=True,
        help="Start of the first period: periods end on its day of the month, "
        "so a subscription started on the 31st renews on the last day of short months.",
    )
    cancel_date = fields.Date(copy=False, readonly=True)
    cancel_reason = fields.Text(copy=False, tracking=True)
    currency_id = fields.Many2one(related="plan_id.currency_id", store=True)
    billing_interval = fields.Selection(related="plan_id.billing_interval")
    recurring_monthly = fields.Monetary(
        string="Monthly Recurring Amount",
        compute="_compute_recurring_monthly",
        store=True,
        currency_field="currency_id",
        help="The plan price normalised to one month (yearly plans divided by 12).",
    )
    tenant_ids = fields.One2many("woow.paas.tenant", "subscription_id", string="Tenants")
    tenant_count = fields.Integer(compute="_compute_tenant_count")
    color = fields.Integer()

    _period_check = models.Constraint(
        "CHECK(current_period_end IS NULL OR current_period_start IS NULL"
        " OR current_period_end > current_period_start)",
        "The current period must end after it starts.",
    )
    _state_plan_idx = models.Index("(state, plan_id)")

    @api.depends("plan_id.price", "plan_id.billing_interval", "plan_id.currency_id")
    def _compute_recurring_monthly(self):
        for sub in self:
            sub.recurring_monthly = (
                sub.plan_id._monthly_amount(sub.plan_id.price) if sub.plan_id else 0.0
            )

    def _compute_tenant_count(self):
        counts = dict(
            self.env["woow.paas.tenant"]._read_group(
                [("subscription_id", "in", self.ids)], ["subscription_id"], ["__count"]
            )
        )
        for sub in self:
            sub.tenant_count = counts.get(sub, 0)

    @api.constrains("date_start", "trial_end_date")
    def _check_dates(self):
        for sub in self:
            if sub.date_start and sub.trial_end_date and sub.trial_end_date < sub.date_start:
                raise ValidationError(
                    self.env._("The trial of %(sub)s cannot end before it starts.", sub=sub.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Copies: a caller may pass the same dict several times.
        vals_list = [dict(vals) for vals in vals_list]
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        for vals, reference in zip(unnamed, self._next_references(len(unnamed)), strict=True):
            vals["name"] = reference
        subs = super().create(vals_list)
        customers = subs.commercial_partner_id.filtered(lambda p: not p.is_paas_customer)
        if customers:
            # A flag on the customer, not a right to edit it: sudo is deliberate.
            customers.sudo().is_paas_customer = True
        return subs

    @api.model
    def _next_references(self, count):
        """Draw ``count`` references in one query (a bulk import would
        otherwise pay one sequence round trip per subscription)."""
        if not count:
            return []
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", "woow.paas.subscription"),
                 ("company_id", "in", (self.env.company.id, False))],
                order="company_id",
                limit=1,
            )
        )  # fmt: skip
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        numbers = [number for (number,) in self.env.cr.fetchall()]
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]

    def write(self, vals):
        if "plan_id" in vals:
            locked = self.filtered(lambda s: s.state != "draft" and s.plan_id.id != vals["plan_id"])
            if locked and not self.env.context.get("woow_paas_plan_change"):
                raise UserError(
                    self.env._(
                        "The plan of a running subscription changes through "
                        "“Change Plan”, so that the change is recorded."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        if self.filtered(lambda s: s.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._("Only draft or cancelled subscriptions can be deleted; cancel it first.")
            )

    def _paas_event_links(self):
        self.ensure_one()
        return {
            "partner_id": self.commercial_partner_id.id,
            "subscription_id": self.id,
            "plan_id": self.plan_id.id,
            "company_id": self.company_id.id,
        }

    def _paas_allowed_transitions(self):
        moves = super()._paas_allowed_transitions()
        moves.update(
            {
                "draft": {"trial", "active", "cancelled"},
                "trial": {"active", "past_due", "cancelled"},
                "active": {"past_due", "suspended", "cancelled"},
                "past_due": {"active", "suspended", "cancelled"},
                "suspended": {"active", "cancelled"},
                "cancelled": set(),
            }
        )
        return moves

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------
    def action_start_trial(self):
        """Start the plan's free trial (draft → trial)."""
        no_trial = self.filtered(lambda s: s.plan_id.trial_days <= 0)
        if no_trial:
            raise UserError(
                self.env._(
                    "Plan %(plan)s has no free trial; activate the subscription instead.",
                    plan=no_trial[0].plan_id.name,
                )
            )
        self._paas_check_transition("trial")
        today = fields.Date.context_today(self)
        self.filtered(lambda s: not s.date_start).write({"date_start": today})
        for days, subs in self.grouped(lambda s: s.plan_id.trial_days).items():
            subs._paas_transition(
                "trial",
                "subscription.trial_started",
                vals={"trial_end_date": today + relativedelta(days=days)},
            )
        return True

    def action_activate(self):
        """Activate (draft/trial), recover (past_due) or reactivate (suspended)."""
        self._paas_check_transition("active")
        today = fields.Date.context_today(self)
        starting = self.filtered(lambda s: s.state in ("draft", "trial"))
        resuming = self - starting
        starting.filtered(lambda s: not s.date_start).write({"date_start": today})
        # One batch per billing interval: the period end depends on it.
        for interval, subs in starting.grouped(lambda s: s.plan_id.billing_interval).items():
            subs._paas_transition(
                "active",
                "subscription.activated",
                vals={
                    "period_anchor_date": today,
                    "current_period_start": today,
                    "current_period_end": today + INTERVAL_DELTA[interval],
                },
            )
        resuming._paas_transition("active", "subscription.reactivated")
        # A tenant suspended because of its subscription comes back with it.
        resuming.tenant_ids.filtered(
            lambda t: t.state == "suspended" and t.suspended_by_subscription
        ).action_activate()
        return True

    def action_mark_past_due(self):
        """Payment is overdue (trial ended or renewal unpaid): active → past_due."""
        return self._paas_transition("past_due", "subscription.past_due")

    def action_suspend(self):
        """Suspend the service; the subscription's running tenants are suspended too."""
        self._paas_transition("suspended", "subscription.suspended")
        self.tenant_ids.filtered(lambda t: t.state == "active")._paas_suspend(by_subscription=True)
        return True

    def action_cancel(self, reason=None):
        """Cancel for good. From the UI, the button opens a wizard asking why."""
        if reason is None and not self.env.context.get("woow_paas_cancel_confirmed"):
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Cancel Subscription"),
                "res_model": "woow.paas.subscription.cancel",
                "view_mode": "form",
                "target": "new",
                "context": {"default_subscription_ids": self.ids},
            }
        self._paas_transition(
            "cancelled",
            "subscription.cancelled",
            vals={"cancel_date": fields.Date.context_today(self), "cancel_reason": reason or False},
            note=reason,
            payload={"reason": reason or ""},
        )
        self.tenant_ids.filtered(lambda t: t.state == "active")._paas_suspend(by_subscription=True)
        return True

    def action_change_plan(self, plan):
        """Move a running subscription to ``plan`` and record the change.

        The billing layer overrides this to prorate; the tenant layer to apply
        the new quotas.
        """
        plan = self.env["woow.paas.plan"].browse(getattr(plan, "id", plan)).exists()
        if not plan:
            raise UserError(self.env._("Choose an existing plan."))
        if self.filtered(lambda s: s.state == "cancelled"):
            raise UserError(self.env._("A cancelled subscription cannot change plan."))
        for sub in self.filtered(lambda s: s.plan_id != plan):
            old = sub.plan_id
            sub.with_context(woow_paas_plan_change=True).plan_id = plan
            sub._message_log(
                body=self.env._("Plan changed from %(old)s to %(new)s", old=old.name, new=plan.name)
            )
            self.env["woow.paas.event"]._emit(
                "subscription.plan_changed",
                sub,
                {"from_plan": old.code, "to_plan": plan.code},
            )
        return True

    # ------------------------------------------------------------------
    # Crons and views
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire_trials(self, batch_size=500):
        """Trials past their end become past due (billing overrides
        :meth:`_paas_on_trial_expired` to charge instead)."""
        today = fields.Date.context_today(self)
        expired = self.search(
            [("state", "=", "trial"), ("trial_end_date", "<", today)], limit=batch_size
        )
        expired._paas_on_trial_expired()
        # One bounded batch per transaction; a full batch means more may wait.
        if len(expired) == batch_size:
            self.env.ref("woow_paas_core.ir_cron_expire_trials")._trigger()

    @api.model
    def _cron_renew_periods(self, batch_size=1000):
        """Open the next period of running subscriptions whose period ended."""
        today = fields.Date.context_today(self)
        due = self.search(
            [("state", "in", ("active", "past_due")), ("current_period_end", "<=", today)],
            limit=batch_size,
        )
        due._paas_renew()
        if len(due) == batch_size:
            self.env.ref("woow_paas_core.ir_cron_renew_periods")._trigger()

    def _paas_renew(self):
        """Hook: move each subscription to its next billing period and emit
        ``subscription.renewed``. Billing overrides it to invoice the period;
        a subscription several periods behind catches up one period per call."""
        for sub in self:
            if sub.state not in ("active", "past_due") or not sub.current_period_end:
                raise UserError(
                    self.env._("Only a running subscription with a period can renew: %s", sub.name)
                )
            start = sub.current_period_end
            end = sub._paas_period_end(start)
            sub.write({"current_period_start": start, "current_period_end": end})
            self.env["woow.paas.event"]._emit(
                "subscription.renewed",
                sub,
                {
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "amount": sub.plan_id.price,
                    "currency": sub.currency_id.name,
                },
            )
        return True

    def _paas_period_end(self, start):
        """End of the period starting on ``start``, kept on the anchor's day."""
        self.ensure_one()
        anchor = self.period_anchor_date or start
        months = 12 if self.plan_id.billing_interval == "year" else 1
        elapsed = (start.year - anchor.year) * 12 + start.month - anchor.month
        return anchor + relativedelta(months=(elapsed // months + 1) * months)

    def _paas_on_trial_expired(self):
        """Hook: what happens to trials whose end date has passed."""
        return self.action_mark_past_due()

    def action_view_tenants(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_core.woow_paas_tenant_action"
        )
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {
            "default_subscription_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action
