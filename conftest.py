"""How ``scripts/test.sh`` spreads the suite over pytest-xdist workers.

Each worker runs on its own copy of the test database (pytest-odoo). Tests
of one class, or of one module of plain functions, go to the same worker
(``--dist loadgroup``) so that a class's fixtures are set up once; the
install checks go one by one. The slowest units are handed out first so
that no worker is left with a long one at the end.
"""

import pytest

# Units that take minutes: started first.
SLOW_FIRST = ("tests/test_demo_journeys.py", "tests/test_install.py", "tests/test_")


def _group(item):
    path = item.nodeid.split("::", 1)[0]
    if path.endswith("tests/test_install.py"):
        return None
    if getattr(item, "cls", None) is not None:
        return f"{path}::{item.cls.__name__}"
    return path


def pytest_configure(config):
    # Known to xdist; declared for runs without it (-p no:xdist).
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")


def pytest_collection_modifyitems(config, items):
    for item in items:
        group = _group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))

    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        for index, prefix in enumerate(SLOW_FIRST):
            if path.startswith(prefix):
                return index
        # Browser tours next: each is a long single test.
        return len(SLOW_FIRST) + (0 if "tour" in path else 1)

    items.sort(key=rank)
