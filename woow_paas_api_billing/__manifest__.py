# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS API: Invoices",
    "summary": "Usage and invoices over the REST API /api/v1 when billing is installed",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_api", "woow_paas_billing"],
    "auto_install": True,
}
