from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import pgtools


class WoowPaasDbServer(models.Model):
    """A PostgreSQL server that holds tenant databases (``database`` mode).

    New tenants go to the least loaded active server that answers and has
    room (:meth:`_paas_place`); the templates of the plans are built on it
    before its first tenant.
    """

    _name = "woow.paas.db.server"
    _description = "PaaS Database Server"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    host = fields.Char(required=True, default="127.0.0.1")
    port = fields.Integer(required=True, default=5432)
    role = fields.Char(required=True, help="PostgreSQL role that creates the tenant databases.")
    password = fields.Char(groups="woow_paas_core.group_paas_manager", copy=False)
    capacity = fields.Integer(
        required=True, default=100, help="Most tenant databases this server may hold."
    )
    db_prefix = fields.Char(
        string="Database Prefix",
        required=True,
        default="woow_t_",
        help="A tenant's database is named this prefix followed by its code; templates "
        "are named this prefix followed by 'tpl_'.",
    )
    tenant_ids = fields.One2many("woow.paas.tenant", "paas_db_server_id", string="Tenants")
    tenant_count = fields.Integer(compute="_compute_tenant_count")
    template_ids = fields.One2many("woow.paas.db.template", "server_id", string="Templates")

    _capacity_positive = models.Constraint(
        "CHECK(capacity >= 0)", "The capacity of a database server cannot be negative."
    )

    def _compute_tenant_count(self):
        counts = self._paas_load()
        for server in self:
            server.tenant_count = counts.get(server.id, 0)

    def _paas_load(self):
        """Tenant databases per server: every tenant placed there that is not
        archived (a failed one may still be resumed), in one query."""
        groups = (
            self.env["woow.paas.tenant"]
            .sudo()
            ._read_group(
                [("paas_db_server_id", "in", self.ids), ("state", "!=", "archived")],
                ["paas_db_server_id"],
                ["__count"],
            )
        )
        return {server.id: count for server, count in groups}

    def _paas_conninfo(self):
        """What :mod:`pgtools` needs to reach the server (password included:
        private, never sent to a client)."""
        self.ensure_one()
        server = self.sudo()
        return {
            "host": server.host,
            "port": server.port,
            "user": server.role,
            "password": server.password or "",
        }

    def _paas_ping(self):
        """None when the server answers, else the reason why not."""
        self.ensure_one()
        try:
            with pgtools.connect(self._paas_conninfo()) as conn, conn.cursor() as cr:
                cr.execute("SELECT 1")
        except pgtools.TransientError as exc:
            return str(exc)
        return None

    @api.model
    def _paas_place(self):
        """The least loaded active server with room that answers; a UserError
        saying why when there is none."""
        servers = self.search([])
        if not servers:
            raise UserError(self.env._("No active database server is configured for tenants."))
        load = servers._paas_load()
        with_room = servers.filtered(lambda s: load.get(s.id, 0) < s.capacity)
        if not with_room:
            raise UserError(
                self.env._(
                    "No database server has room for another tenant: every active "
                    "server is full (raise a capacity or add a server)."
                )
            )
        reasons = []
        for server in with_room.sorted(lambda s: (load.get(s.id, 0) / s.capacity, s.sequence)):
            reason = server._paas_ping()
            if reason is None:
                return server
            reasons.append(reason)
        raise UserError(
            self.env._(
                "No database server with room answers: %(reasons)s", reasons="; ".join(reasons)
            )
        )

    def action_test_connection(self):
        self.ensure_one()
        reason = self._paas_ping()
        if reason:
            raise UserError(reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Server %s answers.", self.name),
            },
        }
