from datetime import date, datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .const import FIGURE_COLUMNS, TREND_MONTHS
from .dashboard_sql import DASHBOARD_SQL, ID_COLUMNS, ID_JOINS
from .woow_paas_dashboard_segment import SEGMENT_COLUMNS, TENANT_SEGMENT_COLUMNS


def _values(rows):
    """``VALUES`` rows (n, i, currency_id, si, ei, rs, re); one that matches
    nothing when there are none."""
    return SQL(", ").join(
        SQL("(%s, %s, %s, %s, %s, %s::float8, %s::float8)", *row)
        for row in rows or [(-1, -1, -1, -1, -1, 0, 0)]
    )


class WoowPaasDashboardCompute(models.AbstractModel):
    """The dashboard's statement over its windows, and the snapshot it reads
    (a mixin of ``woow.paas.dashboard``)."""

    _name = "woow.paas.dashboard.compute"
    _description = "PaaS Dashboard: Statement and Snapshot"

    @api.model
    def _paas_parse_period(self, date_from, date_to):
        try:
            start = fields.Date.to_date(date_from)
            end = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as exc:
            raise UserError(self.env._("Dates are expected as YYYY-MM-DD.")) from exc
        if not start or not end or end < start:
            raise UserError(self.env._("Choose a period whose end is on or after its start."))
        if (end - start).days > 3660:
            raise UserError(self.env._("Choose a period of ten years at most."))
        return start, end

    @api.model
    def _paas_parse_plans(self, plan_ids):
        if not plan_ids:
            return None
        if not isinstance(plan_ids, (list, tuple)) or not all(
            isinstance(pid, int) and not isinstance(pid, bool) for pid in plan_ids
        ):
            raise UserError(self.env._("The plan filter is a list of plan ids."))
        return sorted(set(plan_ids))

    @api.model
    def _paas_windows(self, start, end):
        """``{key: (start, end excluded)}`` for the period, the previous
        period and the trend months. The previous period of whole calendar
        months is the same number of months before; otherwise the same
        number of days before."""
        stop = end + relativedelta(days=1)
        if start.day == 1 and stop.day == 1:
            months = (stop.year - start.year) * 12 + stop.month - start.month
            prev = (start - relativedelta(months=months), start)
        else:
            prev = (start - (stop - start), start)
        windows = {"cur": (start, stop), "prev": prev}
        last = date(end.year, end.month, 1)
        for index in range(TREND_MONTHS):
            month = last - relativedelta(months=TREND_MONTHS - 1 - index)
            windows[f"m{index}"] = (month, min(month + relativedelta(months=1), stop))
        return windows

    @api.model
    def _paas_instant(self, day):
        """Midnight of ``day`` in the user's time zone, as naive UTC (the
        event log's ``occurred_at``)."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local = tz.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _paas_compute(self, windows, plan_ids, tables=None, no_retention=(), with_ids=False):
        """Run the dashboard statement; ``{window key: {column: value}}``.
        ``tables``: the currency rates (:meth:`_paas_rate_tables`); windows
        of ``no_retention`` get no retention figures (they cost the most);
        ``with_ids`` adds the records behind the ``cur`` window's figures."""
        # Windows with the same bounds (the forecast's last months are trend
        # months) are computed once, under their first key.
        same = {}
        for key, bounds in windows.items():
            same.setdefault(bounds, []).append(key)
        instants = {
            keys[0]: tuple(map(self._paas_instant, bounds)) for bounds, keys in same.items()
        }
        retention = {keys[0] for keys in same.values() if not set(keys) <= set(no_retention)}
        # Window bounds, sorted: a window [s, e) is the bounds si..ei (1-based).
        bounds = sorted({instant for pair in instants.values() for instant in pair})
        rank = {instant: index for index, instant in enumerate(bounds, 1)}
        # Customers carry one bit per bound in a bigint.
        assert len(bounds) < 63, "too many window bounds"
        window_sql = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp, %s::timestamp, %s, %s, %s, %s)",
                *(key, s, e, rank[s], rank[e], n, key in retention),
            )
            for n, (key, (s, e)) in enumerate(instants.items())
        )
        # The pairs (window, bound) with si < bound <= ei and si <= bound < ei,
        # for the windows with retention figures.
        positions = [
            (n, rank[s], rank[e])
            for n, (key, (s, e)) in enumerate(instants.items())
            if key in retention
        ]
        tables = tables or self._paas_rate_tables()
        rates = {
            (key, currency.id): (
                self._paas_rate_at(table, start - relativedelta(days=1)),
                self._paas_rate_at(table, stop - relativedelta(days=1)),
            )
            for (start, stop), (key, *_same) in same.items()
            for currency, table in tables.items()
        }
        keys = list(instants)
        bounds_in, bounds_end = [], []
        for n, si, ei in positions:
            for currency in tables:
                rs, re = rates[keys[n], currency.id]
                row = (currency.id, si, ei, rs, re)
                bounds_in.extend((n, i, *row) for i in range(si + 1, ei + 1))
                bounds_end.extend((n, i, *row) for i in range(si, ei))
        currency_sql = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp[], %s::float8[])",
                currency.id,
                [self._paas_instant(day) for day in days],
                rates,
            )
            for currency, (days, rates) in tables.items()
        )
        # A stock at a bound is that of the end of the day before it.
        window_rates_sql = SQL(", ").join(
            SQL("(%s, %s, %s::float8, %s::float8)", key, currency_id, rs, re)
            for (key, currency_id), (rs, re) in rates.items()
        )
        if plan_ids:
            plan_filter = SQL("COALESCE(plan_id = ANY(%s), FALSE)", plan_ids)
            prev_plan_filter = SQL("COALESCE(prev_plan_id = ANY(%s), FALSE)", plan_ids)
            tenant_plan_filter = SQL("COALESCE(plan_id = ANY(%s), FALSE)", plan_ids)
        else:
            plan_filter = prev_plan_filter = tenant_plan_filter = SQL("TRUE")
        self.env.flush_all()
        dirty = self._paas_dirty()
        Segment = self.env["woow.paas.dashboard.segment"]
        query = SQL(
            DASHBOARD_SQL,
            segment_ctes=Segment._paas_segment_query(dirty["s"]),
            tenant_segment_ctes=Segment._paas_tenant_segment_query(dirty["t"]),
            dirty_subs=dirty["s"],
            dirty_tenants=dirty["t"],
            windows=window_sql,
            bounds_in=_values(bounds_in),
            bounds_end=_values(bounds_end),
            bounds=SQL("%s::timestamp[]", bounds),
            first_bound=bounds[0],
            currencies=currency_sql,
            window_rates=window_rates_sql,
            plan_filter=plan_filter,
            prev_plan_filter=prev_plan_filter,
            tenant_plan_filter=tenant_plan_filter,
            companies=self.env.companies.ids,
            paying=list(SUBSCRIPTION_PAYING),
            id_columns=SQL(ID_COLUMNS if with_ids else ""),
            digits=self._paas_currency().decimal_places,
            id_joins=SQL(ID_JOINS if with_ids else ""),
        )
        # Room for the sorts and hashes of one statement, and no JIT (its
        # compilation costs more than this query runs); for this transaction.
        self.env.cr.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        self.env.cr.execute(query)
        names = [desc[0] for desc in self.env.cr.description]
        rows = {}
        for values in self.env.cr.fetchall():
            row = dict(zip(names, values, strict=True))
            for column in FIGURE_COLUMNS:
                row[column] = row[column] or 0
            for key in same[windows[row.pop("k")]]:
                rows[key] = dict(row)
        return rows

    @api.model
    def _paas_dirty(self, up_to=None):
        """``{"s": [subscription ids], "t": [tenant ids]}`` changed since
        their snapshot was refreshed (up to the marker ``up_to`` included)."""
        self.env.cr.execute(
            SQL(
                "SELECT kind, array_agg(DISTINCT res_id) FROM woow_paas_dashboard_dirty"
                " WHERE %s GROUP BY kind",
                SQL("id <= %s", up_to) if up_to else SQL("TRUE"),
            )
        )
        dirty = {"s": [], "t": []}
        dirty.update(dict(self.env.cr.fetchall()))
        return dirty

    @api.model
    def _paas_refresh_snapshot(self, full=False):
        """Rebuild the snapshot segments of the subscriptions and tenants
        changed since the last refresh (of all of them with ``full``), then
        forget the changes it saw. Markers written by transactions that this
        one does not see stay, so their records keep being replayed live
        until the next refresh: the dashboard is exact whenever this runs."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT MAX(id) FROM woow_paas_dashboard_dirty")
        up_to = cr.fetchone()[0]
        if full:
            subs = tenants = None
        elif not up_to:
            return
        else:
            dirty = self._paas_dirty(up_to)
            subs, tenants = dirty["s"], dirty["t"]
        Segment = self.env["woow.paas.dashboard.segment"]
        for table, key, ids, ctes, columns, source in (
            ("woow_paas_dashboard_segment", "sub_id", subs,
             Segment._paas_segment_query(subs), SEGMENT_COLUMNS, "sseg"),
            ("woow_paas_dashboard_tenant_segment", "tenant_id", tenants,
             Segment._paas_tenant_segment_query(tenants), TENANT_SEGMENT_COLUMNS, "ttseg"),
        ):  # fmt: skip
            if ids is None:
                cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
            elif not ids:
                continue
            else:
                cr.execute(
                    SQL("DELETE FROM %s WHERE %s = ANY(%s)",
                        SQL.identifier(table), SQL.identifier(key), ids)
                )  # fmt: skip
            cr.execute(
                SQL(
                    "INSERT INTO %s (%s) WITH %s SELECT %s FROM %s",
                    SQL.identifier(table), SQL(columns), ctes, SQL(columns),
                    SQL.identifier(source),
                )
            )  # fmt: skip
        if up_to:
            cr.execute("DELETE FROM woow_paas_dashboard_dirty WHERE id <= %s", [up_to])

    @api.model
    def _cron_refresh_snapshot(self):
        self._paas_refresh_snapshot()
