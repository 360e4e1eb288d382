from odoo import api, fields, models
from odoo.exceptions import UserError


class WoowPaasSubscriptionChangePlan(models.TransientModel):
    """Moves a running subscription to another plan through
    :meth:`woow.paas.subscription.action_change_plan`, so that the change is
    recorded (chatter, event) and the layers that override it (proration,
    quotas) take part. The billing layer adds its preview to this form."""

    _name = "woow.paas.subscription.change.plan"
    _description = "Change the Plan of a PaaS Subscription"

    subscription_id = fields.Many2one("woow.paas.subscription", required=True)
    current_plan_id = fields.Many2one(related="subscription_id.plan_id", string="Current Plan")
    company_id = fields.Many2one(related="subscription_id.company_id")
    plan_id = fields.Many2one(
        "woow.paas.plan",
        string="New Plan",
        required=True,
        domain="[('id', '!=', current_plan_id), ('company_id', 'in', (False, company_id))]",
    )
    currency_id = fields.Many2one(related="plan_id.currency_id")
    recurring_monthly = fields.Monetary(
        string="New Monthly Amount", compute="_compute_recurring_monthly"
    )

    @api.depends("plan_id")
    def _compute_recurring_monthly(self):
        for wizard in self:
            plan = wizard.plan_id
            wizard.recurring_monthly = plan._monthly_amount(plan.price) if plan else 0.0

    def action_confirm(self):
        self.ensure_one()
        if self.plan_id == self.current_plan_id:
            raise UserError(
                self.env._("The subscription is already on plan %s.", self.plan_id.name)
            )
        self.subscription_id.action_change_plan(self.plan_id)
        return {"type": "ir.actions.act_window_close"}
