#!/usr/bin/env bash
# The checks pre-commit runs, from the project's virtualenv (works offline):
# ruff, ruff-format, and pylint-odoo with the blocking configuration.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
cd "$REPO_ROOT"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
mapfile -t addons < <(ls -d woow_paas_*/)
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory "${addons[@]}"
"$VENV/bin/pylint" --rcfile=.pylintrc --exit-zero "${addons[@]}" bench tests
say "lint: clean"
