# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Portal",
    "summary": "Customer self-service: pricing page, sign-up, subscriptions and tenants in /my",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_core", "portal", "auth_signup"],
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_portal_security.xml",
        "views/woow_paas_branding_templates.xml",
        "views/woow_paas_mail_templates.xml",
        "data/mail_template_data.xml",
        "views/woow_paas_portal_templates.xml",
        "views/woow_paas_portal_signup_templates.xml",
        "views/woow_paas_currency_templates.xml",
        "views/woow_paas_plan_views.xml",
        "views/woow_paas_signup_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/woow_paas_plan_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "woow_paas_portal/static/src/scss/*.scss",
            "woow_paas_portal/static/src/interactions/*.js",
        ],
        "web.assets_tests": [
            "woow_paas_portal/static/tests/tours/*.js",
        ],
    },
}
