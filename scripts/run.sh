#!/usr/bin/env bash
# Set up, then start Odoo on a local demo database with every Woow PaaS addon
# installed and demo data loaded. Safe to re-run: an existing database is
# upgraded in place rather than recreated.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all

DB="${WOOW_DB:-woow_paas_demo}"
PORT="${WOOW_PORT:-8069}"
CONF="$WORK_DIR/odoo-run.conf"
# The platform answers on 127.0.0.1 and localhost; a database tenant on
# <code>.localhost (its database is ${DB}_t_<code>; the look-ahead keeps
# template databases, whose names have underscores, out of reach):
# woow_paas_tenant, loaded server-wide, tells them apart by host name.
# queue_job loaded server-wide starts its job runner with the server: billing
# runs, provisioning (and the other background jobs) run while you watch.
write_odoo_conf "$CONF" "http_port = $PORT
db_name = $DB
dbfilter = ^($DB|${DB}_t_(?=[a-z0-9-]+\$)%d)\$
list_db = False
server_wide_modules = base,web,queue_job,woow_paas_tenant"
ADDONS="$(woow_addons)"

if db_exists "$DB"; then
    say "Upgrading $ADDONS in the existing database $DB"
    odoo_bin -c "$CONF" -d "$DB" -u "$ADDONS" -i "$ADDONS" --stop-after-init --log-level=warn
else
    say "Creating the demo database $DB with $ADDONS and demo data"
    odoo_bin -c "$CONF" -d "$DB" -i "$ADDONS" --with-demo --stop-after-init --log-level=warn
fi

# The address printed below, not Odoo's default http://localhost:<port>:
# payment providers send the customer back there (Stripe's return URL), and
# a session cookie of 127.0.0.1 is not sent to localhost. An address set by
# hand (another host name) is left alone.
psql -d "$DB" -qc "UPDATE ir_config_parameter SET value = 'http://127.0.0.1:$PORT'
    WHERE key = 'web.base.url' AND value ~ '^http://(localhost|127\.0\.0\.1)(:[0-9]+)?/?\$'"

# The demo's Stripe provider (test mode) charges against localstripe.
trap stop_localstripe EXIT
start_localstripe

# One real database tenant to sign in to (built on the first run: ~30 s).
DEMO_TENANT=""
if [ "$(psql -d "$DB" -Atqc "select 1 from ir_model_data where module = 'woow_paas_tenant' and name = 'tenant_northwind_dedicated_demo'" 2>/dev/null)" = "1" ]; then
    say "Making sure the demo database tenant runs"
    if out="$(odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=warn < "$REPO_ROOT/scripts/demo_tenant.py" 2>&1)"; then
        DEMO_TENANT="$(printf '%s\n' "$out" | sed -n 's/^WOOW-DEMO-TENANT //p' | tail -1)"
    else
        say "Could not provision the demo database tenant (the platform still starts):"
        printf '%s\n' "$out" | tail -15 >&2
    fi
fi
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
    http://127.0.0.1:$PORT/paas/demo/mailbox

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
