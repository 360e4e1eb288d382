import hashlib
import hmac
import logging
import time

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.payment_stripe import utils as stripe_utils
from odoo.addons.payment_stripe.controllers.main import StripeController

_logger = logging.getLogger(__name__)


class WoowStripeController(StripeController):
    @http.route()
    def stripe_webhook(self):
        """Override of `payment_stripe`: check every notification's signature
        before anything else.

        ``payment_stripe`` answers 200 without checking when no transaction
        matches and skips the check when the provider has no webhook secret.
        Here a provider in production must have a secret (else its
        notifications are refused with a log line), and a notification that
        matches no transaction must still be signed by one of the active
        Stripe providers.
        """
        self._paas_check_notification()
        return super().stripe_webhook()

    def _paas_check_notification(self):
        providers = (
            request.env["payment.provider"]
            .sudo()
            .search([("code", "=", "stripe"), ("state", "in", ("enabled", "test"))])
        )
        secrets = [s for s in (stripe_utils.get_webhook_secret(p) for p in providers) if s]
        unsafe = providers.filtered(lambda p: p.state == "enabled" and not p.stripe_webhook_secret)
        if unsafe:
            _logger.warning(
                "Stripe notification refused: provider %s is in production without a webhook"
                " secret (set it on the provider).",
                ", ".join(unsafe.mapped("name")),
            )
            raise Forbidden()
        if not secrets:
            return  # Test mode without a secret: payment_stripe's own behaviour.
        header = request.httprequest.headers.get("Stripe-Signature", "")
        payload = request.httprequest.get_data()
        if not any(self._paas_signature_valid(header, payload, secret) for secret in secrets):
            _logger.warning("Stripe notification refused: missing, stale or wrong signature.")
            raise Forbidden()

    @classmethod
    def _paas_signature_valid(cls, header, payload, secret):
        """Stripe's scheme: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">``,
        within ``WEBHOOK_AGE_TOLERANCE`` seconds."""
        parts = {}
        for entry in header.split(","):
            key, _sep, value = entry.strip().partition("=")
            parts.setdefault(key, []).append(value)
        try:
            timestamp = int(parts.get("t", ["0"])[0])
        except ValueError:
            return False
        if not timestamp or abs(time.time() - timestamp) > cls.WEBHOOK_AGE_TOLERANCE:
            return False
        signed = str(timestamp).encode() + b"." + payload
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return any(hmac.compare_digest(expected, sig) for sig in parts.get("v1", []))
