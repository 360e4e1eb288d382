"""The authorization matrix of the core: subscriptions, tenants, and the Woow
PaaS fields of ``res.partner`` and ``res.users`` (the user's own record, with
the fields every layer adds there).

The machinery and what it checks: :mod:`.authorization_matrix`. Each layer
that gives a PaaS User or a portal user write access to one of its models
has its own ``tests/test_authorization_matrix.py``.
"""

from odoo.tests import tagged

from . import authorization_matrix


@tagged("post_install", "-at_install")
class TestAuthorizationMatrix(authorization_matrix.AuthorizationMatrixCase):
    """Every field a PaaS User or a portal user can write is one we chose."""

    matrix_module = "woow_paas_core"
    intended = {
        # Salesperson and colour; everything else moves through the actions.
        "woow.paas.subscription": {"paas_user": {"user_id", "color"}},
        # Operators name a tenant and choose who works in it (shared mode).
        "woow.paas.tenant": {"paas_user": {"name", "color", "paas_user_ids"}},
        # Operators mark who is a customer.
        "res.partner": {"paas_user": {"is_paas_customer"}},
        # The current tenant is switched only among the allowed ones (the attack
        # value is a tenant the user is not allowed in).
        "res.users": {"paas_user": set(), "portal": set()},
    }

    @classmethod
    def _matrix_targets(cls):
        return {
            **super()._matrix_targets(),
            "woow.paas.subscription": cls.sub_a,
            "woow.paas.tenant": cls.tenant_a,
            "res.partner": cls.customer_a,
        }

    def test_own_user_record(self):
        """On its own user, a role writes only the Woow PaaS fields listed."""
        for role, user in self.users.items():
            with self.subTest(role=role):
                writable, _untested = self._writable_fields(user, role)
                self.assertEqual(writable, self.intended["res.users"][role])
