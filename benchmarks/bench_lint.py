"""Benchmark: lint every built-in content item (target: under 2 s).

Run: .venv/bin/python benchmarks/bench_lint.py
"""

from __future__ import annotations

import datetime
import statistics
import time

from trdcore.catalog import load_catalog
from trdcore.lint import lint_catalog
from trdcore.plugins import get_plugin_manager, rules


def main() -> None:
    manager = get_plugin_manager(load_entry_points=False)
    started = time.perf_counter()
    catalog = load_catalog(manager)
    loaded = time.perf_counter() - started
    found = rules(manager)
    as_of = datetime.date(2026, 12, 1)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        report = lint_catalog(catalog, found, as_of=as_of)
        timings.append(time.perf_counter() - started)
    print(f"catalog load: {loaded:.2f} s ({len(catalog.entries)} items)")
    print(
        f"lint {report.items} items with {len(found)} rules: "
        f"median {statistics.median(timings):.3f} s, max {max(timings):.3f} s; {report.counts()}"
    )


if __name__ == "__main__":
    main()
