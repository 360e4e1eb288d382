from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.woow_paas_core.models.const import RESOURCE_CODE_RE

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class WoowPaasConfigKey(models.Model):
    """A typed per-tenant setting, declared as data by any addon.

    An addon ships its keys as XML records (``code``, ``value_type``, default
    value, for selections the allowed values); a plan may give another default
    and a tenant may override it. Code reads the effective value with
    ``tenant._paas_get_config(code)``. Values are stored as text and checked
    against the type wherever they are set.
    """

    _name = "woow.paas.config.key"
    _description = "PaaS Configuration Key"
    _order = "sequence, code"
    _rec_name = "code"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical name, e.g. max_projects.")
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    value_type = fields.Selection(
        [
            ("boolean", "Boolean"),
            ("integer", "Integer"),
            ("text", "Text"),
            ("selection", "Selection"),
        ],
        string="Type",
        required=True,
        default="text",
    )
    selection_values = fields.Char(
        help="For a selection: the allowed values, separated by commas (e.g. light,dark)."
    )
    default_value = fields.Char(help="Used when neither the plan nor the tenant sets a value.")
    customer_editable = fields.Boolean(
        string="Customers May Change",
        help="Customers change this setting for their own tenants (in the portal); "
        "otherwise only the platform's staff do.",
    )
    plan_value_ids = fields.One2many(
        "woow.paas.config.plan.value", "key_id", string="Plan Defaults"
    )

    _code_uniq = models.Constraint("UNIQUE(code)", "A configuration key code must be unique.")

    @api.constrains("code")
    def _check_code(self):
        for key in self:
            if not RESOURCE_CODE_RE.fullmatch(key.code or ""):
                raise ValidationError(
                    self.env._(
                        "The configuration key code %(code)r is invalid: use lowercase "
                        "letters, digits and underscores, starting with a letter.",
                        code=key.code,
                    )
                )

    @api.constrains("value_type", "selection_values", "default_value")
    def _check_default_value(self):
        for key in self:
            if key.value_type == "selection" and not key._paas_options():
                raise ValidationError(
                    self.env._("Selection key %(key)s needs its allowed values.", key=key.code)
                )
            if key.default_value not in (False, ""):
                key._paas_parse(key.default_value)

    def _paas_options(self):
        self.ensure_one()
        return [v.strip() for v in (self.selection_values or "").split(",") if v.strip()]

    def _paas_parse(self, raw):
        """Return ``raw`` (text) converted to the key's type, or raise a
        ValidationError saying what is expected. ``False``/``None`` mean unset."""
        self.ensure_one()
        if raw is None or raw is False:
            return None
        text = str(raw).strip()
        kind = self.value_type
        if kind == "boolean":
            if text.lower() in TRUE_VALUES:
                return True
            if text.lower() in FALSE_VALUES:
                return False
            expected = self.env._("true or false")
        elif kind == "integer":
            try:
                return int(text)
            except ValueError:
                expected = self.env._("a whole number")
        elif kind == "selection":
            options = self._paas_options()
            if text in options:
                return text
            expected = self.env._("one of %s", ", ".join(options))
        else:
            return str(raw)
        raise ValidationError(
            self.env._(
                "%(value)r is not a valid value for %(key)s (%(type)s): expected %(expected)s.",
                value=str(raw),
                key=self.code,
                type=dict(self._fields["value_type"]._description_selection(self.env))[kind],
                expected=expected,
            )
        )

    @api.model
    def _paas_format(self, value):
        """Python value → the stored text."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
