import secrets
import uuid

from odoo import api, fields, models
from odoo.tools import SQL

from .. import pgtools, tenantdb


class WoowPaasDbPool(models.Model):
    """A warm database: already copied from a plan's template on a server,
    with its own identity and an administrator password set, waiting for a
    customer. Provisioning renames it to the tenant's database instead of
    copying the template, and a background job refills the pool."""

    _name = "woow.paas.db.pool"
    _description = "PaaS Warm Database"
    _order = "id"

    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    server_id = fields.Many2one("woow.paas.db.server", required=True, ondelete="cascade")
    template_id = fields.Many2one("woow.paas.db.template", required=True, ondelete="cascade")
    db_name = fields.Char(string="Database", required=True, readonly=True)
    admin_password = fields.Char(groups="woow_paas_core.group_paas_manager", readonly=True)
    state = fields.Selection(
        [("ready", "Ready"), ("claimed", "Claimed")], required=True, default="ready", index=True
    )
    tenant_id = fields.Many2one("woow.paas.tenant", index="btree_not_null", ondelete="set null")

    @api.model
    def _paas_claim(self, tenant, template):
        """Reserve a ready warm database of ``template`` for ``tenant`` (the
        lock skips rows another request is claiming); empty when none."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM woow_paas_db_pool
                    WHERE template_id = %s AND state = 'ready'
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED""",
                template.id,
            )
        )
        row = self.env.cr.fetchone()
        pool = self.browse(row[0] if row else [])
        if pool:
            pool.sudo().write({"state": "claimed", "tenant_id": tenant.id})
        return pool

    @api.model
    def _paas_fill(self, template, count):
        """Make ``count`` warm databases of ``template``: copy, filestore,
        new identity, a generated administrator password already hashed."""
        server = template.server_id
        conninfo = server._paas_conninfo()
        crypt = self.env["res.users"]._crypt_context()
        for _i in range(count):
            name = f"{server.db_prefix}pool_{template.plan_id.id}_{uuid.uuid4().hex[:10]}"
            password = secrets.token_urlsafe(12)
            pgtools.create_db_from_template(conninfo, name, template.db_name)
            try:
                pgtools.copy_filestore(template.db_name, name)
                with pgtools.connect(conninfo, name, autocommit=False) as conn, conn.cursor() as cr:
                    tenantdb.renew_identity(cr)
                    tenantdb.set_admin_password(cr, crypt.hash(password))
            except Exception:
                pgtools.drop_db(conninfo, name)
                pgtools.remove_filestore(name)
                raise
            self.sudo().create(
                {
                    "plan_id": template.plan_id.id,
                    "server_id": server.id,
                    "template_id": template.id,
                    "db_name": name,
                    "admin_password": password,
                }
            )
        return True

    def _paas_discard(self):
        for pool in self:
            pgtools.drop_db(pool.server_id._paas_conninfo(), pool.db_name)
            pgtools.remove_filestore(pool.db_name)
        return self.sudo().unlink()
