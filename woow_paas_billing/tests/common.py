"""Base class for the billing tests; other addons may reuse it."""

from lxml import etree

from odoo.tools.safe_eval import safe_eval

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

from ..models.const import AGGREGATIONS

NOW = "2026-03-15 12:00:00"


def list_columns(model, view_id, context):
    """Names of the fields a list view shows as columns in ``context`` (its
    ``column_invisible`` read as the web client reads it), and its arch."""
    arch = etree.fromstring(
        model.with_context(context).get_views([(view_id, "list")])["views"]["list"]["arch"]
    )
    shown = {
        node.get("name")
        for node in arch.iterchildren("field")
        if not safe_eval(node.get("column_invisible") or "False", {"context": context})
    }
    return shown, arch


class WoowPaasUsageCase(WoowPaasCase):
    """One metric per aggregation (``test_<aggregation>``), customer A with two
    running tenants on one subscription, customer B with one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Metric = cls.env["woow.paas.metric"]
        cls.metrics = {
            agg: Metric.create(
                {
                    "name": f"Test {label}",
                    "code": f"test_{agg}",
                    "aggregation": agg,
                    "property_key": "user_id" if agg == "unique_count" else False,
                }
            )
            for agg, label in AGGREGATIONS
        }
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("usage-a", cls.sub_a)
        cls.tenant_a2 = cls._tenant("usage-a2", cls.sub_a)
        cls.tenant_b = cls._tenant("usage-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_a2 | cls.tenant_b).action_provision()
        cls.Usage = cls.env["woow.paas.usage.event"]

    @staticmethod
    def _event(key, tenant="usage-a", metric="test_sum", quantity=1,
               timestamp="2026-03-10T10:00:00Z", **extra):  # fmt: skip
        return {
            "tenant": tenant,
            "metric": metric,
            "quantity": quantity,
            "timestamp": timestamp,
            "idempotency_key": key,
            **extra,
        }

    def _stored(self, tenant=None):
        domain = [("tenant_id", "=", (tenant or self.tenant_a).id)]
        return self.Usage.search(domain)

    def assertStatuses(self, results, expected):
        self.assertEqual([r["status"] for r in results], expected, results)
