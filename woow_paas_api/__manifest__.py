# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS API",
    "summary": "Versioned REST API /api/v1 with its OpenAPI document, API keys, OAuth2 server, "
    "rate limits and idempotency",
    "version": "19.0.1.1.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_core"],
    "external_dependencies": {"python": ["pydantic", "authlib", "graphene"]},
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_api_security.xml",
        "security/woow_paas_webhook_security.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "wizards/woow_paas_api_key_show_views.xml",
        "wizards/woow_paas_webhook_secret_show_views.xml",
        "wizards/woow_paas_webhook_redeliver_views.xml",
        "views/woow_paas_api_key_views.xml",
        "views/woow_paas_webhook_endpoint_views.xml",
        "views/woow_paas_webhook_delivery_views.xml",
        "views/woow_paas_api_templates.xml",
        "views/woow_paas_oauth_client_views.xml",
        "views/woow_paas_oauth_templates.xml",
        "views/woow_paas_api_menus.xml",
    ],
    "demo": ["demo/woow_paas_api_key_demo.xml", "demo/woow_paas_webhook_endpoint_demo.xml"],
    "assets": {
        "web.assets_tests": ["woow_paas_api/static/tests/tours/*.js"],
    },
}
