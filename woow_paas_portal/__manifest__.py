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
        "views/woow_paas_portal_templates.xml",
    ],
}
