from odoo import api, models, tools
from odoo.fields import Domain
from odoo.tools import config


class IrRule(models.Model):
    """Override of ``base`` to isolate tenant-aware models.

    For every model inheriting ``woow.paas.tenant.mixin``, the record-rule
    domain of a non-superuser gains ``tenant_id in <active tenants>``, in
    every mode. The restriction is global and lives in code, so no one can
    switch it off by deactivating a rule. The cache key holds the user (whose
    tenants are in :meth:`res.users._get_invalidation_fields`) and the context
    key ``allowed_paas_tenant_ids``.
    """

    _inherit = "ir.rule"

    def _compute_domain_keys(self):
        return [*super()._compute_domain_keys(), "allowed_paas_tenant_ids"]

    @api.model
    @tools.conditional(
        "xml" not in config["dev_mode"],
        tools.ormcache(
            "self.env.uid",
            "self.env.su",
            "model_name",
            "mode",
            "tuple(self._compute_domain_context_values())",
        ),
    )
    def _compute_domain(self, model_name, mode="read"):
        domain = super()._compute_domain(model_name, mode)
        model = self.env[model_name]
        if self.env.su or not getattr(model, "_paas_tenant_aware", False) or model._abstract:
            return domain
        tenant_ids = self.env["res.users"]._paas_active_tenant_ids()
        return (domain & Domain("tenant_id", "in", tenant_ids)).optimize(model)
