"""How ``scripts/test.sh`` spreads the suite over pytest-xdist workers.

Each worker runs on its own copy of the test database (pytest-odoo). Tests
of one class, or of one module of plain functions, go to the same worker
(``--dist loadscope``) so that a class's fixtures are set up once; the
install checks are one class per addon. The slowest units are handed out first so
that no worker is left with a long one at the end.
"""

import os
import shutil
import subprocess
from functools import partial
from unittest import mock

import pytest

# Units that take minutes: started first.
SLOW_FIRST = ("tests/test_demo_journeys.py", "tests/test_install.py", "tests/test_")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        for index, prefix in enumerate(SLOW_FIRST):
            if path.startswith(prefix):
                return index
        # Browser tours next: each is a long single test.
        return len(SLOW_FIRST) + (0 if "tour" in path else 1)

    items.sort(key=rank)


@pytest.fixture(scope="session", autouse=True)
def _worker_filestore(request, load_registry):
    """pytest-odoo points every database's filestore of a worker at the test
    database's one; tenant databases and their copies need their own. The
    worker's copy of the test database gets a copy of its files instead
    (hard links: cheap)."""
    from odoo.tests.common import get_db_name
    from odoo.tools import config

    original = request.config.getoption("--odoo-database")
    db = get_db_name()
    if not os.getenv("PYTEST_XDIST_WORKER") or not original or db == original:
        yield
        return
    root = os.path.join(config["data_dir"], "filestore")
    if os.path.isdir(os.path.join(root, original)):
        shutil.rmtree(os.path.join(root, db), ignore_errors=True)
        subprocess.run(
            ["cp", "-al", os.path.join(root, original), os.path.join(root, db)], check=True
        )
    with mock.patch.object(config, "filestore", partial(type(config).filestore, config)):
        yield
