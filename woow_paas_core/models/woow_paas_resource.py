from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .const import RESOURCE_CODE_RE


class WoowPaasResource(models.Model):
    """A countable resource (``users``, ``storage_mb``, ``api_calls``...).

    Quotas, metered usage and the API name resources by ``code``. Core ships
    the common ones as data; layers register theirs the same way (an XML
    record of this model), so no layer needs to know another one.
    """

    _name = "woow.paas.resource"
    _description = "PaaS Resource"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical name, e.g. storage_mb.")
    unit = fields.Char(translate=True, help="Unit shown next to limits, e.g. MB.")
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "A resource code must be unique.")

    @api.constrains("code")
    def _check_code(self):
        for resource in self:
            if not RESOURCE_CODE_RE.fullmatch(resource.code or ""):
                raise ValidationError(
                    self.env._(
                        "The resource code %(code)r is invalid: use lowercase "
                        "letters, digits and underscores, starting with a letter.",
                        code=resource.code,
                    )
                )

    @api.model
    def _get_by_code(self, code):
        """Return the resource named ``code`` (empty recordset if unknown)."""
        return self.with_context(active_test=False).search([("code", "=", code)], limit=1)
