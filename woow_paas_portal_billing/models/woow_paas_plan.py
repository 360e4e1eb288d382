from odoo import models


class WoowPaasPlan(models.Model):
    _inherit = "woow.paas.plan"

    def _paas_pricing_currencies(self):
        """Override of ``woow_paas_portal``: the currencies of the plans'
        prices in other currencies too, those a new customer can be billed
        in. Billing bills a customer in their pricelist's currency, so a
        currency is offered when Odoo's pricelists are enabled and a
        pricelist of this company is in it (a new customer who chooses it
        gets that pricelist, see ``woow.paas.signup``)."""
        currencies = super()._paas_pricing_currencies()
        extra = self.price_ids.currency_id - currencies
        if extra:
            pricelists = self.env["product.pricelist"]._paas_signup_pricelists(extra)
            currencies |= extra & pricelists.currency_id
        company_currency = self.env.company.currency_id
        return currencies.sorted(lambda c: (c != company_currency, c.name))
