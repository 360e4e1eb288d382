from odoo import fields, models
from odoo.exceptions import UserError


class WoowPaasTenantConfigMixin(models.AbstractModel):
    """Per-tenant configuration of ``woow.paas.tenant``: the tenant's
    overrides of the typed keys (``woow.paas.config.key``), read with
    :meth:`_paas_get_config`."""

    _name = "woow.paas.tenant.config.mixin"
    _description = "PaaS Tenant Configuration"

    config_ids = fields.One2many("woow.paas.tenant.config", "tenant_id", string="Configuration")

    def _paas_config_key(self, key_code):
        key = self.env["woow.paas.config.key"].sudo().search([("code", "=", key_code)], limit=1)
        if not key:
            raise UserError(self.env._("Unknown configuration key %(code)r.", code=key_code))
        return key

    def _paas_get_config(self, key_code):
        """Effective value of ``key_code`` for this tenant, in the key's type:
        the tenant's override, else the plan's default, else the key's
        default (``None`` when nothing is set)."""
        self.ensure_one()
        key = self._paas_config_key(key_code)
        tenant = self.sudo()
        override = (
            self.env["woow.paas.tenant.config"]
            .sudo()
            .search([("tenant_id", "=", tenant.id), ("key_id", "=", key.id)], limit=1)
        )
        if override:
            return key._paas_parse(override.value)
        if tenant.plan_id:
            plan_value = key.plan_value_ids.filtered(lambda v: v.plan_id == tenant.plan_id)
            if plan_value:
                return key._paas_parse(plan_value.value)
        return key._paas_parse(key.default_value) if key.default_value else None

    def _paas_set_config(self, key_code, value):
        """Override ``key_code`` for this tenant (``None`` removes the override);
        a value of the wrong type raises a ValidationError."""
        self.ensure_one()
        key = self._paas_config_key(key_code)
        Config = self.env["woow.paas.tenant.config"]
        line = Config.search([("tenant_id", "=", self.id), ("key_id", "=", key.id)], limit=1)
        if value is None:
            line.unlink()
            return True
        text = key._paas_format(value)
        key._paas_parse(text)
        if line:
            line.value = text
        else:
            Config.create({"tenant_id": self.id, "key_id": key.id, "value": text})
        return True
