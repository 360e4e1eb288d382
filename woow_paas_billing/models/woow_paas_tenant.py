from odoo import fields, models


class WoowPaasTenant(models.Model):
    _inherit = "woow.paas.tenant"

    usage_event_count = fields.Integer(
        string="Usage Events",
        compute="_compute_usage_event_count",
        groups="woow_paas_core.group_paas_user",
    )

    def _compute_usage_event_count(self):
        counts = dict(
            self.env["woow.paas.usage.rollup"]._read_group(
                [("tenant_id", "in", self.ids)], ["tenant_id"], ["event_count:sum"]
            )
        )
        for tenant in self:
            tenant.usage_event_count = counts.get(tenant, 0)

    def _paas_usage(self, metric, date_from, date_to):
        """Usage of ``metric`` (a record or a code) by these tenants from
        ``date_from`` (included) to ``date_to`` (excluded), aggregated as the
        metric says (``woow.paas.metric._paas_aggregate``); a Decimal. Reads
        only what the caller may read."""
        self.check_access("read")
        Metric = self.env["woow.paas.metric"].sudo().with_context(active_test=False)
        if isinstance(metric, str):
            metric = Metric.search([("code", "=", metric)], limit=1)
        metric.ensure_one()
        usage = Metric._paas_aggregate([(None, metric, self.ids, date_from, date_to)])
        return usage[None]

    def _paas_resource_usage(self, resource_code, date_from, date_to):
        """Usage of the metric that measures the core resource ``resource_code``
        (see ``woow.paas.metric.resource_id``), so that quota checks and
        billing count the same thing; ``None`` when no active metric measures
        it."""
        metric = self.env["woow.paas.metric"].search(
            [("resource_id.code", "=", resource_code)], order="sequence, id", limit=1
        )
        if not metric:
            return None
        return self._paas_usage(metric, date_from, date_to)

    def action_view_usage(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_billing.woow_paas_usage_rollup_action"
        )
        action["domain"] = [("tenant_id", "=", self.id)]
        return action
