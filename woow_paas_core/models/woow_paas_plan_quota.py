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

    def _paas_emit_quota_change(self, changes):
        """One ``plan.quota_changed`` event per line, on its plan, with the
        limit before and after (``None``: unlimited)."""
        Event = self.env["woow.paas.event"]
        for (plan, resource), (old, new) in changes.items():
            if old != new:
                Event._emit(
                    "plan.quota_changed",
                    plan,
                    {"resource": resource, "before": old, "after": new},
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._paas_emit_quota_change(
            {(line.plan_id, line.resource_code): (None, line.limit) for line in lines}
        )
        return lines

    def write(self, vals):
        before = {line.id: (line.plan_id, line.resource_code, line.limit) for line in self}
        result = super().write(vals)
        changes = {}
        for line in self:
            old_plan, old_resource, old_limit = before[line.id]
            if (old_plan, old_resource) != (line.plan_id, line.resource_code):
                changes[(old_plan, old_resource)] = (old_limit, None)
                changes[(line.plan_id, line.resource_code)] = (None, line.limit)
            else:
                changes[(line.plan_id, line.resource_code)] = (old_limit, line.limit)
        self._paas_emit_quota_change(changes)
        return result

    def unlink(self):
        changes = {(line.plan_id, line.resource_code): (line.limit, None) for line in self}
        result = super().unlink()
        self.browse()._paas_emit_quota_change(changes)
        return result
