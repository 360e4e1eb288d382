# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Portal: Billing",
    "summary": "The customer's billing in the portal: next invoice, plan changes with their"
    " proration, cancellation, usage charts and CSV, invoices of a subscription",
    "version": "19.0.1.0.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_portal", "woow_paas_billing"],
    "data": [
        "views/woow_paas_portal_billing_templates.xml",
        "views/woow_paas_usage_templates.xml",
        "views/account_portal_templates.xml",
        "views/woow_paas_signup_pay_templates.xml",
    ],
    "demo": [
        "demo/woow_paas_portal_billing_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "woow_paas_portal_billing/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
