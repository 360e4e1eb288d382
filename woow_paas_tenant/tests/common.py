"""Base class for tenant-layer tests; addons built on woow_paas_tenant reuse it."""

from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


class WoowPaasTenantCase(WoowPaasCase):
    """Two customers each with a running subscription and an active tenant
    (``tenant_a``, ``tenant_b``), and internal users working in them:
    ``user_a`` (tenant A only), ``user_b`` (tenant B only) and ``user_ab``
    (allowed in both, current tenant A). Each user's password is its login.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("tenant-a", cls.sub_a)
        cls.tenant_b = cls._tenant("tenant-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()
        cls.user_a = cls._tenant_user("tenant_user_a", cls.tenant_a)
        cls.user_b = cls._tenant_user("tenant_user_b", cls.tenant_b)
        cls.user_ab = cls._tenant_user("tenant_user_ab", cls.tenant_a | cls.tenant_b)

    @classmethod
    def _tenant_user(cls, login, tenants, groups="base.group_user", **vals):
        """An internal user allowed in ``tenants``, the first one current."""
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            password=login,
            paas_tenant_ids=[Command.set(tenants.ids)],
            paas_tenant_id=tenants[:1].id,
            **vals,
        )

    @classmethod
    def _plan_limit(cls, plan, resource_code, limit):
        """Set (or add) ``plan``'s limit for ``resource_code``."""
        resource = cls.env["woow.paas.resource"]._get_by_code(resource_code)
        line = plan.quota_ids.filtered(lambda q: q.resource_id == resource)
        if line:
            line.limit = limit
        else:
            cls.env["woow.paas.plan.quota"].create(
                {"plan_id": plan.id, "resource_id": resource.id, "limit": limit}
            )
