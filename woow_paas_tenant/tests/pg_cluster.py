"""A second, throw-away PostgreSQL cluster for the database-per-tenant tests
(and the benchmark), plus an ``odoo-bin`` serving it by host name.

Started once per test run (``initdb`` + ``pg_ctl`` into ``.work/``, on a free
port) and stopped at exit; the template database built on it is shared by
every test of the run.
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import time

import odoo.release
from odoo.tools import config

PG_BIN = os.environ.get("WOOW_PG_BIN", "/usr/lib/postgresql/15/bin")
ROLE = "woow_tenant_pg"
PASSWORD = "woow-tenant-pg-test"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd):
    """initdb and postgres refuse to run as root: run them as ``postgres``."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class SecondCluster:
    _instance = None

    def __init__(self):
        work = os.path.dirname(os.path.abspath(config["data_dir"]))
        tag = os.environ.get("WOOW_IT_PREFIX", "woow_it")
        self.datadir = os.path.join(work, f"pg2-{tag}-{os.getpid()}")
        self.port = free_port()
        self.prefix = f"{tag}_t_"
        self.odoo_proc = None
        self.odoo_port = None
        self.templates = {}

    @classmethod
    def get(cls):
        """The run's cluster, started on first use."""
        if cls._instance is None:
            cluster = cls()
            cluster.start()
            atexit.register(cluster.stop)
            cls._instance = cluster
        return cls._instance

    @property
    def conninfo(self):
        return {"host": "127.0.0.1", "port": self.port, "user": ROLE, "password": PASSWORD}

    def start(self):
        shutil.rmtree(self.datadir, ignore_errors=True)
        os.makedirs(self.datadir)
        pwfile = os.path.join(self.datadir, "pw")
        pgdata = os.path.join(self.datadir, "data")
        with open(pwfile, "w") as f:
            f.write(PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    f"{PG_BIN}/initdb",
                    "-D",
                    pgdata,
                    "-U",
                    ROLE,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                [
                    f"{PG_BIN}/pg_ctl",
                    "-D",
                    pgdata,
                    "-w",
                    "-l",
                    os.path.join(self.datadir, "log"),
                    "-o",
                    (
                        f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c full_page_writes=off"
                    ),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        # An empty database that the serving odoo-bin's filter also matches,
        # like a platform database next to its tenants: only the host name
        # tells them apart (see woow_paas_tenant/dbfilter.py).
        from odoo.addons.woow_paas_tenant import pgtools

        pgtools.create_db_from_template(self.conninfo, f"{self.prefix}platform", "template0")

    def stop(self):
        self.stop_odoo()
        subprocess.run(
            _as_postgres(
                [
                    f"{PG_BIN}/pg_ctl",
                    "-D",
                    os.path.join(self.datadir, "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.datadir, ignore_errors=True)
        filestore = os.path.join(config["data_dir"], "filestore")
        if os.path.isdir(filestore):
            for name in os.listdir(filestore):
                if name.startswith(self.prefix):
                    shutil.rmtree(os.path.join(filestore, name), ignore_errors=True)

    def start_odoo(self, dbfilter):
        """An ``odoo-bin`` serving this cluster's databases by host name
        (woow_paas_tenant loaded server-wide for its db_filter); returns
        its port."""
        if self.odoo_proc and self.odoo_proc.poll() is None:
            return self.odoo_port
        self.odoo_port = free_port()
        odoo_bin = os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))), "odoo-bin"
        )
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        self.odoo_log = open(os.path.join(self.datadir, "odoo.log"), "w")  # noqa: SIM115
        self.odoo_proc = subprocess.Popen(
            [
                sys.executable,
                odoo_bin,
                f"--addons-path={','.join(config['addons_path'])}",
                f"--data-dir={config['data_dir']}",
                "--db_host=127.0.0.1",
                f"--db_port={self.port}",
                f"--db_user={ROLE}",
                f"--db-filter={dbfilter}",
                "--no-database-list",
                "--http-interface=127.0.0.1",
                f"--http-port={self.odoo_port}",
                "--workers=0",
                "--max-cron-threads=0",
                "--log-level=warn",
                "--load=base,web,woow_paas_tenant",
            ],
            env=env,
            stdout=self.odoo_log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.odoo_port), timeout=1):
                    return self.odoo_port
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("odoo-bin serving the second cluster did not start")

    def stop_odoo(self):
        if self.odoo_proc and self.odoo_proc.poll() is None:
            self.odoo_proc.terminate()
            try:
                self.odoo_proc.wait(15)
            except subprocess.TimeoutExpired:
                self.odoo_proc.kill()
        self.odoo_proc = None
