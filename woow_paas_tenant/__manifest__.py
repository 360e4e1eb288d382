# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Tenant",
    "summary": "Row-level tenant isolation, per-tenant quotas and configuration",
    "version": "19.0.1.1.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_core", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_tenant_security.xml",
        "data/woow_paas_resource_data.xml",
        "data/ir_cron_data.xml",
        "data/queue_job_data.xml",
        "views/woow_paas_tenant_quota_views.xml",
        "views/woow_paas_config_key_views.xml",
        "views/woow_paas_tenant_views.xml",
        "views/woow_paas_plan_views.xml",
        "views/woow_paas_db_server_views.xml",
        "views/res_users_views.xml",
        "views/woow_paas_tenant_menus.xml",
    ],
    "post_load": "post_load",
    "demo": [
        "demo/woow_paas_tenant_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "woow_paas_tenant/static/src/tenant_switcher/*",
        ],
        "web.assets_tests": [
            "woow_paas_tenant/static/tests/tours/*.js",
        ],
    },
}
