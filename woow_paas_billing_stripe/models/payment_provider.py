import logging
import os
import secrets

import stripe

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.urls import urljoin as url_join

from odoo.addons.payment_stripe import utils as stripe_utils

from ..const import ENV_API_BASE, OLD_DEMO_WEBHOOK_SECRET, PARAM_API_BASE, STRIPE_API_BASE

_logger = logging.getLogger(__name__)


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    # ------------------------------------------------------------------
    # Where Stripe is
    # ------------------------------------------------------------------
    def _paas_stripe_api_base(self):
        """Base URL of the Stripe API for this provider.

        A provider in test mode may talk to a Stripe-compatible server such as
        localstripe: the system parameter ``woow_paas_billing_stripe.api_base``,
        else the environment variable ``WOOW_STRIPE_API_BASE``. A provider in
        production always talks to Stripe.
        """
        self.ensure_one()
        if self.state == "test":
            base = self.env["ir.config_parameter"].sudo().get_param(
                PARAM_API_BASE
            ) or os.environ.get(ENV_API_BASE)
            if base:
                return base.rstrip("/")
        return STRIPE_API_BASE

    def _build_request_url(self, endpoint, *, is_proxy_request=False, version=1, **kwargs):
        """Override of `payment_stripe` to send the requests of a test-mode
        provider to the configured Stripe-compatible server."""
        url = super()._build_request_url(
            endpoint, is_proxy_request=is_proxy_request, version=version, **kwargs
        )
        if self.code != "stripe" or is_proxy_request:
            return url
        base = self._paas_stripe_api_base()
        if base == STRIPE_API_BASE:
            return url
        return url_join(f"{base}/v1/", endpoint)

    def _paas_localstripe_js_url(self):
        """URL of localstripe's fake Stripe.js when the active Stripe providers
        are all in test mode and pointed at a Stripe-compatible server (no
        internet in development and tests), else ``False``: the payment form
        then loads Stripe's own."""
        providers = self.sudo().search(
            [("code", "=", "stripe"), ("state", "in", ("enabled", "test"))]
        )
        if not providers or providers.filtered(lambda p: p.state == "enabled"):
            return False
        base = providers[0]._paas_stripe_api_base()
        return False if base == STRIPE_API_BASE else f"{base}/js.stripe.com/v3/"

    def _paas_stripe_client(self):
        """The official SDK's client for this provider (its own API key and
        base URL: no global state shared between providers or databases)."""
        self.ensure_one()
        return stripe.StripeClient(
            stripe_utils.get_secret_key(self.sudo()),
            base_addresses={"api": self._paas_stripe_api_base()},
            # The SDK gives each retried POST the same idempotency key.
            max_network_retries=2,
        )

    # ------------------------------------------------------------------
    # Webhook secret
    # ------------------------------------------------------------------
    def _paas_stripe_new_webhook_secret(self):
        """Give these providers a new random webhook secret (``whsec_`` and
        32 random bytes), the shape Stripe's own secrets have."""
        for provider in self:
            provider.stripe_webhook_secret = f"whsec_{secrets.token_urlsafe(32)}"

    @api.model
    def _paas_demo_stripe_webhook_secret(self):
        """Demo data: the demo Stripe provider signs its notifications with
        a secret of this database only, drawn once (a secret published with
        the code would let anyone forge its notifications). A database made
        with the old fixed demo secret gets a new one."""
        provider = self.env.ref("payment.payment_provider_stripe", raise_if_not_found=False)
        if provider and provider.stripe_webhook_secret in (False, OLD_DEMO_WEBHOOK_SECRET):
            provider._paas_stripe_new_webhook_secret()

    # ------------------------------------------------------------------
    # Saving a card
    # ------------------------------------------------------------------
    def _paas_stripe_save_card(self, partner, stripe_payment_method):
        """Save the card ``stripe_payment_method`` (a Stripe PaymentMethod id
        collected by Stripe.js, or created server side in tests) for
        ``partner`` through a SetupIntent, and return its ``payment.token``.

        The token carries the Stripe customer (``provider_ref``) and payment
        method (``stripe_payment_method``), which is what ``payment_stripe``
        charges off-session, and the card's expiry.
        """
        self.ensure_one()
        if self.code != "stripe":
            raise UserError(self.env._("Only a Stripe provider can save a card through Stripe."))
        client = self._paas_stripe_client()
        try:
            customer = client.v1.customers.create(
                params={
                    "name": partner.name,
                    "email": partner.email or None,
                    "description": f"Odoo Partner: {partner.name} (id: {partner.id})",
                }
            )
            intent = client.v1.setup_intents.create(
                params={
                    "customer": customer.id,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                }
            )
            intent = client.v1.setup_intents.confirm(
                intent.id, params={"payment_method": stripe_payment_method}
            )
            if intent.status != "succeeded":
                raise UserError(
                    self.env._(
                        "The card needs the customer's authentication (%(status)s):"
                        " save it from the customer portal.",
                        status=intent.status,
                    )
                )
            method = client.v1.payment_methods.retrieve(stripe_payment_method)
            if not method.customer:
                # Stripe attaches it on success; localstripe leaves it to us.
                method = client.v1.payment_methods.attach(
                    stripe_payment_method, params={"customer": customer.id}
                )
        except stripe.CardError as error:
            raise UserError(
                self.env._("The card was declined: %(reason)s", reason=error.user_message)
            ) from error
        except stripe.APIConnectionError as error:
            raise UserError(
                self.env._("Stripe cannot be reached; try again in a moment.")
            ) from error
        except stripe.StripeError as error:
            raise UserError(
                self.env._("Stripe refused the card: %(reason)s", reason=error.user_message)
            ) from error
        card = method.card
        payment_method = self.env["payment.method"].sudo()._get_from_code("card")
        token = (
            self.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": self.id,
                    "payment_method_id": payment_method.id,
                    "partner_id": partner.id,
                    "payment_details": card.last4,
                    "provider_ref": customer.id,
                    "stripe_payment_method": method.id,
                    "paas_card_expiry": self.env["payment.token"]._paas_expiry_from_month(
                        card.exp_month, card.exp_year
                    ),
                }
            )
        )
        _logger.info("Saved card %s of partner %s as token %s", method.id, partner.id, token.id)
        return token
