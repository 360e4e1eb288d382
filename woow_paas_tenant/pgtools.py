"""Low-level helpers for database-per-tenant mode: connections to the
PostgreSQL servers the platform knows, databases, filestores and the
``odoo-bin`` process that builds a template.

Kept free of the ORM so that the provisioning steps, the tests and the
benchmarks drive the same code.
"""

import logging
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from contextlib import contextmanager

import psycopg2
from psycopg2 import errorcodes, sql

import odoo.release
from odoo.tools import config

_logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
# SQLSTATEs worth retrying: the server is starting or shutting down, a lock or
# the template is busy, too many connections.
TRANSIENT_PGCODES = {
    errorcodes.CANNOT_CONNECT_NOW,
    errorcodes.ADMIN_SHUTDOWN,
    errorcodes.CRASH_SHUTDOWN,
    errorcodes.TOO_MANY_CONNECTIONS,
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.OBJECT_IN_USE,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
}


class TransientError(Exception):
    """A failure that may pass by itself (server unreachable, lock timeout):
    the provisioning job retries it with backoff."""


def is_transient(exc):
    """Whether a psycopg2 error is worth retrying."""
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, psycopg2.OperationalError) and not getattr(exc, "pgcode", None):
        return True  # could not connect, connection lost
    return getattr(exc, "pgcode", None) in TRANSIENT_PGCODES


@contextmanager
def connect(server, dbname="postgres", autocommit=True):
    """A psycopg2 connection to ``dbname`` on ``server`` (a dict with host,
    port, user, password), closed on exit; connection failures become
    :class:`TransientError`."""
    try:
        conn = psycopg2.connect(
            host=server["host"],
            port=server["port"],
            user=server["user"] or None,
            password=server["password"] or None,
            dbname=dbname,
            connect_timeout=CONNECT_TIMEOUT,
        )
    except psycopg2.OperationalError as exc:
        raise TransientError(
            f"PostgreSQL server {server['host']}:{server['port']} refused the connection: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc}"
        ) from exc
    try:
        conn.autocommit = autocommit
        yield conn
        if not autocommit:
            conn.commit()
    finally:
        conn.close()


def db_exists(server, dbname):
    with connect(server) as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        return bool(cr.fetchone())


def create_db_from_template(server, dbname, template):
    """``CREATE DATABASE dbname TEMPLATE template``; one atomic statement, so
    a failure leaves no database behind."""
    with connect(server) as conn, conn.cursor() as cr:
        cr.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(dbname), sql.Identifier(template)
            )
        )


def rename_db(server, old, new):
    """``ALTER DATABASE old RENAME TO new`` (nobody may be connected to it)."""
    with connect(server) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [old],
        )
        cr.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(old), sql.Identifier(new)
            )
        )


def rename_filestore(old, new):
    if os.path.isdir(filestore_path(old)) and not os.path.exists(filestore_path(new)):
        os.rename(filestore_path(old), filestore_path(new))


def drop_db(server, dbname):
    """Drop ``dbname`` if it exists (terminating its connections)."""
    with connect(server) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))


def db_size(server, dbname):
    with connect(server) as conn, conn.cursor() as cr:
        cr.execute("SELECT pg_database_size(%s)", [dbname])
        return cr.fetchone()[0]


def filestore_path(dbname):
    return os.path.join(config.filestore(dbname))


def copy_filestore(source_db, target_db):
    """Copy the filestore of ``source_db`` to ``target_db`` through a
    temporary folder renamed at the end, so that a crash never leaves a
    half-copied filestore under the target's name. Returns False when the
    target already exists (nothing copied)."""
    target = filestore_path(target_db)
    if os.path.isdir(target):
        return False
    source = filestore_path(source_db)
    tmp = f"{target}.tmp-{uuid.uuid4().hex[:8]}"
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.isdir(source):
        shutil.copytree(source, tmp)
    else:
        os.makedirs(tmp)
    os.rename(tmp, target)
    return True


def filestore_size(dbname):
    """Bytes in the filestore of ``dbname`` (0 when it has none)."""
    total = 0
    for folder, _dirs, files in os.walk(filestore_path(dbname)):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:  # removed by Odoo's garbage collector meanwhile
                continue
    return total


def remove_filestore(dbname):
    shutil.rmtree(filestore_path(dbname), ignore_errors=True)


def odoo_command(server, dbname, *args):
    """The ``odoo-bin`` command line (and environment) that works on
    ``dbname`` of ``server`` with this process's addons and data folder."""
    odoo_bin = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))), "odoo-bin"
    )
    cmd = [
        sys.executable,
        odoo_bin,
        f"--addons-path={','.join(config['addons_path'])}",
        f"--data-dir={config['data_dir']}",
        f"--db_host={server['host']}",
        f"--db_port={server['port']}",
        f"--db_user={server['user']}",
        "--no-database-list",
        "--max-cron-threads=0",
        "--log-level=warn",
        "-d",
        dbname,
        *args,
    ]
    env = dict(os.environ)
    # The password goes through libpq's environment, not the command line
    # that any local user can read.
    if server["password"]:
        env["PGPASSWORD"] = server["password"]
    return cmd, env


def build_template(server, dbname, modules, languages=None, timeout=1800):
    """Build ``dbname`` on ``server`` with ``modules`` installed by a
    separate ``odoo-bin -i ... --stop-after-init`` process (dropping any
    previous one of that name first). Returns the process output; raises
    RuntimeError with the end of the log when it fails (and drops what it
    made)."""
    drop_db(server, dbname)
    remove_filestore(dbname)
    args = ["-i", ",".join(modules), "--stop-after-init", "--no-http"]
    if languages:
        args.append(f"--load-language={','.join(languages)}")
    cmd, env = odoo_command(server, dbname, *args)
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or " CRITICAL " in output:
        drop_db(server, dbname)
        remove_filestore(dbname)
        raise RuntimeError(output[-2000:] or f"odoo-bin exited with {proc.returncode}")
    return output


def _client_env(server):
    env = dict(os.environ)
    if server["password"]:
        env["PGPASSWORD"] = server["password"]
    return env


def _client_args(server):
    return ["-h", server["host"], "-p", str(server["port"]), "-U", server["user"]]


def dump_db(server, dbname, path):
    """``pg_dump -Fc`` of ``dbname`` into ``path`` (written under a temporary
    name, renamed once complete), checked by ``pg_restore --list``."""
    tmp = f"{path}.tmp"
    proc = subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-f", tmp, *_client_args(server), dbname],
        env=_client_env(server),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not check_dump(tmp):
        if os.path.exists(tmp):
            os.remove(tmp)
        raise RuntimeError((proc.stderr or "pg_dump failed").strip().splitlines()[-1])
    os.rename(tmp, path)


def check_dump(path):
    """Whether ``path`` is a readable custom-format dump."""
    if not os.path.isfile(path):
        return False
    proc = subprocess.run(["pg_restore", "--list", path], capture_output=True, check=False)
    return proc.returncode == 0


def restore_db(server, dbname, path):
    """Create ``dbname`` empty and restore ``path`` into it; on failure the
    database is dropped again."""
    create_db_from_template(server, dbname, "template0")
    proc = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", dbname, *_client_args(server), path],
        env=_client_env(server),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        drop_db(server, dbname)
        raise RuntimeError((proc.stderr or "pg_restore failed").strip().splitlines()[-1])


def archive_filestore(dbname, path):
    """The filestore of ``dbname`` as a tar.gz at ``path`` (an empty archive
    when it has none)."""
    source = filestore_path(dbname)
    tmp = f"{path}.tmp"
    with tarfile.open(tmp, "w:gz") as tar:
        if os.path.isdir(source):
            tar.add(source, arcname=".")
    os.rename(tmp, path)


def restore_filestore(dbname, path):
    target = filestore_path(dbname)
    tmp = f"{target}.tmp-{uuid.uuid4().hex[:8]}"
    os.makedirs(tmp)
    with tarfile.open(path, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    os.rename(tmp, target)
