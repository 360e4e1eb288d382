# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Billing: Stripe",
    "summary": "Stripe for subscription payments: saved cards through SetupIntents, signed"
    " notifications required, localstripe for development and tests",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_billing", "payment_stripe"],
    "external_dependencies": {"python": ["stripe"]},
    "data": ["views/payment_stripe_templates.xml"],
    "demo": ["demo/payment_provider_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "woow_paas_billing_stripe/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
