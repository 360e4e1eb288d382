# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Portal: Tenants",
    "summary": "Tenant URL, quota usage with its run-out date and customer settings in /my/tenants",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_portal", "woow_paas_tenant"],
    "auto_install": True,
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_portal_tenant_security.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/woow_paas_portal_tenant_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "woow_paas_portal_tenant/static/tests/tours/*.js",
        ],
    },
}
