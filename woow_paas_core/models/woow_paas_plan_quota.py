from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WoowPaasPlanQuota(models.Model):
    """One limit of a plan: at most ``limit`` of a resource per tenant.

    A resource without a line on the plan is unlimited. The tenant layer reads
    these lines through :meth:`woow.paas.plan._get_quota_limits`.
    """

    _name = "woow.paas.plan.quota"
    _description = "PaaS Plan Quota"
    _order = "plan_id, sequence, id"

    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    resource_id = fields.Many2one("woow.paas.resource", required=True, ondelete="restrict")
    resource_code = fields.Char(related="resource_id.code", store=True)
    unit = fields.Char(related="resource_id.unit")
    limit = fields.Float(required=True, digits=(16, 2))
    sequence = fields.Integer(default=10)

    _plan_resource_uniq = models.Constraint(
        "UNIQUE(plan_id, resource_id)", "A plan limits each resource only once."
    )

    @api.constrains("limit")
    def _check_limit(self):
        for line in self:
            if line.limit < 0:
                raise ValidationError(
                    self.env._(
                        "The limit of %(resource)s on plan %(plan)s cannot be negative.",
                        resource=line.resource_id.name,
                        plan=line.plan_id.name,
                    )
                )
