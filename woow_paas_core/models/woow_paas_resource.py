from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..formatting import format_number, format_quantity, scale_bytes
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

    def _paas_format_quantity(self, value):
        """``value`` of this resource as customers read it: in their
        language, with the unit, byte units scaled (20,480 MB is "20 GB"),
        at most two decimals."""
        self.ensure_one()
        return format_quantity(self.env, value or 0.0, self.unit)

    def _paas_format_limit(self, limit):
        """A plan's or tenant's limit of this resource: "Unlimited" for
        ``None`` (no limit), "Not included" for 0 (nothing may be used),
        else the quantity with its unit."""
        self.ensure_one()
        if limit is None:
            return self.env._("Unlimited")
        if not limit:
            return self.env._("Not included")
        return self._paas_format_quantity(limit)

    def _paas_format_usage(self, usage, limit=None):
        """Usage against a limit, the unit said once when both share it:
        "85,000 / 100,000 calls / month", "512 MB / 20 GB"; the usage alone
        without a limit (``None``), said not included for a limit of 0."""
        self.ensure_one()
        if limit is None:
            return self._paas_format_quantity(usage)
        if not limit:
            return self.env._(
                "%(usage)s (not included in the plan)", usage=self._paas_format_quantity(usage)
            )
        used, used_unit = scale_bytes(usage or 0.0, self.unit)
        top, top_unit = scale_bytes(limit, self.unit)
        if used_unit != top_unit:
            return f"{self._paas_format_quantity(usage)} / {self._paas_format_quantity(limit)}"
        numbers = f"{format_number(self.env, used, 2, trim=True)} / "
        return numbers + format_quantity(self.env, top, top_unit)
