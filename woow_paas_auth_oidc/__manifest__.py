# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS: Sign in with OpenID Connect",
    "summary": "Back-office and portal sign-in with external OpenID Connect providers "
    "(authorization code with PKCE)",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["web"],
    "external_dependencies": {"python": ["authlib", "requests"]},
    "data": [
        "security/ir.model.access.csv",
        "views/woow_paas_oidc_provider_views.xml",
        "views/webclient_templates.xml",
    ],
}
