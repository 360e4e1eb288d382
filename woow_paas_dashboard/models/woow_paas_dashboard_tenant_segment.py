from odoo import fields, models


class WoowPaasDashboardTenantSegment(models.Model):
    """A snapshot of the tenants' state spans, rebuilt from the event log
    (see ``woow.paas.dashboard.segment``)."""

    _name = "woow.paas.dashboard.tenant.segment"
    _description = "PaaS Dashboard: Tenant Segment"
    _log_access = False

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", ondelete="cascade")
    plan_id = fields.Integer()
    state = fields.Char()
    t0 = fields.Datetime()
    t1 = fields.Datetime()

    _tenant_idx = models.Index("(tenant_id)")
    _t1_idx = models.Index("(t1)")
