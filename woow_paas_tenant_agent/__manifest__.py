# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Tenant Agent",
    "summary": "Inside a tenant database: the limits and the suspension set by the platform",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "assets": {
        "web.assets_backend": [
            "woow_paas_tenant_agent/static/src/suspended_banner/*",
        ],
    },
}
