from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.woow_paas_core.formatting import format_money, price_digits

from .const import PRICING_MODELS


def to_decimal(value):
    """Exact :class:`Decimal` of a number (a float through its shortest repr,
    so 0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value or 0)


class WoowPaasPlanMetric(models.Model):
    """The metered price of one metric on one plan.

    Usage up to ``included_quantity`` per period is free; the rest (the
    billable units) is priced by :meth:`_compute_amount`:

    - *flat*: every billable unit at ``unit_price``;
    - *graduated*: each tier prices its own slice of units (the first 1,000 at
      one price, the next ones at another), plus its flat amount when reached;
    - *volume*: the tier the total falls in prices every unit, plus its flat
      amount.
    """

    _name = "woow.paas.plan.metric"
    _description = "PaaS Metered Price"
    _order = "plan_id, sequence, id"
    _rec_names_search = ["metric_id", "plan_id"]

    plan_id = fields.Many2one("woow.paas.plan", required=True, index=True, ondelete="cascade")
    metric_id = fields.Many2one("woow.paas.metric", required=True, index=True, ondelete="restrict")
    sequence = fields.Integer(default=10)
    unit = fields.Char(related="metric_id.unit")
    metric_digits = fields.Integer(related="metric_id.digits")
    aggregation = fields.Selection(related="metric_id.aggregation")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    included_quantity = fields.Float(
        digits=(16, 6), default=0.0, help="Free units per billing period."
    )
    pricing_model = fields.Selection(PRICING_MODELS, required=True, default="flat")
    unit_price = fields.Float(
        digits=(16, 6), default=0.0, help="Price of one billable unit (flat pricing)."
    )
    tier_ids = fields.One2many(
        "woow.paas.plan.metric.tier", "plan_metric_id", string="Tiers", copy=True
    )
    tier_summary = fields.Char(compute="_compute_tier_summary", string="Price")

    _plan_metric_uniq = models.Constraint(
        "UNIQUE(plan_id, metric_id)", "A plan prices each metric only once."
    )
    _amounts_check = models.Constraint(
        "CHECK(included_quantity >= 0 AND unit_price >= 0)",
        "Included quantities and unit prices cannot be negative.",
    )

    @api.depends("metric_id", "plan_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.plan_id.name} / {line.metric_id.name}"

    @api.depends(
        "pricing_model", "unit_price", "currency_id", "tier_ids.unit_price", "tier_ids.up_to"
    )
    def _compute_tier_summary(self):
        labels = dict(self._fields["pricing_model"]._description_selection(self.env))
        for line in self:
            if line.pricing_model == "flat":
                line.tier_summary = self.env._(
                    "%(price)s per unit", price=line._paas_format_price(line.unit_price)
                )
            else:
                line.tier_summary = self.env._(
                    "%(model)s, %(count)s tiers",
                    model=labels[line.pricing_model],
                    count=len(line.tier_ids),
                )

    @api.constrains("pricing_model", "tier_ids")
    def _check_tiers(self):
        for line in self:
            if line.pricing_model != "flat" and not line.tier_ids:
                raise ValidationError(
                    self.env._(
                        "The %(model)s price of %(metric)s on plan %(plan)s needs at least "
                        "one tier.",
                        model=line.pricing_model,
                        metric=line.metric_id.name,
                        plan=line.plan_id.name,
                    )
                )

    def _tiers(self):
        """Tiers as ``[(up_to or None, unit_price, flat_amount)]`` in Decimal,
        ordered, the open-ended tier last."""
        self.ensure_one()
        tiers = sorted(self.tier_ids, key=lambda t: (not t.up_to, t.up_to))
        return [
            (to_decimal(t.up_to) if t.up_to else None, to_decimal(t.unit_price),
             to_decimal(t.flat_amount))
            for t in tiers
        ]  # fmt: skip

    def _compute_amount(self, quantity):
        """Return the exact, unrounded :class:`Decimal` price of ``quantity``
        units used over one period (round with :meth:`_round_amount`, once, at
        the end).

        Pure: reads only this line and its tiers. ``quantity`` is the
        period's aggregated usage (an int, float, str or Decimal).
        """
        self.ensure_one()
        billable = max(to_decimal(quantity) - to_decimal(self.included_quantity), Decimal(0))
        if not billable:
            return Decimal(0)
        if self.pricing_model == "flat" or not self.tier_ids:
            return billable * to_decimal(self.unit_price)
        tiers = self._tiers()
        if self.pricing_model == "volume":
            for up_to, price, flat in tiers:
                if up_to is None or billable <= up_to:
                    return billable * price + flat
            # Beyond the last bounded tier and no open tier: the last one applies.
            _up_to, price, flat = tiers[-1]
            return billable * price + flat
        amount = Decimal(0)
        floor = Decimal(0)
        for up_to, price, flat in tiers:
            ceiling = billable if up_to is None else min(billable, up_to)
            if ceiling > floor:
                amount += (ceiling - floor) * price + flat
            if up_to is None or billable <= up_to:
                return amount
            floor = up_to
        # Units beyond the last bounded tier keep its price.
        _up_to, price, _flat = tiers[-1]
        return amount + (billable - floor) * price

    def _invoice_parts(self, quantity):
        """The invoice lines of ``quantity`` units: ``[{"label", "amount"}]``
        with exact Decimal amounts adding up to :meth:`_compute_amount`; one
        per tier reached for graduated prices, one otherwise."""
        self.ensure_one()
        used = to_decimal(quantity)
        included = to_decimal(self.included_quantity)
        billable = max(used - included, Decimal(0))
        qty = self.metric_id._paas_format_quantity
        head = self.env._(
            "%(used)s used, %(included)s included",
            used=qty(used),
            included=qty(included, unit=False),
        )
        if not billable:
            return [{"label": head, "amount": Decimal(0)}]
        if self.pricing_model == "flat" or not self.tier_ids:
            return [{
                "label": self.env._("%(head)s, %(billable)s × %(price)s", head=head,
                                    billable=qty(billable, unit=False),
                                    price=self._paas_format_price(self.unit_price)),
                "amount": self._compute_amount(used),
            }]  # fmt: skip
        tiers = self._tiers()
        if self.pricing_model == "volume":
            index, (up_to, price, flat) = next(
                ((i, t) for i, t in enumerate(tiers) if t[0] is None or billable <= t[0]),
                (len(tiers) - 1, tiers[-1]),
            )
            return [{
                "label": self._paas_tier_label(head, index, qty(billable, unit=False), price, flat),
                "amount": billable * price + flat,
            }]  # fmt: skip
        parts = []
        floor = Decimal(0)
        for index, (up_to, price, flat) in enumerate(tiers):
            last = index == len(tiers) - 1
            ceiling = billable if up_to is None or last else min(billable, up_to)
            if ceiling <= floor:
                break
            units = ceiling - floor
            parts.append({
                "label": self._paas_tier_label(head, index, qty(units, unit=False), price, flat),
                "amount": units * price + flat,
            })  # fmt: skip
            floor = ceiling
        return parts

    def _paas_tier_label(self, head, index, units, price, flat):
        """The detail of one tier of an invoice line: "tier 2: 1,000 ×
        $ 0.0003", plus its flat amount when it has one."""
        values = {
            "head": head,
            "tier": index + 1,
            "units": units,
            "price": self._paas_format_price(price),
        }
        if flat:
            return self.env._(
                "%(head)s, tier %(tier)s: %(units)s × %(price)s + %(flat)s",
                flat=self._paas_format_price(flat),
                **values,
            )
        return self.env._("%(head)s, tier %(tier)s: %(units)s × %(price)s", **values)

    def _paas_format_price(self, price):
        """A unit price or flat amount in the plan's currency, with the
        decimals it has (a call at $ 0.0005), at least the currency's."""
        self.ensure_one()
        currency = self.currency_id
        minimum = currency.decimal_places if currency else 2
        return format_money(self.env, price, currency, digits=price_digits(price, minimum))

    def _round_amount(self, amount):
        """Round a :class:`Decimal` amount to the plan's currency (half up)."""
        self.ensure_one()
        step = to_decimal(self.currency_id.rounding or 0.01)
        return (to_decimal(amount) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step

    def _compute_price(self, quantity):
        """The price of ``quantity``, rounded to the currency."""
        return self._round_amount(self._compute_amount(quantity))
