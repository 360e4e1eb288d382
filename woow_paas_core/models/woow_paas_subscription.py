from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .const import (
    SUBSCRIPTION_PAYING,
    SUBSCRIPTION_STATES,
)

# Changes in draft that the audit trail records with before and after values.
AUDITED_DRAFT_FIELDS = ("partner_id", "plan_id", "company_id")


class WoowPaasSubscription(models.Model):
    """A customer's subscription to a plan and its lifecycle.

    States: draft → trial → active ⇄ past_due → suspended → cancelled. Every
    move is an ``action_*`` method (see ``woow.paas.lifecycle.mixin``) that
    checks the move, writes, logs in the chatter and emits an event; billing
    and tenant layers hook into those methods.

    This file holds the fields, the figures, the audit of writes and the
    crons; the moves live in ``woow.paas.subscription.state.mixin``, the
    starts asked by customers in ``woow.paas.subscription.start.mixin`` and
    the plan changes in ``woow.paas.subscription.plan.mixin``.
    """

    _name = "woow.paas.subscription"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "woow.paas.lifecycle.mixin",
        "woow.paas.subscription.state.mixin",
        "woow.paas.subscription.start.mixin",
        "woow.paas.subscription.plan.mixin",
    ]
    _description = "PaaS Subscription"
    _order = "id desc"
    _check_company_auto = True
    _paas_event_field = "subscription_id"

    # mail.activity.mixin computes these from activity_ids, which portal users
    # may not read: without groups, a portal read() of the record would fail.
    activity_exception_decoration = fields.Selection(groups="base.group_user")
    activity_exception_icon = fields.Char(groups="base.group_user")

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
    trial_end_date = fields.Date(
        string="Trial Ends On",
        copy=False,
        tracking=True,
        help="First day after the trial (ends are exclusive, like period ends): the "
        "subscription is past due from that day unless activated.",
    )
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
    # The price, currency and interval are kept on the subscription when it is
    # made (grandfathering): raising a plan's price changes no running
    # subscription until "Update Subscription Prices" moves it on purpose.
    price = fields.Monetary(
        compute="_compute_plan_terms",
        store=True,
        readonly=True,
        precompute=True,
        copy=False,
        currency_field="currency_id",
        tracking=True,
        help="Price per billing interval, taken from the plan when the subscription "
        "was made or changed plan.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_plan_terms",
        store=True,
        readonly=True,
        precompute=True,
        copy=False,
    )
    billing_interval = fields.Selection(
        [("month", "Month"), ("year", "Year")],
        compute="_compute_plan_terms",
        store=True,
        readonly=True,
        precompute=True,
        copy=False,
    )
    recurring_monthly = fields.Monetary(
        string="Monthly Recurring Amount",
        compute="_compute_recurring_monthly",
        store=True,
        currency_field="currency_id",
        help="The subscription's price normalised to one month (yearly prices divided by 12).",
    )
    mrr = fields.Monetary(
        string="MRR",
        compute="_compute_mrr",
        store=True,
        currency_field="currency_id",
        help="Monthly recurring revenue: the monthly amount of active and past-due "
        "subscriptions; trials, drafts, suspended and cancelled ones count zero.",
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
    _name_company_uniq = models.Constraint(
        "UNIQUE(company_id, name)", "A subscription reference is unique within its company."
    )
    # The crons' filters: small partial indexes instead of scanning every row.
    _trial_due_idx = models.Index("(trial_end_date) WHERE state = 'trial'")
    _renewal_due_idx = models.Index("(current_period_end) WHERE state IN ('active', 'past_due')")

    @api.depends("plan_id")
    def _compute_plan_terms(self):
        # Depends on the plan only, not on its price: see the field comment.
        for sub in self:
            plan = sub.plan_id
            currency = sub._paas_billing_currency()
            sub.currency_id = currency
            sub.price = (plan and plan._paas_price_in(currency)) or 0.0
            sub.billing_interval = plan.billing_interval or "month"

    def _paas_billing_currency(self):
        """Hook: the currency this subscription pays in. Core: its plan's
        (or the company's); billing: the customer's."""
        self.ensure_one()
        return (
            self.plan_id.currency_id or self.company_id.currency_id or self.env.company.currency_id
        )

    @api.depends("price", "billing_interval", "currency_id")
    def _compute_recurring_monthly(self):
        for sub in self:
            monthly = sub.price / 12.0 if sub.billing_interval == "year" else sub.price
            sub.recurring_monthly = sub.currency_id.round(monthly) if sub.currency_id else monthly

    @api.depends("recurring_monthly", "state")
    def _compute_mrr(self):
        for sub in self:
            sub.mrr = sub.recurring_monthly if sub.state in SUBSCRIPTION_PAYING else 0.0

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

    @api.constrains("partner_id", "company_id")
    def _check_tenants_follow(self):
        for sub in self:
            stray = sub.sudo().tenant_ids.filtered(
                lambda t, s=sub: (
                    t.commercial_partner_id != s.commercial_partner_id
                    or t.company_id != s.company_id
                )
            )
            if stray:
                raise ValidationError(
                    self.env._(
                        "Subscription %(sub)s has tenants of another customer or company "
                        "(%(tenants)s): a subscription and its tenants belong to the same one.",
                        sub=sub.name,
                        tenants=", ".join(stray.mapped("code")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_check_protected_create(vals_list)
        # Copies: a caller may pass the same dict several times.
        vals_list = [dict(vals) for vals in vals_list]
        unnamed = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                unnamed[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, group in unnamed.items():
            references = self.with_company(company_id)._next_references(len(group))
            for vals, reference in zip(group, references, strict=True):
                vals["name"] = reference
        subs = super().create(vals_list)
        customers = subs.commercial_partner_id.filtered(lambda p: not p.is_paas_customer)
        if customers:
            # A flag on the customer, not a right to edit it: sudo is deliberate.
            customers.sudo().is_paas_customer = True
        Event = self.env["woow.paas.event"]
        for (plan, price, currency), group in subs.grouped(
            lambda s: (s.plan_id, s.price, s.currency_id)
        ).items():
            Event._emit(
                "subscription.created",
                group,
                {"plan": plan.code, "price": price, "currency": currency.name,
                 "interval": group[0].billing_interval},
            )  # fmt: skip
        return subs

    @api.model
    def _next_references(self, count):
        """Draw ``count`` references of the current company's sequence in one
        query (a bulk import would otherwise pay one round trip each)."""
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

    def _paas_protected_fields(self):
        fields_ = super()._paas_protected_fields()
        periods = self.env._("periods move only by activation, renewal and plan change")
        terms = self.env._(
            "they follow the plan: use Change Plan, or Update Subscription Prices on the plan"
        )
        fields_.update(
            {
                "name": (None, self.env._("the reference comes from its sequence")),
                "access_token": (None, self.env._("the portal generates it")),
                "trial_end_date": (None, self.env._("use Start Trial")),
                "current_period_start": (None, periods),
                "current_period_end": (None, periods),
                "period_anchor_date": (None, periods),
                "cancel_date": (None, self.env._("use Cancel Subscription")),
                "cancel_reason": (None, self.env._("use Cancel Subscription")),
                "price": (None, terms),
                "currency_id": (None, terms),
                "billing_interval": (None, terms),
                "plan_id": ({"draft"}, self.env._("use Change Plan")),
                "partner_id": (
                    {"draft"},
                    self.env._(
                        "a started subscription keeps its customer; cancel it and "
                        "start a new one for the other customer"
                    ),
                ),
                "company_id": ({"draft"}, self.env._("a started subscription keeps its company")),
                "date_start": ({"draft"}, self.env._("a started subscription keeps its start")),
                # Stored computed fields: a plain write would keep a value
                # that the record rules, the charges and the figures trust.
                "commercial_partner_id": (None, self.env._("it follows the customer")),
                "recurring_monthly": (None, terms),
                "mrr": (None, terms),
            }
        )
        return fields_

    def _paas_create_allowed_value(self, field_name):
        if field_name == "name":
            return "/"
        return super()._paas_create_allowed_value(field_name)

    def write(self, vals):
        audited = [name for name in AUDITED_DRAFT_FIELDS if name in vals]
        drafts = self.filtered(lambda s: s.state == "draft") if audited else self.browse()
        before = {sub.id: {name: sub[name] for name in audited} for sub in drafts}
        result = super().write(vals)
        if drafts:
            self.env["woow.paas.event"]._emit_changes("subscription.updated", drafts, before)
        if "partner_id" in vals:
            customers = self.commercial_partner_id.filtered(lambda p: not p.is_paas_customer)
            customers.sudo().is_paas_customer = True
        return result

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
    # Crons and views
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire_trials(self, batch_size=500):
        """Trials whose end date has come become past due (billing
        overrides :meth:`_paas_on_trial_expired` to charge instead)."""
        today = fields.Date.context_today(self)
        return self._paas_run_scheduled(
            [("state", "=", "trial"), ("trial_end_date", "<=", today)],
            "_paas_on_trial_expired",
            "subscription.trial_expiry_failed",
            "woow_paas_core.ir_cron_expire_trials",
            batch_size,
        )

    @api.model
    def _cron_renew_periods(self, batch_size=1000):
        """Open the next period of running subscriptions whose period ended."""
        today = fields.Date.context_today(self)
        return self._paas_run_scheduled(
            [("state", "in", SUBSCRIPTION_PAYING), ("current_period_end", "<=", today)],
            "_paas_renew",
            "subscription.renewal_failed",
            "woow_paas_core.ir_cron_renew_periods",
            batch_size,
        )

    def _paas_renew(self):
        """Hook: move each subscription to its next billing period and emit
        ``subscription.renewed``, in one write per group of equal periods.
        Billing overrides it to invoice the period; a subscription several
        periods behind catches up one period per call."""
        stopped = self.filtered(
            lambda s: s.state not in SUBSCRIPTION_PAYING or not s.current_period_end
        )
        if stopped:
            raise UserError(
                self.env._(
                    "Only a running subscription with a period can renew: %s", stopped[0].name
                )
            )
        groups = defaultdict(list)
        for sub in self:
            start = sub.current_period_end
            end = sub._paas_period_end(start)
            groups[(start, end, sub.price, sub.currency_id)].append(sub.id)
        Event = self.env["woow.paas.event"]
        for (start, end, price, currency), ids in groups.items():
            subs = self.browse(ids)
            subs.sudo().write({"current_period_start": start, "current_period_end": end})
            Event._emit(
                "subscription.renewed",
                subs,
                {"period_start": start.isoformat(), "period_end": end.isoformat(),
                 "amount": price, "currency": currency.name},
            )  # fmt: skip
        return True

    def _paas_period_end(self, start):
        """End of the period starting on ``start``, kept on the anchor's day."""
        self.ensure_one()
        anchor = self.period_anchor_date or start
        months = 12 if self.billing_interval == "year" else 1
        elapsed = (start.year - anchor.year) * 12 + start.month - anchor.month
        return anchor + relativedelta(months=(elapsed // months + 1) * months)

    def _paas_on_trial_expired(self):
        """Hook: what happens to trials whose end date has come."""
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
