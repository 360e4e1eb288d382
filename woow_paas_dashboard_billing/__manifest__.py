# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Dashboard: Usage",
    "summary": "Usage by metric on the PaaS dashboard (bridge of dashboard and billing)",
    "version": "19.0.1.1.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_dashboard", "woow_paas_billing"],
    "data": ["security/ir.model.access.csv"],
    "auto_install": True,
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_backend": [
            "woow_paas_dashboard_billing/static/src/**/*",
        ],
        "web.assets_unit_tests": [
            "woow_paas_dashboard_billing/static/tests/**/*",
        ],
    },
}
