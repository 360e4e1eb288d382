from odoo import models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    def _paas_signup_pricelists(self, currencies, company=None):
        """The active pricelists in ``currencies`` that a new customer of
        ``company`` (the current one by default) may get at sign-up, best
        first; none while Odoo's pricelists are disabled (billing then bills
        everyone in the plan's currency)."""
        if not self.env["res.groups"]._is_feature_enabled("product.group_product_pricelist"):
            return self.browse()
        company = company or self.env.company
        return self.sudo().search(
            [("currency_id", "in", currencies.ids), ("company_id", "in", (company.id, False))],
            order="sequence, id",
        )
