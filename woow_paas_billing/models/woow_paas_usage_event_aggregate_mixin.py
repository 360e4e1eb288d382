from odoo import api, models
from odoo.tools import SQL

from .usage_tools import _rollup_upsert


class WoowPaasUsageEventAggregateMixin(models.AbstractModel):
    """The rollups of ``woow.paas.usage.event`` rebuilt from the raw events.
    Mixed into ``woow.paas.usage.event``; usage over periods is read by
    ``woow.paas.metric._paas_aggregate``."""

    _name = "woow.paas.usage.event.aggregate.mixin"
    _description = "Woow PaaS Usage Rollup Rebuild"

    @api.model
    def _rollup_rebuild(self, keys):
        """Recompute the rollups of ``keys`` [(tenant_id, metric_id, day)] from
        the raw events (after a deletion, or to check the incremental ones)."""
        if not keys:
            return
        tenant_ids, metric_ids, days = (list(col) for col in zip(*keys, strict=True))
        keyset = SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::date[])"
            " AS k(tenant_id, metric_id, day)",
            tenant_ids,
            metric_ids,
            days,
        )
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "DELETE FROM woow_paas_usage_rollup r USING (%s) k WHERE r.tenant_id = k.tenant_id"
                " AND r.metric_id = k.metric_id AND r.day = k.day",
                keyset,
            )
        )
        source = SQL(
            "(SELECT e.* FROM woow_paas_usage_event e JOIN (%s) k ON e.tenant_id = k.tenant_id"
            ' AND e.metric_id = k.metric_id AND e."timestamp"::date = k.day)',
            keyset,
        )
        self.env.cr.execute(_rollup_upsert(source))
        self.env["woow.paas.usage.rollup"].invalidate_model()
