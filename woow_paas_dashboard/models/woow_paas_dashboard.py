from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .const import KPIS, MOVEMENTS, RETENTION_PARTS, _ratio


class WoowPaasDashboard(models.AbstractModel):
    """The figures of the PaaS dashboard, computed in SQL from subscriptions,
    tenants and the event log (see :meth:`get_dashboard`)."""

    _name = "woow.paas.dashboard"
    _inherit = [
        "woow.paas.dashboard.compute",
        "woow.paas.dashboard.currency",
        "woow.paas.dashboard.chart",
        "woow.paas.dashboard.forecast",
    ]
    _description = "PaaS Dashboard"

    @api.model
    def get_dashboard(self, date_from, date_to, plan_ids=None, currency_id=None):
        """Return the dashboard's figures for ``date_from``..``date_to``
        (dates, both included) as JSON-ready data, for PaaS users.

        Each KPI has its value, its value over the previous period of the
        same length, a trend of one point per month for the twelve months
        ending with ``date_to``'s month, and the records behind it
        (``drill``: the model, and the key to give :meth:`get_kpi_records`).
        ``plan_ids`` narrows every figure to subscriptions on those plans at
        the time. Amounts are in
        ``currency_id`` (an active currency; the company's by default),
        converted with Odoo's rates of each date. Other addons add figures
        through :meth:`_paas_dashboard_providers`.
        """
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        period = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        currency = self._paas_parse_currency(currency_id)
        # Rates, rounding and the providers' amounts follow the chosen currency.
        return self.with_context(paas_dashboard_currency_id=currency.id)._paas_dashboard_data(
            period, plan_ids, currency
        )

    @api.model
    def _paas_dashboard_data(self, period, plan_ids, currency):
        """The data of :meth:`get_dashboard`, its arguments checked."""
        windows = self._paas_windows(*period)
        today = fields.Date.context_today(self)
        tables = self._paas_rate_tables()
        # The forecast's year (trial conversion) and today (the base) need
        # no retention figures.
        rows = self._paas_compute(
            {**windows, **self._paas_forecast_windows(today)},
            plan_ids,
            tables,
            no_retention=("fyear", "now"),
        )
        for row in rows.values():
            row["fx_mrr"] = row["mrr"] - row["mrr_start"] - (
                row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"]
                - row["contraction_mrr"] - row["churned_mrr"]
            )  # fmt: skip
        cur, prev = rows["cur"], rows["prev"]
        months = [key for key in windows if key.startswith("m")]
        kpis = []
        for key, fmt, higher_is_better, model, _ids_column in KPIS:
            kpis.append(
                {
                    "key": key,
                    "format": fmt,
                    "higher_is_better": higher_is_better,
                    "value": self._paas_kpi(key, cur),
                    "previous": self._paas_kpi(key, prev),
                    "trend": [self._paas_kpi(key, rows[m]) for m in months],
                    # The records are read when the card is opened (get_kpi_records).
                    "drill": {"res_model": model, "kpi": key},
                }
            )
            if key in ("nrr", "grr", "revenue_churn"):
                kpis[-1]["parts"] = {part: self._paas_round(cur[part]) for part in RETENTION_PARTS}
        ctx = {"windows": windows, "plan_ids": plan_ids, "rows": rows, "tables": tables}
        for provider in self._paas_dashboard_providers():
            kpis.extend(provider(ctx))
        return {
            "date_from": fields.Date.to_string(period[0]),
            "date_to": fields.Date.to_string(period[1]),
            # False only before any subscription started: the dashboard says
            # so; a period before the first one shows its cards at zero.
            "has_subscriptions": self._paas_has_subscriptions(),
            "previous_from": fields.Date.to_string(windows["prev"][0]),
            "previous_to": fields.Date.to_string(windows["prev"][1] - relativedelta(days=1)),
            "currency": {
                "id": currency.id,
                "name": currency.name,
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "months": [fields.Date.to_string(windows[m][0]) for m in months],
            "movements": {
                name: [self._paas_round(rows[m][name]) for m in months] for name in MOVEMENTS
            },
            "charts": self._paas_charts(rows, months),
            "currencies": self.env["res.currency"].search_read([], ["name", "symbol"]),
            "plans": self.env["woow.paas.plan"]
            .with_context(active_test=False)
            .search_read([("company_id", "in", [False, *self.env.companies.ids])], ["name"]),
            "kpis": kpis,
            "forecast": self._paas_forecast(rows, plan_ids, today, tables),
        }

    @api.model
    def _paas_has_subscriptions(self):
        """Whether a subscription of the companies ever left draft (one
        indexed probe)."""
        return bool(
            self.env["woow.paas.subscription"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("state", "!=", "draft"), ("company_id", "in", self.env.companies.ids)], limit=1
            )
        )

    @api.model
    def get_kpi_records(self, key, date_from, date_to, plan_ids=None):
        """The records behind the value of the dashboard's card ``key`` over
        ``date_from``..``date_to``, for PaaS users: ``{"res_model", "ids"}``
        (see ``KPIS`` and the README for which records each card names)."""
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        start, end = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        kpi = next((kpi for kpi in KPIS if kpi[0] == key), None)
        if not kpi:
            raise UserError(self.env._("Unknown dashboard figure."))
        _key, _fmt, _higher, model, ids_column = kpi
        window = {"cur": (start, end + relativedelta(days=1))}
        row = self._paas_compute(window, plan_ids, with_ids=True)["cur"]
        row["revenue_churn_ids"] = set(row["lost_customer_ids"] or []) | set(
            row["contracted_ids"] or []
        )
        return {"res_model": model, "ids": sorted(row[ids_column] or [])}

    @api.model
    def _paas_dashboard_providers(self):
        """Hook: return the callables that add figures to the dashboard.

        Override to append your own and return the list (``super()`` first).
        Each callable takes a dict ``{"windows", "plan_ids", "rows", "tables"}``:
        ``windows`` maps ``"cur"`` (the period), ``"prev"`` (the previous
        one) and ``"m0"``..``"m11"`` (the trend months) to ``(start, end)``
        dates, the end excluded; ``plan_ids`` is the plan filter (or
        ``None``); ``rows`` holds the core figures per window; ``tables``
        the rates of the subscriptions' currencies to the dashboard's
        (:meth:`_paas_rate_tables`). It returns a
        list of KPI dicts shaped like the core ones: ``key``, ``label``
        (translated), ``format`` (``monetary``, ``integer``, ``percent`` or
        ``number``; a ``number`` may say its ``digits``, 2 by default),
        ``higher_is_better``, ``value``, ``previous``,
        ``trend`` (one value per trend month) and ``drill``
        (``{"res_model", "ids"}`` or ``{"res_model", "domain"}``). ``tables``
        are the rates of the subscriptions' currencies to the dashboard's
        (:meth:`_paas_rate_tables`), for amounts to convert.
        Providers should compute every window in one query.
        """
        return []

    @api.model
    def _paas_kpi(self, key, row):
        """The value of KPI ``key`` from one window's figures."""
        if key == "mrr":
            return self._paas_round(row["mrr"])
        if key == "arr":
            return self._paas_round(row["mrr"] * 12)
        if key in ("new_mrr", "churned_mrr"):
            return self._paas_round(row[key])
        if key == "nrr":
            return _ratio(row["retained_mrr"], row["mrr_start"])
        if key == "grr":
            return _ratio(
                row["mrr_start"] - row["base_churned_mrr"] - row["base_contraction_mrr"],
                row["mrr_start"],
            )
        if key == "arpu":
            ratio = _ratio(row["mrr"], row["customers"])
            return None if ratio is None else self._paas_round(ratio)
        if key == "trial_conversion":
            return _ratio(row["trials_converted"], row["trials_ended"])
        if key == "logo_churn":
            return _ratio(row["customers_lost"], row["customers_start"])
        if key == "revenue_churn":
            return _ratio(row["base_churned_mrr"] + row["base_contraction_mrr"], row["mrr_start"])
        return int(row[key])
