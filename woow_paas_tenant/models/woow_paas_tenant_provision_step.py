from odoo import fields, models

PROVISION_STEPS = [
    ("database", "Create the database from the template"),
    ("filestore", "Copy the filestore"),
    ("identity", "Renew the database UUID and secret"),
    ("admin", "Create the administrator"),
    ("company", "Set company name, language and time zone"),
    ("limits", "Push limits and configuration"),
]


class WoowPaasTenantProvisionStep(models.Model):
    """One step of one provisioning attempt of a database-mode tenant, with
    its duration: the log that the tenant form shows. A step found already
    done (a resumed attempt) is logged as skipped."""

    _name = "woow.paas.tenant.provision.step"
    _description = "PaaS Tenant Provisioning Step"
    _order = "tenant_id, id"
    _log_access = False

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, index=True, ondelete="cascade")
    attempt = fields.Integer(required=True, default=1)
    step = fields.Selection(PROVISION_STEPS, required=True)
    status = fields.Selection(
        [
            ("done", "Done"),
            ("skipped", "Already done"),
            ("failed", "Failed"),
            ("retry", "Will retry"),
        ],
        required=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    duration_ms = fields.Float(string="Duration (ms)", digits=(16, 1))
    message = fields.Char()
