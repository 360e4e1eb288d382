import math
from collections import defaultdict
from datetime import timedelta

from odoo import fields, models

# The trend of a level is fitted on the samples of this many past days.
TREND_DAYS = 30
# A run-out date further than this is not shown (the trend says little).
HORIZON_DAYS = 3 * 366


class WoowPaasTenantQuota(models.Model):
    _inherit = "woow.paas.tenant.quota"

    def _paas_runs_out(self, today=None):
        """The day each line reaches its limit at its current trend:
        ``{line id: date or None}`` (None: unlimited, not rising, or not
        within the period or the horizon).

        - Already at or past the limit: today.
        - A consumption (reset each period): the usage since the period
          started, spread over the days elapsed, extended until it meets the
          limit, unless the period ends (and the usage resets) first.
        - A level (users, storage): the least-squares slope of the daily
          samples of the last ``TREND_DAYS`` days and today's usage; rising
          levels get a day, flat or falling ones none.

        Reads the samples of all lines in one query.
        """
        today = today or fields.Date.context_today(self)
        lines = self.sudo()
        levels = lines.filtered(lambda q: q.resource_id.quota_reset != "period")
        samples = defaultdict(dict)
        if levels:
            rows = self.env["woow.paas.tenant.quota.sample"].sudo()._read_group(
                [("quota_id", "in", levels.ids),
                 ("day", ">=", today - timedelta(days=TREND_DAYS)), ("day", "<", today)],
                ["quota_id", "day:day"],
                ["usage:max"],
            )  # fmt: skip
            for quota, day, usage in rows:
                samples[quota.id][fields.Date.to_date(day)] = usage
        result = {}
        for line in lines:
            result[line.id] = line._paas_run_out_day(today, samples.get(line.id, {}))
        return result

    def _paas_run_out_day(self, today, samples):
        self.ensure_one()
        if self.is_unlimited:
            return None
        usage, limit = self.usage or 0.0, self.effective_limit
        if usage >= limit:
            return today
        if self.resource_id.quota_reset == "period":
            if not self.period_start:
                return None
            rate = usage / max((today - self.period_start).days, 1)
            if rate <= 0:
                return None
            day = today + timedelta(days=math.ceil((limit - usage) / rate))
            period_end = self.tenant_id.subscription_id.current_period_end
            if period_end and day >= period_end:
                return None
        else:
            points = [((day - today).days, value) for day, value in samples.items()]
            points.append((0, usage))
            if len(points) < 2:
                return None
            mean_x = sum(x for x, _y in points) / len(points)
            mean_y = sum(y for _x, y in points) / len(points)
            var = sum((x - mean_x) ** 2 for x, _y in points)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
            if slope <= 0:
                return None
            day = today + timedelta(days=math.ceil((limit - usage) / slope))
        if (day - today).days > HORIZON_DAYS:
            return None
        return day
