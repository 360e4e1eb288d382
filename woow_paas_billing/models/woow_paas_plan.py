from odoo import api, fields, models
from odoo.exceptions import ValidationError

DOWNGRADE_POLICIES = [
    ("now", "Now, with a Credit Note"),
    ("renewal", "At Renewal"),
]


class WoowPaasPlan(models.Model):
    _inherit = "woow.paas.plan"

    metric_price_ids = fields.One2many(
        "woow.paas.plan.metric", "plan_id", string="Metered Prices", copy=True
    )
    price_ids = fields.One2many(
        "woow.paas.plan.price",
        "plan_id",
        string="Prices in Other Currencies",
        copy=True,
        help="The plan's price in currencies other than its own.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoicing Product",
        domain=[("type", "=", "service")],
        ondelete="restrict",
        copy=False,
        help="Service product of the plan's recurring invoice line: its taxes, income "
        "account and name on invoices. Made from the plan when left empty.",
    )
    downgrade_policy = fields.Selection(
        DOWNGRADE_POLICIES,
        default="now",
        required=True,
        help="When a subscription leaves this plan for a cheaper one: at the end of the "
        "paid period, or at once with a credit note for the difference.",
    )

    @api.constrains("price_ids", "currency_id")
    def _check_price_currencies(self):
        for plan in self:
            if plan.currency_id in plan.price_ids.currency_id:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s already costs its price in %(currency)s: remove the "
                        "%(currency)s line from its other currencies.",
                        plan=plan.name,
                        currency=plan.currency_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans.filtered(lambda p: not p.product_id)._paas_create_products()
        return plans

    def _paas_create_products(self):
        """One service product per plan, in one create."""
        self.env["product.product"]._paas_create_services(
            self,
            [
                {
                    "name": plan.name,
                    "default_code": f"PAAS-{plan.code.upper()}",
                    "list_price": plan.price,
                    "company_id": plan.company_id.id,
                }
                for plan in self
            ],
        )

    def _paas_price_in(self, currency):
        self.ensure_one()
        if currency == self.currency_id:
            return self.price
        line = self.price_ids.filtered(lambda p: p.currency_id == currency)[:1]
        return line.price if line else None

    def _paas_currencies(self):
        self.ensure_one()
        return self.currency_id | self.price_ids.currency_id

    def _get_metric_price(self, metric):
        """The plan's price line for ``metric`` (empty when usage is not charged)."""
        self.ensure_one()
        return self.metric_price_ids.filtered(lambda line: line.metric_id == metric)[:1]
