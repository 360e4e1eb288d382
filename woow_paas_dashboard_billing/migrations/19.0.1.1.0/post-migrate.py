def migrate(cr, version):
    """Sum the rollups already there."""
    from odoo import SUPERUSER_ID, api

    env = api.Environment(cr, SUPERUSER_ID, {})
    env["woow.paas.dashboard.usage"]._paas_refresh_usage_snapshot(full=True)
