from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def paas_mail_signature(self):
        """Seam for the PaaS mails (called by their templates, hence public):
        a line under the message naming the product and where to get help.
        Empty in core; the portal's white label fills it."""
        return ""
