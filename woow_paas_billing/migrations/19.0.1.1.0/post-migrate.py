from odoo import SUPERUSER_ID, api

from odoo.addons.woow_paas_billing.hooks import post_init_hook


def migrate(cr, version):
    """19.0.1.1.0 invoices through products: give the existing plans and
    metrics theirs."""
    post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))
