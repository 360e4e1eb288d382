# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Tenant Example",
    "summary": "Example tenant-aware app: projects and tasks isolated per tenant",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_tenant"],
    "data": [
        "security/ir.model.access.csv",
        "views/woow_paas_example_task_views.xml",
        "views/woow_paas_example_project_views.xml",
        "views/woow_paas_tenant_example_menus.xml",
    ],
    "demo": [
        "demo/woow_paas_example_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "woow_paas_tenant_example/static/tests/tours/*.js",
        ],
    },
}
