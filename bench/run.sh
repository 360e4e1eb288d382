#!/usr/bin/env bash
# Run a named benchmark (or "all") on a fresh benchmark database and print one
# JSON object per figure: {"bench", "figure", "value", "unit", "baseline", "ratio"}.
#   bash bench/run.sh subscriptions
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
NAME="${1:-all}"
shift || true
setup_all >&2
DB="${WOOW_BENCH_DB:-woow_paas_bench}"
CONF="$WORK_DIR/odoo-bench.conf"
write_odoo_conf "$CONF" "db_name = $DB
list_db = False
workers = 0
max_cron_threads = 0"
ADDONS="$(woow_addons)"
if [ -z "${WOOW_BENCH_REUSE:-}" ] || ! db_exists "$DB"; then
    say "Creating the benchmark database $DB" 
    dropdb --if-exists "$DB"
    odoo_bin -c "$CONF" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn >&2
fi
# The payment benchmark charges against localstripe.
trap stop_localstripe EXIT
start_localstripe
"$VENV/bin/python" "$REPO_ROOT/bench/run.py" --config "$CONF" --database "$DB" "$NAME" "$@"
