def migrate(cr, version):
    """Build the snapshot of the history already in the event log."""
    from odoo import SUPERUSER_ID, api

    api.Environment(cr, SUPERUSER_ID, {})["woow.paas.dashboard"]._paas_refresh_snapshot(full=True)
