# Copyright 2026 Woow PaaS
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Woow PaaS Billing",
    "summary": "Plan prices, usage metering and subscription invoices on Odoo accounting",
    "version": "19.0.1.1.0",
    "category": "Services/PaaS",
    "website": "https://github.com/woow-paas/woow-paas",
    "author": "Woow PaaS",
    "license": "LGPL-3",
    "depends": ["woow_paas_core", "account_payment", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/woow_paas_billing_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/woow_paas_billing_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/woow_paas_metric_views.xml",
        "views/woow_paas_plan_metric_views.xml",
        "views/woow_paas_usage_event_views.xml",
        "views/woow_paas_usage_rollup_views.xml",
        "views/woow_paas_plan_views.xml",
        "views/woow_paas_subscription_views.xml",
        "views/account_move_views.xml",
        "views/woow_paas_billing_run_views.xml",
        "wizards/woow_paas_subscription_cancel_views.xml",
        "report/report_invoice.xml",
        "views/woow_paas_subscription_payment_views.xml",
        "views/woow_paas_billing_menus.xml",
    ],
    "demo": [
        "demo/woow_paas_metric_demo.xml",
        "demo/woow_paas_plan_metric_demo.xml",
        "demo/woow_paas_usage_demo.xml",
        "demo/woow_paas_billing_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_backend": [
            "woow_paas_billing/static/src/fields/*.js",
        ],
        "web.assets_tests": [
            "woow_paas_billing/static/tests/tours/*.js",
        ],
    },
}
