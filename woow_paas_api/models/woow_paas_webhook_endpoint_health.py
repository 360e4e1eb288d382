from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Command

NOTICE_TEMPLATE = "woow_paas_api.mail_template_webhook_endpoint_disabled"
NOTICE_EMAIL_PARAM = "woow_paas_api.webhook_notice_email"


class WoowPaasWebhookEndpointHealth(models.AbstractModel):
    """The health of a ``woow.paas.webhook.endpoint``: disabling an endpoint
    that is gone or keeps failing (and telling its owner), and recovering
    afterwards: redelivering what failed, replaying what it missed while
    disabled."""

    _name = "woow.paas.webhook.endpoint.health"
    _description = "PaaS Webhook Endpoint Health"

    def _disable(self, reasons):
        """Disable these endpoints (``reasons`` maps ids to a sentence), stop
        their waiting deliveries, and tell their owners: by email (the
        editable template *Webhook endpoint disabled*) and with a
        ``webhook.endpoint_disabled`` event."""
        endpoints = self.sudo().filtered("enabled")
        for endpoint in endpoints:
            endpoint.write({"enabled": False, "disabled_reason": reasons.get(endpoint.id)})
        if endpoints:
            endpoints._notify_disabled()
            self.env["woow.paas.event"]._emit(
                "webhook.endpoint_disabled", endpoints,
                lambda e: {"endpoint_id": e.id, "url": e.url, "reason": e.disabled_reason},
            )  # fmt: skip

    def _notify_disabled(self):
        """Queue the *endpoint disabled* email of each endpoint to its owner:
        a customer's endpoint to the customer's email (its owner's when the
        customer has none); an operator's to ``woow_paas_api.webhook_notice_email``
        when set, else to its owner."""
        template = self.env.ref(NOTICE_TEMPLATE, raise_if_not_found=False)
        if not template:
            return
        operator_email = (
            self.env["ir.config_parameter"].sudo().get_param(NOTICE_EMAIL_PARAM) or ""
        ).strip()
        for endpoint in self.sudo():
            if endpoint.is_customer_endpoint:
                partner = endpoint.partner_id if endpoint.partner_id.email else (
                    endpoint.user_id.partner_id
                )  # fmt: skip
                values = {"recipient_ids": [Command.link(partner.id)]}
            elif operator_email:
                values = {"email_to": operator_email, "recipient_ids": []}
            else:
                values = {"recipient_ids": [Command.link(endpoint.user_id.partner_id.id)]}
            template.send_mail(endpoint.id, email_values=values)

    def action_redeliver_failed(self):
        """Open the wizard that redelivers the failed deliveries since a date."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Redeliver Failed Deliveries"),
            "res_model": "woow.paas.webhook.redeliver",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_endpoint_id": self.id},
        }

    def _redeliver_failed(self, since):
        """Queue again every *failed* delivery of this endpoint created at or
        after ``since`` (same webhook-id, fresh schedule of retries); return
        how many. Repeating it queues nothing new until they fail again."""
        self.ensure_one()
        self.check_access("write")
        if not self.enabled:
            raise UserError(self.env._("Enable the endpoint %s before redelivering.", self.url))
        deliveries = (
            self.env["woow.paas.webhook.delivery"]
            .sudo()
            .search(
                [("endpoint_id", "=", self.id), ("state", "=", "failed"),
                 ("is_test", "=", False), ("create_date", ">=", since)],
                order="id",
            )
        )  # fmt: skip
        deliveries._requeue()
        return len(deliveries)

    def action_replay_missed(self):
        """Replay what the endpoint missed while it was disabled."""
        self.ensure_one()
        count = self._replay_missed()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Missed events replayed"),
                "message": self.env._("%s deliveries queued.", count),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _replay_missed(self):
        """Queue what this re-enabled endpoint missed while disabled and
        return how many deliveries were queued.

        That is the deliveries stopped when it was disabled (state
        *disabled*), sent again with their webhook-id, and a new delivery for
        every event it accepts that was emitted between ``disabled_at`` and
        ``reenabled_at``. Each event is delivered once per endpoint (the
        unique index), so a second replay queues nothing.
        """
        self.ensure_one()
        self.check_access("write")
        if not self.enabled:
            raise UserError(self.env._("Enable the endpoint before replaying what it missed."))
        endpoint = self.sudo()
        Delivery = self.env["woow.paas.webhook.delivery"].sudo()
        stopped = Delivery.search(
            [("endpoint_id", "=", endpoint.id), ("state", "=", "disabled")], order="id"
        )
        stopped._requeue()
        count = len(stopped)
        if endpoint.disabled_at and endpoint.reenabled_at:
            count += Delivery._fan_out_window(endpoint, endpoint.disabled_at,
                                              endpoint.reenabled_at)  # fmt: skip
        endpoint.missed_replayed = True
        return count
