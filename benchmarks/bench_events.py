"""Benchmark: trials_from_events on dispensing-events documents (OMOP fills), documents/s.

Input: an NDJSON of dispensing-events documents, for example the fills of a generated CDM:

    scripts/build-omop-fixture build/bench/cdm-10000.duckdb --persons 10000 --no-designed
    trdcore import omop build/bench/cdm-10000.duckdb --events --out /tmp/events.ndjson
    .venv/bin/python benchmarks/bench_events.py /tmp/events.ndjson

Side by side with an older commit, in one run (the same file, the same machine):

    git worktree add /tmp/base COMMIT
    PYTHONPATH=/tmp/base/src .venv/bin/python benchmarks/bench_events.py /tmp/events.ndjson
    .venv/bin/python benchmarks/bench_events.py /tmp/events.ndjson

Each document is checked against its schema and made into trials as ``trdcore import omop``
does (no stockpiling, end date first); the best of 5 passes is reported.
"""

from __future__ import annotations

import sys
import time

import orjson

from trdcore.app import load_catalog
from trdcore.rules.events import trials_from_events


def main() -> None:
    catalog = load_catalog()
    with open(sys.argv[1], "rb") as handle:
        documents = [orjson.loads(line) for line in handle]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for document in documents:
            trials_from_events(document, catalog=catalog, stockpile=False, end_date_first=True)
        best = min(best, time.perf_counter() - start)
    print(f"{len(documents) / best:,.0f} documents/s ({best:.2f} s, best of 5)")


if __name__ == "__main__":
    main()
