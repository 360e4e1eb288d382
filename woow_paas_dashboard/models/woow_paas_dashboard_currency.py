import bisect
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class WoowPaasDashboardCurrency(models.AbstractModel):
    """The currency of the dashboard's figures and Odoo's rates of each day
    (a mixin of ``woow.paas.dashboard``)."""

    _name = "woow.paas.dashboard.currency"
    _description = "PaaS Dashboard: Currencies"

    @api.model
    def _paas_parse_currency(self, currency_id):
        """The currency of the figures: ``currency_id`` (an active currency)
        or the company's."""
        if not currency_id:
            return self.env.company.currency_id
        if not isinstance(currency_id, int) or isinstance(currency_id, bool):
            raise UserError(self.env._("The currency is given by its id."))
        currency = self.env["res.currency"].browse(currency_id).exists()
        if not currency or not currency.active:
            raise UserError(
                self.env._("Choose an active currency: activate it in the accounting settings.")
            )
        return currency

    @api.model
    def _paas_currency(self):
        """The currency the figures are shown in (see :meth:`get_dashboard`)."""
        currency_id = self.env.context.get("paas_dashboard_currency_id")
        return (
            self.env["res.currency"].browse(currency_id)
            if currency_id
            else self.env.company.currency_id
        )

    @api.model
    def _paas_currency_rates(self, day=None, tables=None):
        """``[(currency_id, rate to the dashboard's currency, digits)]`` for the
        currencies of the subscriptions, at ``day`` (default today), from
        ``tables`` (:meth:`_paas_rate_tables`, read when not given)."""
        day = fields.Date.to_date(day) or fields.Date.context_today(self)
        return [
            (currency.id, self._paas_rate_at(table, day), currency.decimal_places)
            for currency, table in (tables or self._paas_rate_tables()).items()
        ]

    @api.model
    def _paas_rate_tables(self, extra_currencies=None):
        """``{currency: (days, rates)}`` for the dashboard's currency
        (:meth:`_paas_currency`) and those of the subscriptions (and
        ``extra_currencies``): the rate to the dashboard's currency is
        ``rates[0]`` before ``days[0]`` and ``rates[i + 1]`` from ``days[i]`` on.

        Odoo's rule (``res.currency._get_rates``), read in one query for
        every day: the latest rate on or before the day, the company's own
        rates (of its root company) before the shared ones; else the
        earliest rate; else 1. The conversion is the target currency's
        rate over the currency's rate."""
        company = self.env.company
        target = self._paas_currency()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT currency_id FROM woow_paas_subscription"
                " WHERE company_id = ANY(%s) AND currency_id IS NOT NULL",
                self.env.companies.ids,
            )
        )
        currencies = (
            target
            | self.env["res.currency"].browse([cid for (cid,) in self.env.cr.fetchall()])
            | (extra_currencies or self.env["res.currency"])
        )
        # Per currency, the company's own rates then the shared ones: (days, rates).
        history = {cid: (([], []), ([], [])) for cid in currencies.ids}
        if len(currencies) > 1:
            self.env.cr.execute(
                SQL(
                    "SELECT currency_id, company_id IS NOT NULL, name, rate"
                    " FROM res_currency_rate WHERE currency_id = ANY(%s)"
                    " AND (company_id IS NULL OR company_id = %s) ORDER BY name",
                    currencies.ids,
                    company.root_id.id,
                )
            )
            for cid, own, day, rate in self.env.cr.fetchall():
                days, rates = history[cid][0 if own else 1]
                days.append(day)
                rates.append(rate)

        def rate_at(cid, day):
            for days, rates in history[cid]:
                index = bisect.bisect_right(days, day)
                if index:
                    return rates[index - 1]
            for _days, rates in history[cid]:
                if rates:
                    return rates[0]
            return 1.0

        tables = {}
        for currency in currencies:
            if currency == target:
                tables[currency] = ([], [1.0])
                continue
            changes = sorted(
                {
                    day
                    for cid in (currency.id, target.id)
                    for days, _rates in history[cid]
                    for day in days
                }
            )
            days = []
            rates = [rate_at(target.id, date.min) / rate_at(currency.id, date.min)]
            for day in changes:
                rate = rate_at(target.id, day) / rate_at(currency.id, day)
                if rate != rates[-1]:
                    days.append(day)
                    rates.append(rate)
            tables[currency] = (days, rates)
        return tables

    @api.model
    def _paas_rate_at(self, table, day):
        """The rate of ``table`` (see :meth:`_paas_rate_tables`) on ``day``."""
        days, rates = table
        return rates[bisect.bisect_right(days, day)]

    @api.model
    def _paas_round(self, amount):
        return self._paas_currency().round(float(amount or 0))
