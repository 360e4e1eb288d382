from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    paas_attempt = fields.Integer(
        string="Payment Attempt",
        readonly=True,
        copy=False,
        help="Which attempt of the subscription invoice's dunning this charge is (0: none).",
    )

    def _set_done(self, *, state_message=None, extra_allowed_states=()):
        """Override of `payment` to post-process subscription charges
        confirmed later by the provider's notification at once, rather than
        waiting for the hourly post-processing cron (the subscription and its
        tenants wait for it)."""
        done = super()._set_done(
            state_message=state_message, extra_allowed_states=extra_allowed_states
        )
        if done.filtered(lambda tx: tx.paas_attempt and not tx.is_post_processed):
            self.env.ref("payment.cron_post_process_payment_tx")._trigger()
        return done

    def _set_error(self, state_message, extra_allowed_states=()):
        """Override of `payment` so that a subscription charge refused later
        by the provider's notification (after a pending answer) counts as a
        failed attempt too. The charge job reports its own failures itself
        (context ``paas_offline_charge``)."""
        failed = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        if not self.env.context.get("paas_offline_charge"):
            for tx in failed.filtered("paas_attempt"):
                tx.invoice_ids.filtered("paas_subscription_id")._paas_payment_failed(
                    tx, tx.paas_attempt
                )
        return failed
