# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS API: Tenant Quotas",
    "summary": "API calls count toward the tenant's api_calls quota and are rate limited "
    "per tenant from the plan",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_api", "woow_paas_tenant"],
    "data": [
        "data/ir_cron_data.xml",
        "views/woow_paas_api_key_views.xml",
        "views/woow_paas_oauth_client_views.xml",
    ],
    "auto_install": True,
}
