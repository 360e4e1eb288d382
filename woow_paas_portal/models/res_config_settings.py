from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    paas_product_name = fields.Char(related="company_id.paas_product_name", readonly=False)
    paas_primary_color = fields.Char(related="company_id.paas_primary_color", readonly=False)
    paas_support_email = fields.Char(related="company_id.paas_support_email", readonly=False)
    paas_support_url = fields.Char(related="company_id.paas_support_url", readonly=False)
