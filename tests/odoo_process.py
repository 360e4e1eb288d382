"""Real ``odoo-bin`` processes on throw-away databases, for the checks in
this folder. Settings come from ``scripts/test.sh`` through ``WOOW_*``
environment variables.

``new_database`` installs addons on a new database the way ``odoo-bin -i``
does on an empty one, but starts from a copy of a template database that
already holds the addons' Odoo dependencies (their transitive closure, with
or without demo data). Each template is built once per run, by whichever
pytest worker needs it first (a file lock keeps the others waiting), with
the same log check as every install: Odoo's own modules are installed and
checked once instead of once per addon. Templates are nested (a template
starts from the largest smaller one), so Odoo's ``mail`` or ``account`` are
installed once per run. ``scripts/test.sh`` drops them at the end.
"""

import ast
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

LOG_PROBLEM = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE
)
ROOT = Path(__file__).resolve().parent.parent
ADDONS = [a for a in os.environ.get("WOOW_ADDONS", "woow_paas_core").split(",") if a]
# Several checkouts may run these checks at once on one PostgreSQL.
DB_PREFIX = os.environ.get("WOOW_IT_PREFIX", "woow_it")
TEMPLATE_PREFIX = f"{DB_PREFIX}_tpl_"
READY = "woow-template-ready"


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with scripts/test.sh")
    return value


def _odoo(*args, stdin=None):
    cmd = [_env("WOOW_PYTHON"), _env("WOOW_ODOO_BIN"), *args]
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, timeout=900, check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{output[-4000:]}"
    problems = [
        m.group(0) + output[m.end() :].split("\n", 1)[0] for m in LOG_PROBLEM.finditer(output)
    ]
    assert not problems, "warnings or errors in the log:\n" + "\n".join(problems)
    return output


def _psql(db, sql):
    return subprocess.run(
        ["psql", "-d", db, "-Atqc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def _server(db, *args):
    conf = _env("WOOW_ODOO_CONF")
    # The test config filters on the test database; these runs use their own.
    return _odoo("-c", conf, "-d", db, f"--db-filter=^{db}$", "--stop-after-init",
                 "--log-level=warn", *args)  # fmt: skip


def _data_dir():
    for line in Path(_env("WOOW_ODOO_CONF")).read_text(encoding="utf-8").splitlines():
        key, _sep, value = line.partition("=")
        if key.strip() == "data_dir":
            return Path(value.strip())
    return Path.home() / ".local/share/Odoo"


def drop_database(db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    shutil.rmtree(_data_dir() / "filestore" / db, ignore_errors=True)


def _copy_database(source, target):
    drop_database(target)
    subprocess.run(["createdb", "-T", source, target], check=True)
    filestore = _data_dir() / "filestore"
    if (filestore / source).is_dir():
        # Hard links: cheap, and a file the copy deletes stays in the template.
        subprocess.run(["cp", "-al", str(filestore / source), str(filestore / target)], check=True)


@cache
def _manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


def odoo_dependencies(addons):
    """The Odoo (non Woow PaaS) modules ``addons`` depend on, through their
    Woow PaaS dependencies too; ``base`` goes without saying."""
    found, todo, seen = set(), list(addons), set()
    while todo:
        addon = todo.pop()
        if addon in seen:
            continue
        seen.add(addon)
        for dep in _manifest(addon).get("depends", []):
            if (ROOT / dep / "__manifest__.py").is_file():
                todo.append(dep)
            elif dep != "base":
                found.add(dep)
    return frozenset(found)


def _template_keys():
    keys = {odoo_dependencies([addon]) for addon in ADDONS}
    # The suite's own sets (see the worker checks) belong to the same family.
    keys.add(odoo_dependencies(ADDONS))
    return keys


def _template(modules, demo):
    """The ready template holding ``modules`` (a frozenset), built on first use."""
    tag = hashlib.sha1(",".join(sorted(modules)).encode()).hexdigest()[:10]
    name = f"{TEMPLATE_PREFIX}{'demo' if demo else 'nodemo'}_{tag}"
    locks = _data_dir().parent / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        exists = _psql(
            "postgres",
            "select shobj_description(oid, 'pg_database') from pg_database"
            f" where datname = '{name}'",
        )
        if exists == READY:
            return name
        # The largest smaller template of the family is the starting point.
        parents = [key for key in _template_keys() if key < modules]
        parent = max(parents, key=len, default=None)
        if parent:
            _copy_database(_template(parent, demo), name)
            todo = modules - parent
        else:
            drop_database(name)
            todo = modules | {"base"}
        if todo:
            _server(name, "-i", ",".join(sorted(todo)), *(["--with-demo"] if demo else []))
        subprocess.run(
            ["psql", "-d", "postgres", "-qc", f"COMMENT ON DATABASE \"{name}\" IS '{READY}'"],
            check=True,
        )
        return name


def new_database(db, addons, demo=False):
    """A new database ``db`` with ``addons`` installed (``odoo-bin -i``, log
    checked), as if installed on an empty database."""
    _copy_database(_template(odoo_dependencies(addons), demo), db)
    return _server(db, "-i", ",".join(addons), *(["--with-demo"] if demo else []))
