"""The authorization matrix of the tenant layer: a tenant's configuration
values (see :mod:`odoo.addons.woow_paas_core.tests.authorization_matrix`)."""

from odoo.tests import tagged

# The module, not the class: pytest would collect the class here too.
from odoo.addons.woow_paas_core.tests import authorization_matrix


@tagged("post_install", "-at_install")
class TestTenantAuthorizationMatrix(authorization_matrix.AuthorizationMatrixCase):
    """Every field a PaaS User or a portal user can write is one we chose."""

    matrix_module = "woow_paas_tenant"
    intended = {
        "woow.paas.tenant.config": {"paas_user": {"value"}},
    }

    @classmethod
    def _matrix_targets(cls):
        env = cls.env
        key = env["woow.paas.config.key"].create(
            {"name": "Matrix Key", "code": "matrix_key", "value_type": "text"}
        )
        return {
            **super()._matrix_targets(),
            "woow.paas.tenant.config": env["woow.paas.tenant.config"].create(
                {"tenant_id": cls.tenant_a.id, "key_id": key.id, "value": "one"}
            ),
        }
