# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Core",
    "summary": "Plans, subscriptions, tenants, customers and the platform event log",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "application": True,
    "depends": ["base", "mail", "web"],
    "data": [
        "security/woow_paas_core_groups.xml",
        "security/ir.model.access.csv",
        "security/woow_paas_core_security.xml",
        "data/ir_sequence_data.xml",
        "data/woow_paas_resource_data.xml",
        "data/ir_cron_data.xml",
        "wizards/woow_paas_subscription_cancel_views.xml",
        "wizards/woow_paas_subscription_change_plan_views.xml",
        "views/woow_paas_event_views.xml",
        "views/woow_paas_resource_views.xml",
        "views/woow_paas_plan_views.xml",
        "views/woow_paas_subscription_views.xml",
        "views/woow_paas_tenant_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/woow_paas_core_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/woow_paas_plan_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/woow_paas_populate_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "woow_paas_core/static/src/views/**/*",
        ],
        "web.assets_unit_tests": [
            "woow_paas_core/static/tests/**/*.test.js",
        ],
        "web.assets_tests": [
            "woow_paas_core/static/tests/tours/*.js",
        ],
    },
}
