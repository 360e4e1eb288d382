from odoo import fields, models


class WoowPaasPlanPrice(models.Model):
    """The recurring price of a plan in one more currency.

    The plan's own price is its price in the plan's currency; these lines sell
    it in others, so that a customer paying in EUR pays the EUR price instead
    of a converted one. A customer whose currency has no price cannot
    subscribe to the plan.
    """

    _name = "woow.paas.plan.price"
    _description = "PaaS Plan Price"
    _order = "plan_id, currency_id"

    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one("res.currency", required=True, ondelete="restrict")
    price = fields.Monetary(
        currency_field="currency_id", required=True, help="Price per billing interval."
    )
    billing_interval = fields.Selection(related="plan_id.billing_interval")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)

    _plan_currency_uniq = models.Constraint(
        "UNIQUE(plan_id, currency_id)", "A plan has one price per currency."
    )
    _price_check = models.Constraint("CHECK(price >= 0)", "A plan price cannot be negative.")
