from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .const import PLAN_CODE_RE, SUBSCRIPTION_RUNNING

# Plan fields that change what customers pay or get: each change is an event.
AUDITED_FIELDS = ("price", "currency_id", "billing_interval", "trial_days", "active", "is_public")


class WoowPaasPlan(models.Model):
    """What a customer buys: a price per billing interval, a trial and quotas.

    The billing layer adds metered prices, the tenant layer the isolation mode;
    both through ``_inherit``.
    """

    _name = "woow.paas.plan"
    _inherit = ["mail.thread"]
    _description = "PaaS Plan"
    _order = "sequence, price, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True, tracking=True, help="Stable identifier used by the API and URLs."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    is_public = fields.Boolean(
        string="Public",
        default=True,
        tracking=True,
        help="Shown on the public pricing page and offered at sign-up.",
    )
    description = fields.Html(translate=True)
    trial_days = fields.Integer(default=0, tracking=True)
    portal_self_suspend = fields.Boolean(
        string="Customers May Suspend",
        tracking=True,
        help="Customers may suspend their own active tenants of this plan (from the portal "
        "or the API) and resume those they suspended; a suspension by the platform is "
        "never theirs to lift.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to offer the plan in every company."
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    price = fields.Monetary(currency_field="currency_id", tracking=True)
    billing_interval = fields.Selection(
        [("month", "Month"), ("year", "Year")],
        required=True,
        default="month",
        tracking=True,
    )
    monthly_price = fields.Monetary(
        compute="_compute_monthly_price",
        currency_field="currency_id",
        help="The price normalised to one month (a yearly price divided by 12).",
    )
    quota_ids = fields.One2many("woow.paas.plan.quota", "plan_id", string="Quotas", copy=True)
    subscription_ids = fields.One2many("woow.paas.subscription", "plan_id")
    subscription_count = fields.Integer(compute="_compute_subscription_count")
    color = fields.Integer()

    _code_uniq = models.Constraint("UNIQUE(code)", "A plan code must be unique.")

    @api.depends("price", "billing_interval", "currency_id")
    def _compute_monthly_price(self):
        for plan in self:
            plan.monthly_price = plan._monthly_amount(plan.price)

    def _compute_subscription_count(self):
        counts = dict(
            self.env["woow.paas.subscription"]._read_group(
                [("plan_id", "in", self.ids), ("state", "not in", ("draft", "cancelled"))],
                ["plan_id"],
                ["__count"],
            )
        )
        for plan in self:
            plan.subscription_count = counts.get(plan, 0)

    @api.constrains("code")
    def _check_code(self):
        for plan in self:
            if not PLAN_CODE_RE.fullmatch(plan.code or ""):
                raise ValidationError(
                    self.env._(
                        "The plan code %(code)r is invalid: use 1 to 64 lowercase "
                        "letters, digits, dots, hyphens or underscores.",
                        code=plan.code,
                    )
                )

    @api.constrains("price", "trial_days")
    def _check_amounts(self):
        for plan in self:
            if plan.price < 0:
                raise ValidationError(
                    self.env._("The price of plan %(plan)s cannot be negative.", plan=plan.name)
                )
            if plan.trial_days < 0:
                raise ValidationError(
                    self.env._(
                        "The trial of plan %(plan)s cannot last a negative number of days.",
                        plan=plan.name,
                    )
                )

    def write(self, vals):
        audited = [name for name in AUDITED_FIELDS if name in vals]
        if {"currency_id", "billing_interval"} & set(audited):
            self._paas_check_terms_change(vals)
        before = {plan.id: {name: plan[name] for name in audited} for plan in self}
        result = super().write(vals)
        if audited:
            self.env["woow.paas.event"]._emit_changes("plan.updated", self, before)
            # Drafts have not started: they still follow their plan's terms.
            drafts = self.subscription_ids.filtered(lambda s: s.state == "draft")
            if drafts:
                Subscription = self.env["woow.paas.subscription"]
                for name in ("price", "currency_id", "billing_interval"):
                    self.env.add_to_compute(Subscription._fields[name], drafts)
        return result

    def _paas_check_terms_change(self, vals):
        for plan in self:
            changed = ("currency_id" in vals and vals["currency_id"] != plan.currency_id.id) or (
                "billing_interval" in vals and vals["billing_interval"] != plan.billing_interval
            )
            if changed and plan.sudo().subscription_ids.filtered(
                lambda s: s.state in SUBSCRIPTION_RUNNING or s.state == "suspended"
            ):
                raise UserError(
                    self.env._(
                        "Plan %(plan)s has running subscriptions: its currency and billing "
                        "interval cannot change. Create a new plan and move customers to it "
                        "with Change Plan.",
                        plan=plan.name,
                    )
                )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        taken = set(self.sudo().with_context(active_test=False).search([]).mapped("code"))
        for plan, vals in zip(self, vals_list, strict=True):
            if "code" not in (default or {}):
                # Copying twice must work: code-copy, code-copy-2, ...
                code, index = f"{plan.code}-copy", 1
                while code in taken:
                    index += 1
                    code = f"{plan.code}-copy-{index}"
                taken.add(code)
                vals["code"] = code
            if "name" not in (default or {}):
                vals["name"] = self.env._("%s (copy)", plan.name)
        return vals_list

    def _paas_event_links(self):
        self.ensure_one()
        return {"plan_id": self.id, "company_id": self.company_id.id or self.env.company.id}

    def action_update_subscription_prices(self):
        """Move the started subscriptions of these plans to the plans'
        current prices (subscriptions keep their price otherwise), with a
        ``subscription.price_changed`` event each. PaaS Managers only."""
        self.check_access("write")
        subs = self.env["woow.paas.subscription"].search(
            [("plan_id", "in", self.ids), ("state", "in", (*SUBSCRIPTION_RUNNING, "suspended"))]
        )
        subs._paas_update_price()
        return True

    def _paas_price_in(self, currency):
        """The plan's price per billing interval in ``currency``, or ``None``
        when the plan is not sold in it. Core knows one price, in the plan's
        currency; the billing layer adds prices in other currencies."""
        self.ensure_one()
        return self.price if currency == self.currency_id else None

    def _monthly_amount(self, amount):
        """Normalise an amount billed every ``billing_interval`` to one month."""
        self.ensure_one()
        monthly = amount / 12.0 if self.billing_interval == "year" else amount
        return self.currency_id.round(monthly) if self.currency_id else monthly

    def _get_quota_limits(self):
        """Return ``{resource_code: limit}``; a missing code means unlimited."""
        self.ensure_one()
        return {line.resource_code: line.limit for line in self.quota_ids}

    def action_view_subscriptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_core.woow_paas_subscription_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action
