"""Benchmark: lint every built-in content item (target: under 2 s).

Times a first lint of the catalog (a fresh Engine each run, so nothing is kept)
and a repeated lint with the same engine, which the export gate does once per
export and which the report the engine keeps answers.

Run: .venv/bin/python benchmarks/bench_lint.py
"""

from __future__ import annotations

import datetime
import statistics
import time

from trdcore import Engine, load_catalog
from trdcore.lint import lint_catalog
from trdcore.plugins import get_plugin_manager, rules


def main() -> None:
    manager = get_plugin_manager(load_entry_points=False)
    started = time.perf_counter()
    catalog = load_catalog(manager)
    loaded = time.perf_counter() - started
    as_of = datetime.date(2026, 12, 1)
    first, repeated = [], []
    for _ in range(5):
        engine = Engine.for_catalog(catalog)  # nothing linted yet
        started = time.perf_counter()
        report = lint_catalog(catalog, rules(manager), as_of=as_of, engine=engine)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        # The rules made afresh, as for each export.
        again = lint_catalog(catalog, rules(manager), as_of=as_of, engine=engine)
        repeated.append(time.perf_counter() - started)
        assert again is report
    print(f"catalog load: {loaded:.2f} s ({len(catalog.entries)} items)")
    print(
        f"first lint of {report.items} items with {len(report.rules)} rules: "
        f"median {statistics.median(first):.3f} s, max {max(first):.3f} s; {report.counts()}"
    )
    print(
        f"repeated lint of the same catalog (cached): median "
        f"{1000 * statistics.median(repeated):.2f} ms, max {1000 * max(repeated):.2f} ms"
    )


if __name__ == "__main__":
    main()
