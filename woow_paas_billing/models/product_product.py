from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _paas_create_services(self, records, vals_list):
        """Give each of ``records`` (plans, metrics) its invoicing product: a
        service made from the matching dict of ``vals_list``, all in one
        create."""
        if not records:
            return
        products = self.sudo().create(
            [
                {"type": "service", "sale_ok": True, "purchase_ok": False, **vals}
                for vals in vals_list
            ]
        )
        for record, product in zip(records, products, strict=True):
            record.product_id = product
