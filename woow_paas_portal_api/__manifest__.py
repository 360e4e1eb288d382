# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Portal: API",
    "summary": "Customers manage their API keys, OAuth2 clients and webhook endpoints in /my/api",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_portal", "woow_paas_api"],
    "auto_install": True,
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_portal_api_security.xml",
        "views/woow_paas_portal_api_templates.xml",
    ],
    "assets": {
        "web.assets_frontend": ["woow_paas_portal_api/static/src/interactions/*.js"],
        "web.assets_tests": ["woow_paas_portal_api/static/tests/tours/*.js"],
    },
}
