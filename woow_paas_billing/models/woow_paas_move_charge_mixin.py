import logging
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import PaasProviderUnavailable
from .const import (
    CHARGE_LOCKED_RETRY_SECONDS,
    CHARGEABLE_STATES,
    DEFAULT_DUNNING_DAYS,
    PARAM_DUNNING_DAYS,
    PROVIDER_DOWN_RETRY_SECONDS,
)

_logger = logging.getLogger(__name__)


class WoowPaasMoveChargeMixin(models.AbstractModel):
    """Off-session charges and dunning of subscription invoices, mixed into
    ``account.move`` (whose fields ``paas_payment_attempt``,
    ``paas_next_payment_at`` and ``paas_paid_emitted`` they use).

    Each charge is one queue job per invoice and attempt (identity key
    ``paas-charge-<invoice>-<attempt>``), the transaction of an attempt has
    the reference ``<invoice>-<attempt>`` (unique in ``payment``) and so the
    idempotency key payment sends to the provider: a job run twice, two jobs
    at once or a retried request never charge twice. Layers override these
    methods on ``account.move``.
    """

    _name = "woow.paas.move.charge.mixin"
    _description = "Woow PaaS Invoice Charges and Dunning"

    # ------------------------------------------------------------------
    # Charging
    # ------------------------------------------------------------------
    def _paas_chargeable(self):
        return self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.paas_subscription_id.state in CHARGEABLE_STATES
                and not m.currency_id.is_zero(m.amount_residual)
            )
        )

    def _paas_enqueue_charge(self, attempt, eta=None):
        """One charge job per invoice for ``attempt`` (an identical job that
        is still waiting or running is not enqueued twice)."""
        for move in self:
            move.with_delay(
                eta=eta,
                identity_key=f"paas-charge-{move.id}-{attempt}",
                description=f"Charge {move.name} (attempt {attempt})",
                # 0: unlimited. Only a provider that is down or a concurrent
                # charge of the same invoice postpone it; declines do not.
                max_retries=0,
            )._paas_charge(attempt)
        if eta:
            self.sudo().paas_next_payment_at = eta

    @api.private
    def _paas_charge(self, attempt):
        """Charge the open amount of each invoice off-session with its
        subscription's saved payment method (the job body; one invoice per
        job, or a whole batch in one call). Returns the transactions made.

        Once only: the invoices are locked (a concurrent charge of one of them
        postpones this one), an attempt whose transaction exists is skipped,
        and a transaction left in draft by an unreachable provider is charged
        again under the same reference, hence the same idempotency key.
        """
        moves = self.sudo()
        Tx = self.env["payment.transaction"].sudo()
        if not moves:
            return Tx
        try:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR UPDATE NOWAIT",
                    tuple(moves.ids),
                )
            )
        except pg_errors.LockNotAvailable as error:
            raise RetryableJobError(
                "Another charge of these invoices is running.",
                seconds=CHARGE_LOCKED_RETRY_SECONDS,
            ) from error
        moves.invalidate_recordset(["state", "payment_state", "amount_residual"])
        references = {move: f"{move.name}-{attempt}" for move in moves}
        existing = {
            tx.reference: tx for tx in Tx.search([("reference", "in", list(references.values()))])
        }
        todo = moves.filtered(
            lambda m: (
                m.state == "posted"
                and m.paas_subscription_id.state != "cancelled"
                and m.payment_state not in ("paid", "in_payment", "reversed")
                and not m.currency_id.is_zero(m.amount_residual)
                and (
                    references[m] not in existing
                    or (
                        existing[references[m]].state == "draft"
                        and not existing[references[m]].provider_reference
                    )
                )
            )
        )
        tokens = todo.paas_subscription_id._paas_payment_tokens()
        manual = todo.filtered(lambda m: not tokens[m.paas_subscription_id])
        manual._paas_manual_path(attempt)
        todo -= manual
        if not todo:
            return Tx
        new = todo.filtered(lambda m: references[m] not in existing)
        created = Tx
        # One create per saved method: payment's _check_token_is_active
        # reads token_id as a singleton.
        for token, group in new.grouped(lambda m: tokens[m.paas_subscription_id]).items():
            created |= Tx.create(
                [move._paas_transaction_vals(token, references[move], attempt) for move in group]
            )
        by_reference = existing | {tx.reference: tx for tx in created}
        txs = Tx.browse([by_reference[references[move]].id for move in todo])
        charged = Tx
        unreachable = None
        for tx in txs:
            try:
                tx.with_context(paas_offline_charge=True)._charge_with_token()
            except PaasProviderUnavailable as error:
                # Nothing reached the provider: the rest waits too.
                unreachable = error
                break
            charged |= tx
        charged_moves = charged.invoice_ids
        charged_moves.write({"paas_payment_attempt": attempt, "paas_next_payment_at": False})
        done = charged.filtered(lambda tx: tx.state == "done")
        if done:
            # Odoo's post-processing: the account.payments, reconciled.
            done._post_process()
        needs_customer = charged.filtered(lambda tx: tx.state == "draft" and tx.provider_reference)
        if needs_customer:
            # requires_action: off session the customer must step in (real
            # Stripe answers a 402 authentication_required instead).
            needs_customer.with_context(paas_offline_charge=True)._set_error(
                self.env._("The bank asks the customer to authenticate the payment.")
            )
        for tx in charged.filtered(lambda tx: tx.state in ("error", "cancel", "draft")):
            tx.invoice_ids._paas_payment_failed(tx, attempt)
        # pending/authorized: the provider's notification finishes them.
        if unreachable:
            _logger.info("Charges postponed, provider unreachable: %s", unreachable)
            raise RetryableJobError(str(unreachable), seconds=PROVIDER_DOWN_RETRY_SECONDS)
        return charged

    def _paas_transaction_vals(self, token, reference, attempt):
        self.ensure_one()
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "token_id": token.id,
            "reference": reference,
            "amount": self.amount_residual,
            "currency_id": self.currency_id.id,
            "partner_id": self.partner_id.id,
            "operation": "offline",
            "invoice_ids": [fields.Command.set(self.ids)],
            "paas_attempt": attempt,
        }

    def _paas_set_payment_attempt(self, attempt):
        """Record the attempt counter, ours alone (no computed field depends
        on it): in SQL, because account.move.write re-syncs every line of the
        moves for one integer, a twentieth of a billing run."""
        if not self:
            return
        self.flush_recordset(["paas_payment_attempt"])
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET paas_payment_attempt = %s WHERE id = ANY(%s)",
                attempt,
                self.ids,
            )
        )
        self.invalidate_recordset(["paas_payment_attempt"])

    def _paas_manual_path(self, attempt):
        """No saved payment method: the invoices wait for a bank transfer or a
        payment registered by hand. Said once, as a note on each invoice, in
        one batch (a billing run posts thousands); the subscription's chatter
        keeps to its own moves."""
        moves = self.filtered(lambda m: attempt <= 1 and not m.paas_payment_attempt)
        if not moves:
            return
        moves._paas_set_payment_attempt(attempt)
        bodies = {
            move.id: Markup("%s")
            % self.env._(
                "No saved payment method for %(customer)s: invoice %(invoice)s was not charged"
                " and stays open until it is paid by another way (bank transfer, payment"
                " registered by hand).",
                customer=move.commercial_partner_id.display_name,
                invoice=move.name,
            )
            for move in moves
        }
        moves._message_log_batch(bodies=bodies)

    # ------------------------------------------------------------------
    # Dunning
    # ------------------------------------------------------------------
    @api.model
    def _paas_dunning_days(self):
        """Days after the first failure at which a failed payment is retried
        (system parameter ``woow_paas_billing.dunning_days``, ``1,3,5,7``)."""
        raw = self.env["ir.config_parameter"].sudo().get_param(PARAM_DUNNING_DAYS) or ""
        try:
            days = sorted({int(part) for part in raw.split(",") if part.strip()})
        except ValueError:
            _logger.warning("Ignoring %s=%r: not a list of days.", PARAM_DUNNING_DAYS, raw)
            days = []
        return [d for d in days if d > 0] or list(DEFAULT_DUNNING_DAYS)

    def _paas_payment_failed(self, tx, attempt):
        """Log the failure, emit ``payment.failed``, move the subscription and
        schedule the next attempt or suspend when the schedule ran out."""
        self.ensure_one()
        sub = self.paas_subscription_id.sudo()
        reason = tx.state_message or self.env._("The payment was refused.")
        days = self._paas_dunning_days()
        retries_left = len(days) - (attempt - 1)
        first_failure = self._paas_first_failure_at(tx)
        next_at = first_failure + timedelta(days=days[attempt - 1]) if retries_left > 0 else False
        self.env["woow.paas.event"]._emit(
            "payment.failed",
            self,
            {
                "invoice": self.name,
                "amount": tx.amount,
                "currency": tx.currency_id.name,
                "attempt": attempt,
                "reason": reason,
                "transaction": tx.reference,
                "provider": tx.provider_code,
                "next_attempt_at": fields.Datetime.to_string(next_at) if next_at else None,
            },
        )
        if next_at:
            note = self.env._(
                "Payment attempt %(attempt)s of %(amount)s %(currency)s failed: %(reason)s."
                " Next attempt on %(date)s.",
                attempt=attempt, amount=tx.amount, currency=tx.currency_id.name,
                reason=reason, date=fields.Datetime.to_string(next_at),
            )  # fmt: skip
        else:
            note = self.env._(
                "Payment attempt %(attempt)s of %(amount)s %(currency)s failed: %(reason)s."
                " No attempt left: the subscription is suspended.",
                attempt=attempt, amount=tx.amount, currency=tx.currency_id.name, reason=reason,
            )  # fmt: skip
        body = Markup("%s") % note
        self.message_post(body=body)
        sub.message_post(body=Markup("%s: %s") % (self.name, note))
        if sub.state in ("trial", "active"):
            sub.action_mark_past_due()
        if next_at:
            self._paas_enqueue_charge(attempt + 1, eta=next_at)
            template = (
                "mail_template_paas_final_notice"
                if retries_left == 1
                else ("mail_template_paas_payment_failed")
            )
            self._paas_send_template(template)
        else:
            sub._paas_dunning_suspend()._paas_send_template("mail_template_paas_suspended")

    def _paas_first_failure_at(self, tx):
        """When the first attempt of this invoice failed (retries are counted
        from it, not from one another)."""
        first = (
            self.env["payment.transaction"]
            .sudo()
            .search([("invoice_ids", "in", self.ids), ("paas_attempt", "=", 1)], limit=1)
        )
        return first.last_state_change or tx.last_state_change or fields.Datetime.now()

    def _paas_send_template(self, xmlid):
        template = self.env.ref(f"woow_paas_billing.{xmlid}", raise_if_not_found=False)
        if template:
            template.sudo().send_mail(self.id)

    def _paas_on_paid(self):
        """``invoice.paid``, then the subscriptions whose posted invoices are
        all paid are active again (with their tenants)."""
        self.env["woow.paas.event"]._emit(
            "invoice.paid",
            self,
            lambda move: {
                "invoice": move.name,
                "amount": move.amount_total,
                "currency": move.currency_id.name,
                "attempt": move.paas_payment_attempt,
                "payment_state": move.payment_state,
            },
        )
        self.sudo().write({"paas_next_payment_at": False, "paas_paid_emitted": True})
        subs = self.paas_subscription_id.sudo()
        open_moves = self.sudo().search(
            [
                ("paas_subscription_id", "in", subs.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        settled = subs - open_moves.paas_subscription_id
        if settled:
            settled._paas_payment_settled()
