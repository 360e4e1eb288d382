from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _extract_token_values(self, payment_data):
        """Override of `payment_stripe` to keep the card's expiry on the token
        (``payment`` does not), so that a card expiring before the next
        renewal is flagged whichever way it was saved."""
        values = super()._extract_token_values(payment_data)
        if self.provider_code != "stripe" or not values:
            return values
        card = (payment_data.get("payment_method") or {}).get("card") or {}
        expiry = self.env["payment.token"]._paas_expiry_from_month(
            card.get("exp_month"), card.get("exp_year")
        )
        if expiry:
            values["paas_card_expiry"] = expiry
        return values
