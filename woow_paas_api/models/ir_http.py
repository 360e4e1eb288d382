import werkzeug.routing

from odoo import models


class AnyPathConverter(werkzeug.routing.PathConverter):
    """Like ``path``, but also across newlines and other control characters,
    so that the API's catch-all answers problem+json for any unknown path."""

    regex = r"[\s\S]*?"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_converters(cls):
        return dict(super()._get_converters(), woow_anypath=AnyPathConverter)
