"""/my/usage and its CSV export: a subscription's usage per period, metric
and day, as billing counts it."""

import csv
import io
import math
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from werkzeug.exceptions import BadRequest, NotFound

from odoo import _, fields, http
from odoo.fields import Domain
from odoo.http import content_disposition, request
from odoo.tools import format_date

from odoo.addons.woow_paas_core.formatting import format_number
from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_RUNNING
from odoo.addons.woow_paas_portal.controllers.portal import WoowPaasCustomerPortal

from .portal import CHART_DATES, CHART_HEIGHT, CHART_TICKS, USAGE_PERIODS, _nice_step, _to_int


class WoowPaasUsagePortal(WoowPaasCustomerPortal):
    """/my/usage: the period's totals per metric (billing's figures), a
    chart and the days of the chosen metric."""

    # ------------------------------------------------------------------
    # Usage
    # ------------------------------------------------------------------
    def _paas_usage_periods(self, subscription):
        """``[(start, end)]``, newest first: the current billing period (the
        trial for a trial) and up to ``USAGE_PERIODS`` before it, not before
        the subscription started."""
        today = fields.Date.context_today(subscription)
        if subscription.current_period_start:
            start, end = subscription.current_period_start, subscription.current_period_end
        else:
            start = subscription.date_start or today.replace(day=1)
            end = subscription.trial_end_date or start + relativedelta(months=1)
        first = min(subscription.date_start or start, start)
        step = relativedelta(months=12 if subscription.billing_interval == "year" else 1)
        periods = [(start, end)]
        while len(periods) <= USAGE_PERIODS and start > first:
            start, end = max(start - step, first), start
            periods.append((start, end))
        return periods

    def _paas_usage_values(self, subscription_id=None, period=None, metric_id=None,
                           all_days=False):  # fmt: skip
        """Everything /my/usage and its CSV show, in a bounded number of
        queries: the subscriptions (one page), the chosen one's tenants, the
        events per metric and day (one grouped read), and the period figure
        of each metric with the figure of each day of the chosen metric (of
        every metric with ``all_days``), all from billing's aggregator
        (``woow.paas.metric._paas_aggregate``)."""
        subscription_id, metric_id = _to_int(subscription_id), _to_int(metric_id)
        Subscription = request.env["woow.paas.subscription"]
        subscriptions = Subscription.search(
            self._paas_subscriptions_domain(), order="state, id desc", limit=100
        )
        if subscription_id:
            subscription = subscriptions.filtered(lambda s: s.id == subscription_id)
            if not subscription:
                subscription = Subscription.search(
                    Domain(self._paas_subscriptions_domain()) & Domain("id", "=", subscription_id)
                )
            if not subscription:
                raise NotFound()
        else:
            running = subscriptions.filtered(lambda s: s.state in SUBSCRIPTION_RUNNING)
            subscription = (running or subscriptions)[:1]
        values = {
            "page_name": "paas_usage",
            "subscriptions": subscriptions,
            "subscription": subscription,
            "periods": [],
            "period": False,
            "metrics": [],
            "metric": False,
            "days": [],
        }
        if not subscription:
            return values
        periods = self._paas_usage_periods(subscription)
        chosen = periods[0]
        if period:
            try:
                start = date.fromisoformat(period)
            except ValueError as error:
                raise BadRequest(_("Not a valid period: %s", period)) from error
            # A period of another subscription (the form keeps the period
            # shown when the customer picks another subscription): the
            # chosen subscription's current period.
            chosen = next((p for p in periods if p[0] == start), chosen)
        start, end = chosen
        tenants = (
            request.env["woow.paas.tenant"]
            .with_context(active_test=False)
            .search([("subscription_id", "=", subscription.id)])
        )
        events = {}
        for metric, day, count in request.env["woow.paas.usage.rollup"]._read_group(
            [("tenant_id", "in", tenants.ids), ("day", ">=", start), ("day", "<", end)],
            ["metric_id", "day:day"],
            ["event_count:sum"],
        ):
            if isinstance(day, str):
                day = date.fromisoformat(day)
            events[metric.id, day] = count
        sub = subscription.sudo()
        Metric = request.env["woow.paas.metric"]
        metrics = sub.plan_id.metric_price_ids.metric_id | Metric.browse(
            {mid for mid, _day in events}
        )
        metrics = metrics.sorted(lambda m: (m.name or "", m.id))
        # A metric the period has not (one of another subscription, kept by
        # the form like the period): the first one.
        selected = metrics.filtered(lambda m: m.id == metric_id)[:1] or metrics[:1]
        today = fields.Date.context_today(sub)
        period_days = []
        day = start
        while day < end and day <= today:
            period_days.append(day)
            day += timedelta(days=1)
        # The period's figure of each metric and the figure of each day, by
        # the same rules (billing's aggregator), in one call.
        usage = Metric._paas_aggregate(
            [(("total", metric.id), metric, tenants.ids, start, end) for metric in metrics]
            + [
                ((metric.id, day), metric, tenants.ids, day, day + timedelta(days=1))
                for metric in (metrics if all_days else selected)
                for day in period_days
            ]
        )
        daily = {
            metric: {
                day: {
                    "value": float(usage[metric.id, day]),
                    "events": events.get((metric.id, day), 0),
                }
                for day in period_days
            }
            for metric in (metrics if all_days else selected)
        }
        metric_rows = [
            {
                "metric": metric,
                "aggregation": metric._paas_customer_aggregation(),
                "total": float(usage["total", metric.id]),
                "billable": metric in sub.plan_id.metric_price_ids.metric_id,
            }
            for metric in metrics
        ]
        days = [
            {
                "day": day,
                "label": format_date(request.env, day),
                "value": figures["value"],
                "text": selected._paas_format_quantity(figures["value"]),
                "events": figures["events"],
            }
            for day, figures in daily.get(selected, {}).items()
        ]
        values.update(
            {
                "periods": periods,
                "period": chosen,
                "metrics": metric_rows,
                "period_labels": {
                    p: _(
                        "%(start)s – %(end)s",
                        start=format_date(request.env, p[0]),
                        end=format_date(request.env, p[1] - timedelta(days=1)),
                    )
                    for p in periods
                },
                "metric": selected,
                "days": days,
                "daily": daily,
                "chart": self._paas_chart(days, selected),
            }
        )
        return values

    @staticmethod
    def _paas_chart(days, metric, height=CHART_HEIGHT):
        """An inline bar chart (SVG, no script) of the days with its axes:
        the value axis with round ticks in the metric's unit, the time axis
        with a few dates. Bars and dates are placed in percent of the width
        and the ticks in pixels of a fixed height, so the chart fills any
        screen while its text keeps its size."""
        env = request.env
        top = max((d["value"] for d in days), default=0)
        step = _nice_step(top / CHART_TICKS, metric.digits if metric else 2)
        axis_top = step * max(math.ceil(top / step), 1) if top > 0 else step * CHART_TICKS
        count = len(days) or 1
        slot = 100.0 / count
        bars = []
        for index, entry in enumerate(days):
            bar = round(entry["value"] / axis_top * height, 2)
            bars.append(
                {
                    "x": round(index * slot + slot * 0.1, 3),
                    "width": round(slot * 0.8, 3),
                    "y": round(height - bar, 2),
                    "height": bar,
                    "title": f"{entry['label']}: {entry['text']}",
                }
            )
        ticks = []
        tick = 0.0
        while tick <= axis_top + step / 2:
            ticks.append(
                {
                    "y": round(height - tick / axis_top * height, 2),
                    "bottom": round(tick / axis_top * 100, 3),
                    "label": format_number(env, tick, metric.digits if metric else 2, trim=True),
                }
            )
            tick += step
        every = max(math.ceil(count / CHART_DATES), 1)
        dates = [
            {"left": round(index * slot + slot / 2, 3), "label": entry["label"]}
            for index, entry in enumerate(days)
            if index % every == 0
        ]
        return {
            "bars": bars,
            "ticks": ticks,
            "dates": dates,
            "height": height,
            "unit": (metric.unit or metric.name) if metric else "",
            "top": metric._paas_format_quantity(top) if metric else "",
        }

    @http.route("/my/usage", type="http", auth="user", website=True, readonly=True)
    def portal_my_paas_usage(self, subscription_id=None, period=None, metric_id=None, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._paas_usage_values(subscription_id, period, metric_id))
        return request.render("woow_paas_portal_billing.portal_my_paas_usage", values)

    @http.route("/my/usage.csv", type="http", auth="user", readonly=True)
    def portal_my_paas_usage_csv(self, subscription_id=None, period=None, metric_id=None, **kw):
        values = self._paas_usage_values(subscription_id, period, metric_id, all_days=True)
        subscription = values["subscription"]
        if not subscription:
            raise NotFound()
        start, end = values["period"]
        only = values["metric"] if metric_id and values["metric"].id == _to_int(metric_id) else None
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["subscription", "metric", "metric_name", "unit", "aggregation", "day",
                         "value", "events"])  # fmt: skip
        for row in values["metrics"]:
            metric = row["metric"]
            if only and metric != only:
                continue
            by_day = values["daily"].get(metric, {})
            for day, figures in by_day.items():
                writer.writerow(
                    [subscription.name, metric.code, metric.name, metric.unit or "",
                     metric.aggregation, day.isoformat(), figures["value"], figures["events"]]
                )  # fmt: skip
        filename = f"usage-{subscription.name}-{start.isoformat()}-{end.isoformat()}.csv"
        return request.make_response(
            buffer.getvalue().encode("utf-8"),
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
