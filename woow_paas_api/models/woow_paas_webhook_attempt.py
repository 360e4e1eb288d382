from odoo import fields, models


class WoowPaasWebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: what was answered, how fast, or why it
    failed. Written by the worker only."""

    _name = "woow.paas.webhook.attempt"
    _description = "PaaS Webhook Delivery Attempt"
    _order = "id desc"
    _rec_name = "attempted_at"

    delivery_id = fields.Many2one(
        "woow.paas.webhook.delivery", required=True, readonly=True, ondelete="cascade",
        index=True,
    )  # fmt: skip
    endpoint_id = fields.Many2one(
        "woow.paas.webhook.endpoint", required=True, readonly=True, ondelete="cascade",
        index=True,
    )  # fmt: skip
    attempted_at = fields.Datetime(required=True, readonly=True)
    attempt_number = fields.Integer(readonly=True)
    success = fields.Boolean(readonly=True)
    status_code = fields.Integer(string="Status", readonly=True, help="0: no HTTP answer.")
    latency_ms = fields.Integer(string="Latency (ms)", readonly=True)
    response_excerpt = fields.Text(readonly=True, help="The first kilobyte of the answer.")
    error = fields.Char(readonly=True)
