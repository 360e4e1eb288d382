from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .const import FORECAST_MONTHS, _ratio


class WoowPaasDashboardForecast(models.AbstractModel):
    """The dashboard's forecast: MRR of the next months, quotas and expansion
    candidates (a mixin of ``woow.paas.dashboard``)."""

    _name = "woow.paas.dashboard.forecast"
    _description = "PaaS Dashboard: Forecast"

    @api.model
    def _paas_dashboard_quotas(self, plan_ids, limit=10):
        """Hook: the tenants' quota lines nearest their limit, for the forecast.

        Override (``super()`` first, then extend) where quota data exists;
        return ``{"lines": [...], "saturated_subscription_ids": [...]}``:
        ``lines`` are at most ``limit`` dicts ``{"tenant_id", "tenant",
        "resource", "usage", "limit", "ratio", "runs_out"}`` (``runs_out`` an
        ISO date, or ``None`` when the current trend never reaches the
        limit), nearest first, and may carry ``usage_text`` (usage and limit
        with their unit, as the reader writes numbers); ``saturated_subscription_ids`` are the
        subscriptions with a tenant at 80 % of a limit or more, which the
        expansion candidates put first. ``saturation`` (optional) is the
        quota saturation chart: ``[{"key", "label", "count"}]``, whose
        segments :meth:`_paas_chart_records` opens (chart ``saturation``).
        ``plan_ids`` is the plan filter.
        """
        return {"lines": [], "saturated_subscription_ids": [], "saturation": []}

    @api.model
    def _paas_forecast_windows(self, today):
        """The windows the forecast reads, computed in the dashboard's
        statement: the last three full months (churn trend), the last twelve
        (trial conversion) and today (the current base)."""
        first = date(today.year, today.month, 1)
        windows = {}
        for index in range(1, FORECAST_MONTHS + 1):
            start = first - relativedelta(months=index)
            windows[f"f{index}"] = (start, start + relativedelta(months=1))
        windows["fyear"] = (first - relativedelta(months=12), first)
        windows["now"] = (today, today + relativedelta(days=1))
        return windows

    @api.model
    def _paas_forecast(self, rows, plan_ids, today, tables=None):
        """MRR for the next three months, the quotas nearest their limit and
        the largest expansion candidates (see the README for definitions)."""
        base = rows["now"]["mrr"]
        rates = [
            self._paas_kpi("revenue_churn", rows[f"f{i}"])
            for i in range(1, FORECAST_MONTHS + 1)
            if rows[f"f{i}"]["mrr_start"]
        ]
        churn = sum(rates) / len(rates) if rates else 0.0
        year = rows["fyear"]
        conversion = _ratio(year["trials_converted"], year["trials_ended"]) or 0.0
        rates_by_currency = {
            cid: rate for cid, rate, _digits in self._paas_currency_rates(today, tables)
        }
        domain = [("state", "=", "trial"), ("company_id", "in", self.env.companies.ids)]
        if plan_ids:
            domain.append(("plan_id", "in", plan_ids))
        trials = (
            self.env["woow.paas.subscription"]
            .sudo()
            .search_read(domain, ["recurring_monthly", "currency_id", "trial_end_date"])
        )
        points = []
        value = float(base)
        previous_day = None
        trial_mrr = 0.0
        for index in range(1, FORECAST_MONTHS + 1):
            day = today + relativedelta(months=index)
            converting = sum(
                trial["recurring_monthly"]
                * float(rates_by_currency.get(trial["currency_id"][0], 0))
                for trial in trials
                if trial["currency_id"]
                and (
                    not trial["trial_end_date"]
                    or trial["trial_end_date"] <= day
                    and (previous_day is None or trial["trial_end_date"] > previous_day)
                )
            )
            trial_mrr += converting
            value = value * (1 - churn) + conversion * converting
            points.append({"date": fields.Date.to_string(day), "mrr": self._paas_round(value)})
            previous_day = day
        quotas = self._paas_dashboard_quotas(plan_ids, limit=10)
        paying = [("state", "in", list(SUBSCRIPTION_PAYING))]
        return {
            "base_mrr": self._paas_round(base),
            "churn_rate": churn,
            "trial_conversion": conversion,
            "trial_mrr": self._paas_round(trial_mrr),
            "points": points,
            "drill": {
                "base": {"res_model": "woow.paas.subscription", "domain": paying},
                "trials": {
                    "res_model": "woow.paas.subscription",
                    "domain": [("state", "=", "trial")],
                },
            },
            "quotas": quotas["lines"],
            "saturation": quotas.get("saturation", []),
            "expansion": self._paas_expansion_candidates(
                plan_ids, quotas["saturated_subscription_ids"], rates_by_currency
            ),
        }

    @api.model
    def _paas_expansion_candidates(self, plan_ids, saturated_ids, rates, limit=10):
        """The paying subscriptions with the largest expansion MRR: the move to
        the cheapest dearer plan of the same currency and interval, those
        with a tenant near a quota first. One query, whose cost does not grow
        with the number of subscriptions beyond one scan."""
        self.env.cr.execute(
            SQL(
                """
                WITH paying AS (
                    SELECT s.id, s.price, s.billing_interval, s.currency_id, s.company_id
                      FROM woow_paas_subscription s
                     WHERE s.state = ANY(%(paying)s) AND s.company_id = ANY(%(companies)s)
                       AND %(plan_filter)s
                ), nxt AS MATERIALIZED (
                    -- The next plan per price, currency, interval and company: a
                    -- handful of lookups rather than one per subscription.
                    SELECT k.*, n.id AS plan_id, n.price AS next_price
                      FROM (SELECT DISTINCT price, billing_interval, currency_id, company_id
                              FROM paying) k
                     CROSS JOIN LATERAL (
                           SELECT p.id, p.price FROM woow_paas_plan p
                            WHERE p.active AND p.price > k.price
                              AND COALESCE(p.currency_id, k.currency_id) = k.currency_id
                              AND COALESCE(p.billing_interval, 'month') = k.billing_interval
                              AND (p.company_id IS NULL OR p.company_id = k.company_id)
                            ORDER BY p.price, p.id LIMIT 1) n
                ), ranked AS MATERIALIZED (
                    SELECT nxt.*,
                           (nxt.next_price - nxt.price)
                           / CASE WHEN nxt.billing_interval = 'year' THEN 12 ELSE 1 END
                           * cur.rate AS gain
                      FROM nxt JOIN (VALUES %(currencies)s) cur(currency_id, rate)
                        USING (currency_id)
                )
                -- A group's gain is that of each of its subscriptions: the
                -- subscriptions near a quota, then the first ones (by id) of
                -- each group, rather than a sort of every paying subscription.
                SELECT id, plan_id, gain FROM (
                    SELECT s.id, r.plan_id, r.gain, r.price, TRUE AS near
                      FROM woow_paas_subscription s
                      JOIN ranked r USING (price, billing_interval, currency_id, company_id)
                     WHERE s.id = ANY(%(saturated)s) AND s.state = ANY(%(paying)s)
                       AND %(plan_filter)s
                    UNION ALL
                    SELECT f.id, r.plan_id, r.gain, r.price, FALSE
                      FROM ranked r
                     CROSS JOIN LATERAL (
                           SELECT s.id FROM woow_paas_subscription s
                            WHERE s.state = ANY(%(paying)s) AND %(plan_filter)s
                              AND s.price = r.price AND s.billing_interval = r.billing_interval
                              AND s.currency_id = r.currency_id AND s.company_id = r.company_id
                              AND NOT s.id = ANY(%(saturated)s)
                            ORDER BY s.id LIMIT %(limit)s) f
                ) candidates
                 ORDER BY near DESC, gain DESC, price DESC, id
                 LIMIT %(limit)s
                """,
                currencies=SQL(", ").join(
                    SQL("(%s, %s::numeric)", cid, rate) for cid, rate in rates.items()
                ),
                paying=list(SUBSCRIPTION_PAYING),
                companies=self.env.companies.ids,
                plan_filter=SQL("s.plan_id = ANY(%s)", plan_ids) if plan_ids else SQL("TRUE"),
                saturated=list(saturated_ids),
                limit=limit,
            )
        )
        found = self.env.cr.fetchall()
        subs = self.env["woow.paas.subscription"].sudo().browse([row[0] for row in found])
        plans = self.env["woow.paas.plan"].sudo().browse([row[1] for row in found])
        saturated = set(saturated_ids)
        return [
            {
                "subscription_id": sub.id,
                "name": sub.display_name,
                "customer": sub.commercial_partner_id.display_name,
                "plan": sub.plan_id.display_name,
                "next_plan": plan.display_name,
                "expansion_mrr": self._paas_round(gain),
                "near_quota": sub.id in saturated,
            }
            for sub, plan, (_sid, _pid, gain) in zip(subs, plans, found, strict=True)
        ]
