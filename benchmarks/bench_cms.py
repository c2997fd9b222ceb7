"""Benchmark: exporting the whole built-in catalog in every CMS format.

Target (issue 8): all CMS formats (hugo with each of its profiles: hugo,
decap, jekyll, astro; and wordpress) together in under 5 s. Measures each
export in-process as `trdcore export` runs it (run_export: the content-rules
gate lints the catalog, then the exporter runs) plus writing the files to
disk, and the exporters alone, in memory; best of N runs. The catalog is loaded once
(that is `trdcore validate`'s and the catalog's own cost, measured elsewhere).

Run:  .venv/bin/python benchmarks/bench_cms.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

TARGETS = (
    ("hugo", {"profile": "hugo"}),
    ("hugo", {"profile": "decap"}),
    ("hugo", {"profile": "jekyll"}),
    ("hugo", {"profile": "astro"}),
    ("wordpress", {}),
)
TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from trdcore import load_catalog
    from trdcore.exporting import run_export, write_export
    from trdcore.extensions import ExportContext
    from trdcore.plugins import exporters, get_plugin_manager

    manager = get_plugin_manager(environ={})
    catalog = load_catalog(manager)
    found = exporters(manager)
    alone = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for target, options in TARGETS:
            found[target].export(ExportContext(catalog=catalog, options=options))
        alone.append(time.perf_counter() - start)
    rows: dict[str, float] = {}
    files = 0
    totals = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            start_all = time.perf_counter()
            files = 0
            for target, options in TARGETS:
                label = f"{target} --profile {options['profile']}" if options else target
                start = time.perf_counter()
                result = run_export(target, manager=manager, catalog=catalog, options=options)
                out = Path(folder) / label.replace(" ", "_")
                written = write_export(result, out, target=target)
                elapsed = time.perf_counter() - start
                files += len(written)
                rows[label] = min(rows.get(label, elapsed), elapsed)
            totals.append(time.perf_counter() - start_all)
    entries = len(catalog.entries)
    print(f"catalog: {entries} entries; best of {args.runs} runs; export + write to disk")
    for label, seconds in rows.items():
        print(f"  {label:<28} {1000 * seconds:8.1f} ms")
    total = min(totals)
    verdict = "meets" if total < TARGET_SECONDS else "MISSES"
    print(f"  {'all formats':<28} {1000 * total:8.1f} ms  ({files} files; {verdict} < 5 s)")
    print(
        f"  {'exporters alone, in memory':<28} {1000 * min(alone):8.1f} ms  "
        "(without the content-rules gate and the disk)"
    )


if __name__ == "__main__":
    main()
