from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Tenants whose data its users may read but not change.
FROZEN_TENANT_STATES = ("suspended", "archived")


class WoowPaasTenantMixin(models.AbstractModel):
    """Make a model tenant-aware: inheriting this mixin is all it takes.

    The model gets a required, indexed ``tenant_id``, defaulted from the
    user's current tenant, and a global restriction (see ``ir.rule``) that
    limits every non-superuser to the records of their active tenants, for
    search, read, read_group, search_count, write and unlink alike, over RPC
    too. A non-superuser cannot move a record to another tenant, and a
    relation from a record of one tenant to a tenant-aware record of another
    tenant is refused, like ``check_company``.

    Opting out (``_paas_tenant_aware = False`` in a subclass) is a code
    decision, never something a caller can ask for.
    """

    _name = "woow.paas.tenant.mixin"
    _description = "Woow PaaS Tenant-Aware Mixin"
    # Read by ir.rule._compute_domain: records of such models are isolated.
    _paas_tenant_aware = True

    tenant_id = fields.Many2one(
        "woow.paas.tenant",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env["res.users"]._paas_default_tenant_id(),
        help="The tenant that owns this record; only that tenant's users see it.",
    )

    @api.model
    def _paas_tenant_relational_fields(self):
        """Many2one and Many2many fields pointing at another tenant-aware model."""
        return [
            field
            for field in self._fields.values()
            if field.type in ("many2one", "many2many")
            and field.name != "tenant_id"
            and field.store
            and getattr(self.env[field.comodel_name], "_paas_tenant_aware", False)
        ]

    def _paas_check_tenant_relations(self, fnames=None):
        """Refuse links from a record of one tenant to a record of another."""
        fields_ = self._paas_tenant_relational_fields()
        if fnames is not None and "tenant_id" not in fnames:
            fields_ = [field for field in fields_ if field.name in fnames]
        if not fields_:
            return
        for record in self.sudo():
            for field in fields_:
                # The other record's name is not shown: it may be another tenant's secret.
                if record[field.name].filtered(lambda r, rec=record: r.tenant_id != rec.tenant_id):
                    raise ValidationError(
                        self.env._(
                            "%(record)s (tenant %(tenant)s) cannot be linked through "
                            "“%(field)s” to a record of another tenant.",
                            record=record.display_name,
                            tenant=record.tenant_id.code,
                            field=field._description_string(self.env),
                        )
                    )

    def _paas_check_tenant_writable(self):
        """The data of a suspended or archived tenant is read-only for its
        users (the way a suspended tenant database shows a read-only banner
        rather than locking its users out)."""
        if self.env.su:
            return
        frozen = self.sudo().tenant_id.filtered(lambda t: t.state in FROZEN_TENANT_STATES)
        if frozen:
            raise UserError(
                self.env._(
                    "Tenant %(tenant)s is %(state)s: its data can be read but not changed.",
                    tenant=frozen[0].name,
                    state=frozen[0]._paas_state_label(frozen[0].state).lower(),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._paas_check_tenant_writable()
        records._paas_check_tenant_relations()
        return records

    def write(self, vals):
        if (
            "tenant_id" in vals
            and not self.env.su
            and any(record.tenant_id.id != vals["tenant_id"] for record in self)
        ):
            raise UserError(
                self.env._(
                    "A record cannot move to another tenant: create it again in "
                    "the other tenant instead."
                )
            )
        self._paas_check_tenant_writable()
        res = super().write(vals)
        self._paas_check_tenant_relations(set(vals))
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen_tenant(self):
        self._paas_check_tenant_writable()
