from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import pgtools

DEFAULT_TENANT_MODULES = "base,web,woow_paas_tenant_agent"


class WoowPaasPlan(models.Model):
    _inherit = "woow.paas.plan"

    config_value_ids = fields.One2many(
        "woow.paas.config.plan.value", "plan_id", string="Configuration Defaults", copy=True
    )
    paas_isolation = fields.Selection(
        [("shared", "Shared database (row-level)"), ("database", "Database per tenant")],
        string="Isolation",
        required=True,
        default="shared",
        help="Shared: tenants' records live in the platform database, separated by record "
        "rules. Database per tenant: each tenant gets its own Odoo database copied from "
        "the plan's template.",
    )
    paas_modules = fields.Char(
        string="Tenant Modules",
        default=DEFAULT_TENANT_MODULES,
        help="Comma-separated Odoo modules installed in the plan's template database "
        "(woow_paas_tenant_agent enforces the limits inside it).",
    )
    paas_languages = fields.Char(
        string="Tenant Languages",
        help="Comma-separated language codes loaded in the template besides English "
        "(fr_FR,de_DE); a tenant's language must be one of them.",
    )
    paas_template_version = fields.Integer(
        string="Template Version", default=1, readonly=True, copy=False
    )
    paas_template_ids = fields.One2many("woow.paas.db.template", "plan_id", string="Templates")
    paas_pool_size = fields.Integer(
        string="Warm Pool Size",
        default=0,
        help="Databases kept copied from the template on each server, waiting for a "
        "customer: a sign-up takes one (a rename) instead of a copy.",
    )
    paas_pool_ids = fields.One2many("woow.paas.db.pool", "plan_id", string="Warm Databases")

    _pool_size_positive = models.Constraint(
        "CHECK(paas_pool_size >= 0)", "The warm pool size cannot be negative."
    )

    @api.constrains("paas_modules", "paas_isolation")
    def _check_paas_modules(self):
        for plan in self.filtered(lambda p: p.paas_isolation == "database"):
            if not plan._paas_module_list():
                raise UserError(self.env._("Plan %s needs at least one tenant module.", plan.name))

    def write(self, vals):
        if "paas_pool_size" in vals:
            self.filtered(
                lambda p: p.paas_pool_size != vals["paas_pool_size"]
            )._paas_enqueue_pool_refill()
        if "paas_modules" in vals or "paas_languages" in vals:
            changed = self.filtered(
                lambda p: (
                    p.paas_modules != vals.get("paas_modules", p.paas_modules)
                    or p.paas_languages != vals.get("paas_languages", p.paas_languages)
                )
            )
        else:
            changed = self.browse()
        res = super().write(vals)
        for plan in changed:
            # A new version: tenants provisioned from now on need a new build.
            plan.sudo().paas_template_version += 1
            if plan.paas_template_ids.filtered(lambda t: t.state == "ready"):
                plan._paas_enqueue_template_builds()
        return res

    def _paas_enqueue_pool_refill(self):
        for plan in self:
            plan.with_delay(
                description=self.env._("Refill the warm pool of plan %s", plan.name),
                identity_key=f"woow.paas.plan-pool-{plan.id}",
            )._paas_refill_pool()

    def _paas_refill_pool(self):
        """Bring each server's warm pool of the plan to ``paas_pool_size``
        ready databases of the current template; drop those of older
        templates and claimed ones whose tenant took them."""
        Pool = self.env["woow.paas.db.pool"].sudo()
        Template = self.env["woow.paas.db.template"].sudo()
        for plan in self.sudo():
            for server in self.env["woow.paas.db.server"].sudo().search([]):
                template = Template.search(
                    [
                        ("plan_id", "=", plan.id),
                        ("server_id", "=", server.id),
                        ("version", "=", plan.paas_template_version),
                    ]
                )
                pools = Pool.search([("plan_id", "=", plan.id), ("server_id", "=", server.id)])
                conninfo = server._paas_conninfo()
                stale = pools.filtered(
                    lambda p, t=template, c=conninfo: (
                        p.template_id != t
                        or (p.state == "claimed" and not p.tenant_id)
                        or not pgtools.db_exists(c, p.db_name)
                    )
                )
                stale._paas_discard()
                if not template or template.state != "ready" or plan.paas_isolation != "database":
                    continue
                ready = (pools - stale).filtered(lambda p: p.state == "ready")
                missing = plan.paas_pool_size - len(ready)
                if missing > 0:
                    Pool._paas_fill(template, missing)
                elif missing < 0:
                    ready[plan.paas_pool_size :]._paas_discard()
        return True

    def _paas_module_list(self):
        self.ensure_one()
        return [m.strip() for m in (self.paas_modules or "").split(",") if m.strip()]

    def _paas_template_languages(self):
        self.ensure_one()
        return [code.strip() for code in (self.paas_languages or "").split(",") if code.strip()]

    def _paas_template(self, server):
        """The current version's template record of this plan on ``server``
        (created, not built, when missing)."""
        self.ensure_one()
        Template = self.env["woow.paas.db.template"].sudo()
        template = Template.search(
            [
                ("plan_id", "=", self.id),
                ("server_id", "=", server.id),
                ("version", "=", self.paas_template_version),
            ]
        )
        if not template:
            template = Template.create(
                {
                    "plan_id": self.id,
                    "server_id": server.id,
                    "version": self.paas_template_version,
                    "modules": ",".join(self._paas_module_list()),
                    "db_name": Template._paas_db_name(self, server, self.paas_template_version),
                }
            )
        return template

    def _paas_enqueue_template_builds(self):
        for plan in self:
            for server in self.env["woow.paas.db.server"].sudo().search([]):
                template = plan._paas_template(server)
                template.write({"state": "building"})
                template.with_delay(
                    description=self.env._(
                        "Build template %(db)s of plan %(plan)s",
                        db=template.db_name,
                        plan=plan.name,
                    ),
                    identity_key=f"woow.paas.db.template-build-{template.id}",
                )._paas_build()

    def action_build_template(self):
        """Build (again) the plan's template database on every active server,
        in the background."""
        self.check_access("write")
        not_database = self.filtered(lambda p: p.paas_isolation != "database")
        if not_database:
            raise UserError(
                self.env._(
                    "Plan %s keeps its tenants in the shared database: it has no template.",
                    not_database[0].name,
                )
            )
        self._paas_enqueue_template_builds()
        return True
