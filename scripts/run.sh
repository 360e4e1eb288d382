#!/usr/bin/env bash
# Set up, then start Odoo on a local demo database with every Woow PaaS addon
# installed and demo data loaded. Safe to re-run: an existing database is
# upgraded in place rather than recreated.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all

DB="${WOOW_DB:-woow_paas_demo}"
PORT="${WOOW_PORT:-8069}"
CONF="$WORK_DIR/odoo-run.conf"

# The demo's Stripe provider (test mode) charges against localstripe.
trap stop_localstripe EXIT
start_localstripe

# The database with demo data (created, or upgraded in place), the run
# config and the demo's database tenant: see demo_build in common.sh.
demo_build "$DB" "$PORT" "$CONF"
if [ -n "$DEMO_TENANT" ] && [ "$DEMO_TENANT" != "none" ]; then
    read -r T_CODE T_LOGIN T_PASSWORD T_TOKEN <<< "$DEMO_TENANT"
    T_URL="http://$T_CODE.localhost:$PORT"
    T_LINK=""
    if [ -n "${T_TOKEN:-}" ] && [ "$T_TOKEN" != "-" ]; then
        T_LINK="
    or once, without the password: $T_URL/woow_paas_agent/signin?token=$T_TOKEN"
    fi
    DEMO_TENANT_MSG="
  A database tenant (its own Odoo database, woow_paas_tenant):
    $T_URL   login $T_LOGIN   password $T_PASSWORD$T_LINK
"
else
    DEMO_TENANT_MSG=""
fi

cat <<MSG

  Woow PaaS is starting at http://127.0.0.1:$PORT  (database $DB)

  Demo logins (login / password):
    admin         / admin          administrator, PaaS Manager
    paas.manager  / paas.manager   PaaS Manager
    paas.user     / paas.user      PaaS User
    paas.portal   / paas.portal    portal user of the customer "Northwind Analytics"
                                   (its pages come with woow_paas_portal)

  REST API (woow_paas_api): reference at http://127.0.0.1:$PORT/api/v1/docs
    operator key (PaaS Manager):   wpk_demo_operator_key_do_not_use_in_production
    customer key (Northwind):      wpk_demo_customer_key_do_not_use_in_production
    curl -H "Authorization: Bearer wpk_demo_customer_key_do_not_use_in_production" \\
         http://127.0.0.1:$PORT/api/v1/tenants

  Mail: a demo sends none; its outgoing mails (sign-up confirmation, "your
    tenant is ready" with the sign-in link...) are at
    http://127.0.0.1:$PORT/paas/demo/mailbox (a visitor reads the mails of its
    own sign-ups; signed in as an operator, all of them)

  Payments: the demo Stripe provider (test mode) talks to localstripe at
    http://127.0.0.1:$WOOW_LOCALSTRIPE_PORT (test cards: 4242424242424242 pays,
    4000000000000341 is declined at charge time)

$DEMO_TENANT_MSG
  Background jobs (billing runs, provisioning...) run in queue_job's job
  runner, started with this server: PaaS > Billing > Billing Runs, and
  Settings > Technical > Queue Jobs to watch them.

  Stop with Ctrl-C.

MSG
# Not exec: the EXIT trap stops localstripe when Odoo ends.
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DB" "$@"
