"""Payment benchmark: off-session charges of due invoices against localstripe,
all in one run against one at a time, with the same calls (bench/run.sh
starts localstripe)."""

import os
import uuid

from common import Counter, bench

CUSTOMERS = 20


def _payments_fixture(env, size):
    """A Stripe provider in test mode on localstripe, customers with a saved
    card and a running subscription, and ``2 * size`` posted invoices, all
    rolled back with the benchmark."""
    from odoo import Command

    base = os.environ.get(
        "WOOW_STRIPE_API_BASE",
        f"http://127.0.0.1:{os.environ.get('WOOW_LOCALSTRIPE_PORT', '8420')}",
    )
    ICP = env["ir.config_parameter"].sudo()
    ICP.set_param("woow_paas_billing_stripe.api_base", base)
    # Idempotency keys derive from it; localstripe keeps them across runs.
    ICP.set_param("database.uuid", str(uuid.uuid4()))
    provider = env.ref("payment.payment_provider_stripe")
    provider.write(
        {"state": "test", "stripe_secret_key": "sk_test_bench", "stripe_publishable_key":
         "pk_test_bench", "stripe_webhook_secret": "whsec_bench", "allow_tokenization": True}
    )  # fmt: skip
    plan = env["woow.paas.plan"].create({"name": "Bench Pay", "code": "bench-pay", "price": 30})
    partners = env["res.partner"].create(
        [{"name": f"Bench Payer {n}", "is_company": True} for n in range(CUSTOMERS)]
    )
    subs = env["woow.paas.subscription"].create(
        [{"partner_id": p.id, "plan_id": plan.id} for p in partners]
    )
    subs.action_activate()
    client = provider._paas_stripe_client()
    for partner in partners:
        method = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12,
                                             "exp_year": 2035, "cvc": "123"}}
        )  # fmt: skip
        provider._paas_stripe_save_card(partner, method.id)
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": subs[n % CUSTOMERS].partner_id.id,
                "paas_subscription_id": subs[n % CUSTOMERS].id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Period",
                            "quantity": 1,
                            "price_unit": 30 + n % 7,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
            for n in range(2 * size)
        ]
    )
    moves.action_post()
    return moves[:size], moves[size:]


@bench
def payments(env, size=1000):
    """Charge ``size`` posted invoices in one run (one call over the batch),
    then ``size`` others one at a time (one call per invoice, as one job per
    invoice does); each charge is a real PaymentIntent at localstripe, then
    Odoo's payment, reconciled."""
    batch, single = _payments_fixture(env, size)
    with Counter(env) as one_run:
        txs = batch._paas_charge(1)
    assert len(txs) == size and set(txs.mapped("state")) == {"done"}, set(txs.mapped("state"))
    with Counter(env) as one_by_one:
        txs = env["payment.transaction"]
        for move in single:
            txs |= move._paas_charge(1)
    assert set(txs.mapped("state")) == {"done"}
    paid = (batch | single).filtered(lambda m: m.payment_state in ("paid", "in_payment"))
    assert len(paid) == 2 * size, len(paid)
    yield ("charges per second, one run", size / one_run.seconds, "charges/s",
           size / one_by_one.seconds)  # fmt: skip
    yield ("SQL queries per charge, one run", one_run.queries / size, "queries",
           one_by_one.queries / size)  # fmt: skip
