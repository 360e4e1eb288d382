from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    """Allowed and current tenants, the way ``company_ids`` and ``company_id`` work.

    A user works in the tenants that are *active* for the request: the ones
    listed in the context key ``allowed_paas_tenant_ids`` that are also among
    the user's allowed tenants (others are ignored: the key narrows, it never
    widens), or else the current tenant alone. Switching the current tenant
    therefore changes what the user sees. A user with no current tenant sees
    no tenant-aware record.
    """

    _inherit = "res.users"

    paas_tenant_ids = fields.Many2many(
        "woow.paas.tenant",
        "woow_paas_tenant_users_rel",
        "user_id",
        "tenant_id",
        string="Allowed Tenants",
        help="Tenants whose data this user may work on.",
    )
    paas_tenant_id = fields.Many2one(
        "woow.paas.tenant",
        string="Current Tenant",
        index="btree_not_null",
        domain="[('id', 'in', paas_tenant_ids)]",
        help="The tenant the user works in; new records belong to it.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "paas_tenant_ids", "paas_tenant_id"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "paas_tenant_id"]

    @api.model
    def _get_invalidation_fields(self):
        # The record-rule domains are cached per user and depend on these.
        return {*super()._get_invalidation_fields(), "paas_tenant_ids", "paas_tenant_id"}

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._paas_fix_current_tenant()
        return users

    def write(self, vals):
        res = super().write(vals)
        if "paas_tenant_ids" in vals or "paas_tenant_id" in vals:
            self._paas_fix_current_tenant(keep=("paas_tenant_id" in vals))
        return res

    def _paas_fix_current_tenant(self, keep=False):
        """A user given tenants but no current one starts in the first; a user
        losing their current tenant moves to another allowed one. A current
        tenant chosen explicitly (``keep``) must be allowed."""
        for user in self.sudo():
            allowed = user.paas_tenant_ids
            if user.paas_tenant_id and user.paas_tenant_id not in allowed:
                if keep:
                    raise ValidationError(
                        self.env._(
                            "The current tenant of %(user)s must be one of their allowed tenants.",
                            user=user.name,
                        )
                    )
                user.paas_tenant_id = allowed[:1]
            elif not user.paas_tenant_id and allowed:
                user.paas_tenant_id = allowed[:1]

    @api.model
    def _paas_active_tenant_ids(self):
        """Ids of the tenants the current user works on in this request."""
        user = self.env.user.sudo()
        allowed = user.paas_tenant_ids.ids
        requested = self.env.context.get("allowed_paas_tenant_ids")
        if requested and isinstance(requested, (list, tuple)):
            return [tid for tid in requested if isinstance(tid, int) and tid in allowed]
        current = user.paas_tenant_id.id
        return [current] if current and current in allowed else []

    @api.model
    def _paas_default_tenant_id(self):
        """The tenant of a new record: the current one when it is active,
        else the first active one."""
        active = self._paas_active_tenant_ids()
        current = self.env.user.sudo().paas_tenant_id.id
        if current in active:
            return current
        return active[0] if active else False

    def action_paas_switch_tenant(self, tenant_id):
        """Make ``tenant_id`` (one of the user's allowed tenants) current."""
        self.ensure_one()
        self.write({"paas_tenant_id": tenant_id})
        return True
