import requests

from odoo import models
from odoo.exceptions import ValidationError

from ..exceptions import PaasProviderUnavailable


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    def _send_api_request(self, method, endpoint, **kwargs):
        """Override of `payment` to tell an unreachable provider from a
        refused payment during a Woow PaaS off-session charge.

        ``payment`` turns a connection error into the same ``ValidationError``
        as a declined card, which would put the transaction in error and count
        a dunning attempt while nothing reached the provider. Within a charge
        job (context ``paas_offline_charge``, set by trusted code only; it
        changes how an error is reported, never a check) the job is told, and
        tries again later.
        """
        try:
            return super()._send_api_request(method, endpoint, **kwargs)
        except ValidationError as error:
            transient = (requests.exceptions.ConnectionError, requests.exceptions.Timeout)
            if self.env.context.get("paas_offline_charge") and isinstance(
                error.__context__, transient
            ):
                raise PaasProviderUnavailable(str(error)) from error
            raise
