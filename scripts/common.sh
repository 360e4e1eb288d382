#!/usr/bin/env bash
# Shared set-up for scripts/run.sh, scripts/test.sh and bench/run.sh.
# Idempotent: every step checks before it acts, so re-running is cheap.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-$HOME/odoo/19.0}"
ODOO_BRANCH_URL="https://github.com/odoo/odoo.git"
VENV="${WOOW_VENV:-$REPO_ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-$(id -un)}"
export PGHOST PGPORT PGUSER
WORK_DIR="$REPO_ROOT/.work"

say() { printf '\033[1m[woow]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[woow] %s\033[0m\n' "$*" >&2; exit 1; }

ensure_odoo_src() {
    if [ ! -x "$ODOO_SRC/odoo-bin" ]; then
        if command -v git >/dev/null && timeout 20 git ls-remote --heads "$ODOO_BRANCH_URL" 19.0 >/dev/null 2>&1; then
            say "Cloning Odoo 19.0 into $ODOO_SRC (shallow)"
            git clone --depth 1 --branch 19.0 "$ODOO_BRANCH_URL" "$ODOO_SRC"
        else
            die "No Odoo 19.0 source tree at $ODOO_SRC: set ODOO_SRC to a checkout of Odoo 19.0 (with odoo-bin and addons/)."
        fi
    fi
    grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
        || die "The Odoo tree at $ODOO_SRC is not Odoo 19.0: point ODOO_SRC to a 19.0 checkout."
}

ensure_postgres() {
    command -v psql >/dev/null || die "psql is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client)."
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        # A local cluster that is merely stopped is started rather than reported.
        if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start >/dev/null 2>&1 || true
            sleep 2
        fi
        psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 \
            || die "PostgreSQL is not reachable at $PGHOST:$PGPORT as $PGUSER: start it, or set PGHOST/PGPORT/PGUSER."
    fi
    [ "$(psql -d postgres -Atqc "select rolcreatedb or rolsuper from pg_roles where rolname = current_user")" = "t" ] \
        || die "PostgreSQL role $PGUSER may not create databases: grant it CREATEDB."
}

ensure_venv() {
    local stamp="$VENV/.woow-requirements.sha"
    local want
    want="$(cat "$ODOO_SRC/requirements.txt" "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-dev.txt" "$REPO_ROOT/requirements-oca.txt" | sha1sum | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtualenv $VENV"
        "$PYTHON" -m venv "$VENV" || die "Could not create a virtualenv with $PYTHON: install python3-venv."
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing Odoo's and the project's Python requirements"
        mkdir -p "$WORK_DIR"
        # python-ldap needs system LDAP headers and no Woow PaaS addon uses LDAP.
        grep -v '^python-ldap' "$ODOO_SRC/requirements.txt" > "$WORK_DIR/odoo-requirements.txt"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check \
            -r "$WORK_DIR/odoo-requirements.txt" \
            -r "$REPO_ROOT/requirements.txt" \
            -r "$REPO_ROOT/requirements-dev.txt" \
            || die "pip could not install the requirements (see above)."
        "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
            -r "$REPO_ROOT/requirements-oca.txt" \
            || die "pip could not install the OCA addons of requirements-oca.txt (see above)."
        echo "$want" > "$stamp"
    fi
    # Odoo is used from its source tree, not installed: a .pth puts it on the path.
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_SRC" > "$site/woow-odoo-src.pth"
}

# Every Woow PaaS addon in the repo (a folder at the top with a manifest).
woow_addons() {
    local names=()
    for m in "$REPO_ROOT"/woow_paas_*/__manifest__.py; do
        [ -f "$m" ] || continue
        if "$VENV/bin/python" -c "import ast,sys; sys.exit(0 if ast.literal_eval(open(sys.argv[1]).read()).get('installable', True) else 1)" "$m"; then
            names+=("$(basename "$(dirname "$m")")")
        fi
    done
    local IFS=,
    echo "${names[*]}"
}

write_odoo_conf() {
    # $1: config path, $2: extra lines
    mkdir -p "$WORK_DIR"
    cat > "$1" <<CONF
[options]
addons_path = $ODOO_SRC/addons,$REPO_ROOT
data_dir = $WORK_DIR/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
${PGPASSWORD:+db_password = $PGPASSWORD}
http_interface = 127.0.0.1
${2:-}
CONF
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }

db_exists() { [ "$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$1'")" = "1" ]; }

setup_all() {
    ensure_odoo_src
    ensure_postgres
    ensure_venv
}

# localstripe (PyPI, GPL-3.0): a fake Stripe server for the payment tests, the
# demo and the benchmarks. It runs from its own virtualenv (its dependencies
# never touch Odoo's) as a separate process, through scripts/localstripe_launcher.py.
LOCALSTRIPE_VERSION="1.15.10"
LOCALSTRIPE_VENV="$WORK_DIR/localstripe-venv"
WOOW_LOCALSTRIPE_PORT="${WOOW_LOCALSTRIPE_PORT:-8420}"
# Test-mode Stripe providers of the Odoo started by these scripts talk to it
# (woow_paas_billing_stripe reads it when its system parameter is not set).
WOOW_STRIPE_API_BASE="${WOOW_STRIPE_API_BASE:-http://127.0.0.1:$WOOW_LOCALSTRIPE_PORT}"
export WOOW_LOCALSTRIPE_PORT WOOW_STRIPE_API_BASE
LOCALSTRIPE_PID=""

ensure_localstripe() {
    if ! "$LOCALSTRIPE_VENV/bin/python" -c "import localstripe" 2>/dev/null \
        || [ "$("$LOCALSTRIPE_VENV/bin/pip" show localstripe 2>/dev/null | sed -n 's/^Version: //p')" != "$LOCALSTRIPE_VERSION" ]; then
        say "Installing localstripe $LOCALSTRIPE_VERSION in $LOCALSTRIPE_VENV"
        mkdir -p "$WORK_DIR"
        "$PYTHON" -m venv "$LOCALSTRIPE_VENV" || die "Could not create a virtualenv with $PYTHON: install python3-venv."
        "$LOCALSTRIPE_VENV/bin/pip" install --quiet --disable-pip-version-check "localstripe==$LOCALSTRIPE_VERSION" \
            || die "pip could not install localstripe $LOCALSTRIPE_VERSION (see above)."
    fi
}

localstripe_up() {
    "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "http://127.0.0.1:$WOOW_LOCALSTRIPE_PORT/_config/stats" >/dev/null 2>&1
}

# Starts localstripe on $WOOW_LOCALSTRIPE_PORT and waits until it answers;
# stop_localstripe ends it (scripts set it as an EXIT trap).
start_localstripe() {
    ensure_localstripe
    if localstripe_up; then
        die "Port $WOOW_LOCALSTRIPE_PORT is already in use: stop what listens there or set WOOW_LOCALSTRIPE_PORT."
    fi
    "$LOCALSTRIPE_VENV/bin/python" "$REPO_ROOT/scripts/localstripe_launcher.py" \
        --port "$WOOW_LOCALSTRIPE_PORT" > "$WORK_DIR/localstripe-$WOOW_LOCALSTRIPE_PORT.log" 2>&1 &
    LOCALSTRIPE_PID=$!
    local i
    for i in $(seq 1 50); do
        if localstripe_up; then
            say "localstripe listens on port $WOOW_LOCALSTRIPE_PORT (pid $LOCALSTRIPE_PID, log .work/localstripe-$WOOW_LOCALSTRIPE_PORT.log)"
            return 0
        fi
        kill -0 "$LOCALSTRIPE_PID" 2>/dev/null || break
        sleep 0.2
    done
    die "localstripe did not start on port $WOOW_LOCALSTRIPE_PORT (see .work/localstripe-$WOOW_LOCALSTRIPE_PORT.log)."
}

stop_localstripe() {
    if [ -n "$LOCALSTRIPE_PID" ] && kill -0 "$LOCALSTRIPE_PID" 2>/dev/null; then
        kill "$LOCALSTRIPE_PID" 2>/dev/null || true
        wait "$LOCALSTRIPE_PID" 2>/dev/null || true
    fi
    LOCALSTRIPE_PID=""
}

# The demo as scripts/run.sh serves it (tests/test_demo_journeys.py builds a
# throw-away one the same way): $1 database, $2 HTTP port, $3 config path to
# write, $4 extra config lines. Writes the run config, creates the database
# with every addon and demo data (or upgrades an existing one in place), sets
# its base URL, and makes sure the demo's database tenant runs. Sets
# DEMO_TENANT to "code login password sign-in-token" ("" or "none" when there
# is none).
demo_build() {
    local db=$1 port=$2 conf=$3 extra=${4:-} addons out
    # The platform answers on 127.0.0.1 and localhost; a database tenant on
    # <code>.localhost (its database is ${db}_t_<code>; the look-ahead keeps
    # template databases, whose names have underscores, out of reach):
    # woow_paas_tenant, loaded server-wide, tells them apart by host name.
    # queue_job loaded server-wide starts its job runner with the server: billing
    # runs, provisioning (and the other background jobs) run while you watch.
    write_odoo_conf "$conf" "http_port = $port
db_name = $db
dbfilter = ^($db|${db}_t_(?=[a-z0-9-]+\$)%d)\$
list_db = False
server_wide_modules = base,web,queue_job,woow_paas_tenant
$extra"
    addons="$(woow_addons)"

    if db_exists "$db"; then
        say "Upgrading $addons in the existing database $db"
        odoo_bin -c "$conf" -d "$db" -u "$addons" -i "$addons" --stop-after-init --log-level=warn
    else
        say "Creating the demo database $db with $addons and demo data"
        odoo_bin -c "$conf" -d "$db" -i "$addons" --with-demo --stop-after-init --log-level=warn
    fi

    # Odoo's default http://localhost:<port> is replaced by the address
    # run.sh prints: payment providers send the customer back there (Stripe's
    # return URL), and a session cookie of 127.0.0.1 is not sent to
    # localhost. An address set by hand (another host name) is left alone.
    psql -d "$db" -qc "UPDATE ir_config_parameter SET value = 'http://127.0.0.1:$port'
        WHERE key = 'web.base.url' AND value ~ '^http://(localhost|127\.0\.0\.1)(:[0-9]+)?/?\$'"

    # One real database tenant to sign in to (built on the first run: ~30 s).
    DEMO_TENANT=""
    if [ "$(psql -d "$db" -Atqc "select 1 from ir_model_data where module = 'woow_paas_tenant' and name = 'tenant_northwind_dedicated_demo'" 2>/dev/null)" = "1" ]; then
        say "Making sure the demo database tenant runs"
        if out="$(odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=warn < "$REPO_ROOT/scripts/demo_tenant.py" 2>&1)"; then
            DEMO_TENANT="$(printf '%s\n' "$out" | sed -n 's/^WOOW-DEMO-TENANT //p' | tail -1)"
        else
            say "Could not provision the demo database tenant:"
            printf '%s\n' "$out" | tail -15 >&2
        fi
    fi
}
