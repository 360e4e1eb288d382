from odoo import api, fields, models
from odoo.tools import SQL


class WoowPaasDashboard(models.AbstractModel):
    _inherit = "woow.paas.dashboard"

    @api.model
    def _paas_dashboard_providers(self):
        """Override of ``woow_paas_dashboard`` to add failed payments, the
        amount at risk and the usage by metric."""
        providers = super()._paas_dashboard_providers()
        providers.append(self._paas_payment_kpis)
        providers.append(self.env["woow.paas.dashboard.usage"]._paas_usage_kpis)
        return providers

    @api.model
    def _paas_refresh_snapshot(self, full=False):
        """Override of ``woow_paas_dashboard`` to refresh the usage per day too."""
        super()._paas_refresh_snapshot(full=full)
        self.env["woow.paas.dashboard.usage"]._paas_refresh_usage_snapshot(full=full)

    @api.model
    def _paas_payment_kpis(self, ctx):
        """Two cards from the event log, so that a past date reads as it was:

        - *Failed payments*: ``payment.failed`` events in the window (every
          failed attempt counts, retries included);
        - *Amount at risk*: at the window's end, the amount of the invoices
          with a failed payment before then and no ``invoice.paid`` before
          then, each at its currency's rate of that day.

        The plan filter reads the plan of the event (the subscription's plan
        when the payment failed). Two queries whatever the number of windows.
        """
        windows = ctx["windows"]
        plan_ids = ctx["plan_ids"]
        instants = {
            key: (self._paas_instant(start), self._paas_instant(end))
            for key, (start, end) in windows.items()
        }
        window_sql = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s::timestamp)", key, start, end)
            for key, (start, end) in instants.items()
        )
        scope = SQL(
            "ev.company_id = ANY(%s)%s",
            self.env.companies.ids,
            SQL(" AND ev.plan_id = ANY(%s)", plan_ids) if plan_ids else SQL(""),
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT w.k, COUNT(ev.id)
                  FROM (VALUES %(windows)s) w(k, s, e)
                  LEFT JOIN woow_paas_event ev
                    ON ev.event_type = 'payment.failed' AND ev.occurred_at >= w.s
                   AND ev.occurred_at < w.e AND %(scope)s
                 GROUP BY w.k
                """,
                windows=window_sql,
                scope=scope,
            )
        )
        failed = dict(cr.fetchall())
        cr.execute(
            SQL(
                """
                WITH fails AS (
                    SELECT ev.res_id, MIN(ev.occurred_at) AS first_at,
                           (array_agg(ev.payload->>'amount' ORDER BY ev.occurred_at DESC))[1]
                               AS amount,
                           (array_agg(ev.payload->>'currency' ORDER BY ev.occurred_at DESC))[1]
                               AS currency
                      FROM woow_paas_event ev
                     WHERE ev.event_type = 'payment.failed' AND ev.res_model = 'account.move'
                       AND %(scope)s
                     GROUP BY ev.res_id
                ),
                paid AS (
                    SELECT ev.res_id, MIN(ev.occurred_at) AS paid_at
                      FROM woow_paas_event ev
                     WHERE ev.event_type = 'invoice.paid' AND ev.res_model = 'account.move'
                       AND ev.res_id IN (SELECT res_id FROM fails)
                     GROUP BY ev.res_id
                )
                SELECT w.k, f.currency, SUM(f.amount::numeric),
                       array_agg(f.res_id) FILTER (WHERE w.k = 'cur')
                  FROM (VALUES %(windows)s) w(k, s, e)
                  JOIN fails f ON f.first_at < w.e
                  LEFT JOIN paid p ON p.res_id = f.res_id
                 WHERE p.paid_at IS NULL OR p.paid_at >= w.e
                 GROUP BY w.k, f.currency
                """,
                windows=window_sql,
                scope=scope,
            )
        )
        rows = cr.fetchall()
        names = {currency for _key, currency, _amount, _ids in rows}
        Currency = self.env["res.currency"].with_context(active_test=False)
        extra = Currency.search([("name", "in", list(names))]) if names else Currency
        tables = ctx.get("tables") or {}
        if extra - self.env["res.currency"].union(*tables):
            tables = self._paas_rate_tables(extra)
        tables = {currency.name: table for currency, table in tables.items()}
        at_risk = dict.fromkeys(windows, 0.0)
        at_risk_ids = []
        for key, currency, amount, ids in rows:
            # A stock at the window's end, converted at the rate of its last day.
            day = fields.Date.subtract(windows[key][1], days=1)
            table = tables.get(currency)
            rate = self._paas_rate_at(table, day) if table else 1.0
            at_risk[key] += float(amount or 0) * rate
            at_risk_ids.extend(ids or [])
        months = [key for key in windows if key.startswith("m")]
        start, end = instants["cur"]
        return [
            {
                "key": "failed_payments",
                "label": self.env._("Failed payments"),
                "help": self.env._("Payment attempts that failed in the period, retries included"),
                "format": "integer",
                "higher_is_better": False,
                "value": failed.get("cur", 0),
                "previous": failed.get("prev", 0),
                "trend": [failed.get(m, 0) for m in months],
                "drill": {
                    "res_model": "woow.paas.event",
                    "domain": [
                        ("event_type", "=", "payment.failed"),
                        ("occurred_at", ">=", fields.Datetime.to_string(start)),
                        ("occurred_at", "<", fields.Datetime.to_string(end)),
                        *([("plan_id", "in", plan_ids)] if plan_ids else []),
                    ],
                },
            },
            {
                "key": "amount_at_risk",
                "label": self.env._("Amount at risk"),
                "help": self.env._(
                    "Invoices with a failed payment not paid by the end of the period"
                ),
                "format": "monetary",
                "higher_is_better": False,
                "value": self._paas_round(at_risk["cur"]),
                "previous": self._paas_round(at_risk["prev"]),
                "trend": [self._paas_round(at_risk[m]) for m in months],
                "drill": {
                    "res_model": "account.move",
                    "ids": sorted(set(at_risk_ids)),
                    # Billing's list of subscription invoices: customer, amount
                    # due, payment status.
                    "list_view_id": self.env.ref("woow_paas_billing.account_move_view_list").id,
                    "context": {"default_move_type": "out_invoice", "create": False},
                },
            },
        ]
