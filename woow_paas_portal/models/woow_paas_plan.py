from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WoowPaasPlan(models.Model):
    """Override of ``woow_paas_core`` for the pricing page.

    A core plan has one price and one interval. The pricing page shows a
    monthly plan with its yearly counterpart (``portal_yearly_plan_id``): the
    toggle switches between the two plans, and sign-up subscribes to the one
    chosen. A yearly plan without a monthly one shows on its own.
    """

    _inherit = "woow.paas.plan"

    portal_yearly_plan_id = fields.Many2one(
        "woow.paas.plan",
        string="Yearly Counterpart",
        domain="[('billing_interval', '=', 'year'), ('id', '!=', id)]",
        ondelete="set null",
        help="The same offer billed yearly: the pricing page's toggle shows its price "
        "and the saving, and signs up to it.",
    )
    portal_monthly_plan_ids = fields.One2many("woow.paas.plan", "portal_yearly_plan_id")
    portal_recommended = fields.Boolean(
        string="Recommended", help="Highlighted on the pricing page."
    )
    portal_features = fields.Text(
        string="Features", translate=True, help="One feature per line, listed on the pricing page."
    )

    @api.constrains("portal_yearly_plan_id", "billing_interval", "currency_id")
    def _check_portal_yearly_plan(self):
        for plan in self:
            yearly = plan.portal_yearly_plan_id
            if not yearly:
                continue
            if plan.billing_interval != "month" or yearly.billing_interval != "year":
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: only a monthly plan has a yearly counterpart, and "
                        "the counterpart must be billed yearly.",
                        plan=plan.name,
                    )
                )
            if yearly.currency_id != plan.currency_id:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s and its yearly counterpart %(yearly)s must be sold in "
                        "the same currency.",
                        plan=plan.name,
                        yearly=yearly.name,
                    )
                )

    def _paas_portal_features(self):
        self.ensure_one()
        return [line.strip() for line in (self.portal_features or "").splitlines() if line.strip()]

    @api.model
    def _paas_pricing_plans(self):
        """The plans of the pricing page, as ``[(plan, yearly_plan)]`` in
        display order: ``plan`` is monthly (``yearly_plan`` its counterpart or
        an empty recordset) or a yearly plan with no monthly one (then
        ``yearly_plan`` is the plan itself). Reads what the page needs in a
        fixed number of queries, whatever the number of plans."""
        company = self.env.company
        plans = self.search([("is_public", "=", True), ("company_id", "in", (False, company.id))])
        # One query per relation for all plans (quotas, their resources, currencies).
        plans.quota_ids.resource_id.mapped("name")
        plans.currency_id.mapped("symbol")
        counterparts = plans.portal_yearly_plan_id & plans
        result = []
        for plan in plans:
            if plan.billing_interval == "month":
                result.append((plan, plan.portal_yearly_plan_id & plans))
            elif plan not in counterparts:
                result.append((plan, plan))
        return result

    def _paas_pricing_currencies(self):
        """Hook: the currencies the pricing page offers for these plans, the
        company's first. Core: the plans' own currencies; the billing bridge
        adds those of their prices in other currencies that a new customer
        can be billed in."""
        company_currency = self.env.company.currency_id
        return self.currency_id.sorted(lambda c: (c != company_currency, c.name))
