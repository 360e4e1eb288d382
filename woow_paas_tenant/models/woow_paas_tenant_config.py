from odoo import api, fields, models
from odoo.exceptions import UserError


class WoowPaasTenantConfig(models.Model):
    """A tenant's own value for one configuration key (overrides the plan)."""

    _name = "woow.paas.tenant.config"
    _description = "PaaS Tenant Configuration"
    _order = "tenant_id, key_id"

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, index=True, ondelete="cascade")
    key_id = fields.Many2one("woow.paas.config.key", required=True, index=True, ondelete="cascade")
    value_type = fields.Selection(related="key_id.value_type")
    description = fields.Text(related="key_id.description")
    value = fields.Char(required=True)

    _tenant_key_uniq = models.Constraint(
        "UNIQUE(tenant_id, key_id)", "A tenant overrides each configuration key only once."
    )

    @api.constrains("key_id", "value")
    def _check_value(self):
        for line in self:
            line.key_id._paas_parse(line.value)

    # Database tenants read their configuration as system parameters: push it
    # when it changes.
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.tenant_id._paas_push_params_safe()
        return lines

    def write(self, vals):
        if not self.env.su and any(
            line[name].id != vals[name]
            for name in ("tenant_id", "key_id")
            if name in vals
            for line in self
        ):
            raise UserError(
                self.env._(
                    "A configuration value stays with its tenant and key: delete it and "
                    "create one for the other tenant or key."
                )
            )
        res = super().write(vals)
        self.tenant_id._paas_push_params_safe()
        return res

    def unlink(self):
        tenants = self.tenant_id
        res = super().unlink()
        tenants._paas_push_params_safe()
        return res
