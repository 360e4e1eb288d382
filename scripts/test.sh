#!/usr/bin/env bash
# Set up, then run the whole test suite through pytest (pytest-odoo): the
# addons' Python and browser tests on a fresh test database, and the install /
# upgrade / uninstall checks in tests/. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
T0=$(date +%s)
setup_all

ensure_chromium() {
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null && return 0
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        say "Installing Debian's chromium for the browser tests"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
            || die "Could not install chromium with apt-get: install a Chromium or Chrome browser for the browser tests."
    else
        die "No Chromium browser found: install Debian's chromium package (apt-get install chromium) for the browser tests."
    fi
}
ensure_chromium

ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        say "Installing Debian's wkhtmltopdf for the invoice PDF tests"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null; } \
            || die "Could not install wkhtmltopdf with apt-get: install it for the invoice PDF tests."
    else
        die "No wkhtmltopdf found: install Debian's wkhtmltopdf package (apt-get install wkhtmltopdf) for the invoice PDF tests."
    fi
}
ensure_wkhtmltopdf

DB="${WOOW_TEST_DB:-woow_paas_test}"
CONF="$WORK_DIR/odoo-test.conf"
write_odoo_conf "$CONF" "db_name = $DB
dbfilter = ^$DB\$
list_db = False
http_port = ${WOOW_TEST_PORT:-8069}
workers = 0
max_cron_threads = 0"
ADDONS="$(woow_addons)"

# A fresh database each run: tests must never depend on a previous run's state.
say "Creating the test database $DB with $ADDONS (no demo data)"
dropdb --if-exists "$DB"
rm -rf "$WORK_DIR/data/filestore/$DB"
odoo_bin -c "$CONF" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn

# The payment tests charge against localstripe, started here and stopped on exit.
start_localstripe

# Throw-away databases of the checks in tests/ (see tests/odoo_process.py).
IT_PREFIX="${WOOW_IT_PREFIX:-woow_it}"
drop_it_databases() {
    local db
    for db in $(psql -d postgres -Atqc "select datname from pg_database where datname <> '$DB' and (datname like '${IT_PREFIX}\_%' or datname like '$DB-gw%')"); do
        dropdb --if-exists --force "$db"
        rm -rf "$WORK_DIR/data/filestore/$db"
    done
}
trap 'stop_localstripe; drop_it_databases' EXIT
drop_it_databases

# pytest-xdist: one worker per core, each on its own copy of the test database.
WORKERS="${WOOW_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
[ "$WORKERS" -ge 2 ] 2>/dev/null || WORKERS=2

export WOOW_ODOO_CONF="$CONF" WOOW_ODOO_BIN="$ODOO_SRC/odoo-bin" WOOW_PYTHON="$VENV/bin/python" WOOW_ADDONS="$ADDONS" WOOW_IT_PREFIX="$IT_PREFIX"
cd "$REPO_ROOT"
IFS=, read -r -a addon_dirs <<< "$ADDONS"
say "Running the suite on $WORKERS workers"
started=$(date +%s)
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider --rootdir="$REPO_ROOT" --confcutdir="$REPO_ROOT" -n "$WORKERS" --dist loadscope --durations=15 \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=warn \
    "${addon_dirs[@]}" tests "$@"
rc=$?
set -e
say "The suite took $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s; the whole command $(( ($(date +%s) - T0) / 60 )) min $(( ($(date +%s) - T0) % 60 )) s"
if [ "$rc" = "5" ]; then
    say "pytest collected no test: that is a failure."
    exit 1
fi
exit "$rc"
