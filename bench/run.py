"""Benchmarks of Woow PaaS, run against a real database.

Each benchmark is a function registered with :func:`bench`; it yields
``(figure, value, unit, baseline)`` tuples and this runner prints one JSON line
per figure with ``ratio = value / baseline``. Every benchmark runs in a
transaction that is rolled back, so the database stays as it was.

    python bench/run.py --config odoo.conf --database db subscriptions
"""

import argparse
import importlib
import json
import sys
from pathlib import Path

from common import BENCHES


def _load_benches():
    """Import every ``bench_*.py`` beside this file (each registers its own)."""
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        importlib.import_module(path.stem)


def main():
    _load_benches()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*BENCHES, "all"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument(
        "--size", type=int, help="records to create (each benchmark has its own default)"
    )
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = Registry(args.database)
    names = list(BENCHES) if args.name == "all" else [args.name]
    for name in names:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            try:
                for figure, value, unit, baseline in BENCHES[name](
                    env, **({"size": args.size} if args.size else {})
                ):
                    ratio = value / baseline if baseline else None
                    print(json.dumps({
                        "bench": name, "figure": figure, "value": round(value, 3), "unit": unit,
                        "baseline": round(baseline, 3), "ratio": round(ratio, 3) if ratio else None,
                    }), flush=True)  # fmt: skip
            finally:
                cr.rollback()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
