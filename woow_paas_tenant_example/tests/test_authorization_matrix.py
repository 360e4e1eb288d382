"""The authorization matrix of the example tenant app: projects and tasks of
the tenants a PaaS User works in (see
:mod:`odoo.addons.woow_paas_core.tests.authorization_matrix`)."""

from odoo.fields import Command
from odoo.tests import tagged

# The module, not the class: pytest would collect the class here too.
from odoo.addons.woow_paas_core.tests import authorization_matrix


@tagged("post_install", "-at_install")
class TestExampleAuthorizationMatrix(authorization_matrix.AuthorizationMatrixCase):
    """Every field a PaaS User or a portal user can write is one we chose."""

    matrix_module = "woow_paas_tenant_example"
    intended = {
        "woow.paas.example.project": {"paas_user": {"name", "description", "active"}},
        "woow.paas.example.task": {"paas_user": {"name", "user_id", "priority", "done"}},
    }

    @classmethod
    def _matrix_targets(cls):
        env = cls.env
        # The PaaS User works in tenant A; tenant B is out of its reach.
        cls.paas_user.write(
            {
                "paas_tenant_ids": [Command.set(cls.tenant_a.ids)],
                "paas_tenant_id": cls.tenant_a.id,
            }
        )
        Project = env["woow.paas.example.project"]
        project_a = Project.create({"name": "Matrix A", "tenant_id": cls.tenant_a.id})
        Project.create({"name": "Matrix B", "tenant_id": cls.tenant_b.id})
        return {
            **super()._matrix_targets(),
            "woow.paas.example.project": project_a,
            "woow.paas.example.task": env["woow.paas.example.task"].create(
                {"name": "Matrix task", "project_id": project_a.id, "tenant_id": cls.tenant_a.id}
            ),
        }
