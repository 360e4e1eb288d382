# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Dashboard",
    "summary": "MRR, ARR, churn, retention, trials and tenants of the PaaS business, live",
    "version": "19.0.1.2.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_core", "web"],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/woow_paas_dashboard_menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_backend": [
            "woow_paas_dashboard/static/src/**/*",
        ],
        "web.assets_unit_tests": [
            "woow_paas_dashboard/static/tests/**/*",
            ("remove", "woow_paas_dashboard/static/tests/tours/**/*"),
        ],
        "web.assets_tests": [
            "woow_paas_dashboard/static/tests/tours/*.js",
        ],
    },
}
