"""What the platform owns inside a tenant database."""

from odoo import SUPERUSER_ID

AGENT_MODULE = "woow_paas_tenant_agent"
# Prefix of the system parameters the platform pushes (limits, suspension,
# contact, configuration, sign-in link).
PARAM = "woow_paas_agent."


def is_platform(env):
    """Whether ``env`` acts for the platform rather than for the tenant.

    The platform writes into a tenant database with SQL, and runs Odoo there
    only as the superuser (``odoo-bin`` install, upgrade, shell). The
    tenant's own users, administrator included, act under their own uid,
    even in ``sudo()`` mode: ``env.su`` does not make them the platform.
    """
    return env.uid == SUPERUSER_ID
