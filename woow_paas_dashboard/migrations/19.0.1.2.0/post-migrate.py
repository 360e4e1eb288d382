def migrate(cr, version):
    """Tenant segments now keep every state, not only the active spans:
    rebuild the snapshot."""
    from odoo import SUPERUSER_ID, api

    api.Environment(cr, SUPERUSER_ID, {})["woow.paas.dashboard"]._paas_refresh_snapshot(full=True)
