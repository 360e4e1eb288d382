# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Dashboard: Quotas",
    "summary": "Tenants nearest a quota and when each quota runs out, on the PaaS dashboard",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_dashboard", "woow_paas_tenant"],
    "auto_install": True,
    "assets": {
        "web.assets_backend": [
            "woow_paas_dashboard_tenant/static/src/**/*",
        ],
        "web.assets_unit_tests": [
            "woow_paas_dashboard_tenant/static/tests/**/*",
        ],
    },
}
