"""Exceptions of the billing layer that bridges may raise."""


class PaasProviderUnavailable(Exception):
    """The payment provider could not be reached (connection refused, time
    out): nothing was charged, the charge is to be tried again later rather
    than counted as a failed payment."""
