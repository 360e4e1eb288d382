import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import pgtools


class WoowPaasDbTemplate(models.Model):
    """One version of a plan's template database on one server.

    Built once by a separate ``odoo-bin -i <modules> --stop-after-init``
    process; tenant databases are copied from it with ``CREATE DATABASE ...
    TEMPLATE``. A change of the plan's module list makes a new version; the
    old one is dropped when the new one is ready.
    """

    _name = "woow.paas.db.template"
    _description = "PaaS Template Database"
    _order = "plan_id, server_id, version desc"
    _rec_name = "db_name"

    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    server_id = fields.Many2one("woow.paas.db.server", required=True, ondelete="restrict")
    version = fields.Integer(required=True)
    modules = fields.Char(required=True, readonly=True)
    db_name = fields.Char(string="Database", required=True, readonly=True)
    state = fields.Selection(
        [
            ("building", "Building"),
            ("ready", "Ready"),
            ("failed", "Failed"),
            ("outdated", "Outdated"),
        ],
        required=True,
        default="building",
        readonly=True,
    )
    database_uuid = fields.Char(readonly=True, help="database.uuid of the template itself.")
    built_at = fields.Datetime(readonly=True)
    build_seconds = fields.Float(readonly=True, digits=(16, 1))
    build_log = fields.Text(readonly=True)

    _plan_server_version_uniq = models.Constraint(
        "UNIQUE(plan_id, server_id, version)", "A plan has one template per server and version."
    )

    @api.model
    def _paas_db_name(self, plan, server, version):
        return f"{server.db_prefix}tpl_{plan.id}_v{version}"

    def _paas_build(self):
        """Build the template database now (in this process, waiting for the
        ``odoo-bin`` it starts); on success the older versions of the same
        plan and server are dropped."""
        for template in self:
            server = template.server_id
            conninfo = server._paas_conninfo()
            start = time.monotonic()
            try:
                output = pgtools.build_template(
                    conninfo,
                    template.db_name,
                    template.modules.split(","),
                    languages=template.plan_id._paas_template_languages(),
                )
            except (RuntimeError, pgtools.TransientError) as exc:
                template.write(
                    {
                        "state": "failed",
                        "build_log": str(exc),
                        "build_seconds": time.monotonic() - start,
                    }
                )
                continue
            with pgtools.connect(conninfo, template.db_name) as conn, conn.cursor() as cr:
                cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")
                db_uuid = cr.fetchone()[0]
            template.write(
                {
                    "state": "ready",
                    "database_uuid": db_uuid,
                    "built_at": fields.Datetime.now(),
                    "build_seconds": time.monotonic() - start,
                    "build_log": output[-2000:] or False,
                }
            )
            older = self.search(
                [
                    ("plan_id", "=", template.plan_id.id),
                    ("server_id", "=", server.id),
                    ("version", "<", template.version),
                    ("state", "!=", "outdated"),
                ]
            )
            for old in older:
                pgtools.drop_db(conninfo, old.db_name)
                pgtools.remove_filestore(old.db_name)
            older.write({"state": "outdated"})
        return True

    def _paas_ping_db(self):
        """Whether the template's database exists on its server."""
        self.ensure_one()
        return pgtools.db_exists(self.server_id._paas_conninfo(), self.db_name)

    def _paas_check_usable(self):
        """Raise a UserError unless the template is ready and its database
        exists on its server."""
        self.ensure_one()
        if self.state != "ready" or not self._paas_ping_db():
            raise UserError(
                self.env._(
                    "The template database %(db)s of plan %(plan)s is missing on server "
                    "%(server)s: build it with Build Template on the plan.",
                    db=self.db_name,
                    plan=self.plan_id.name,
                    server=self.server_id.name,
                )
            )
        return True
