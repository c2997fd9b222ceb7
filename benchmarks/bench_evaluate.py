"""Benchmark: evaluating treatment histories.

Targets (issue 5): in-process, one definition, from parsed models, at least 100,000
histories/s on one core; end to end, `trdcore evaluate big.ndjson --all --format ndjson`
over 1,000,000 histories in under 60 s on 2 cores with peak RSS under 300 MB.

Run:  .venv/bin/python benchmarks/bench_evaluate.py [--histories N] [--end-to-end M]
"""

from __future__ import annotations

import argparse
import datetime
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from bench_validate import history

from trdcore.catalog import load_catalog
from trdcore.evaluation import evaluate
from trdcore.models import TreatmentHistory
from trdcore.plugins import get_plugin_manager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=5000)
    parser.add_argument("--end-to-end", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(5)
    models = [TreatmentHistory.from_json(history(rng, n)) for n in range(args.histories)]
    catalog = load_catalog(get_plugin_manager(load_entry_points=False))
    as_of = datetime.date(2026, 11, 27)
    print(f"in-process, {args.histories:,} parsed histories, one core:")
    for entry in catalog.items("trd-definition"):
        start = time.perf_counter()
        for model in models:
            evaluate(model, entry, as_of=as_of, catalog=catalog)
        rate = args.histories / (time.perf_counter() - start)
        print(f"  {entry.ref:<34} {rate:10,.0f} histories/s")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.ndjson"
        with path.open("wb") as out:
            for n in range(args.end_to_end):
                out.write(orjson.dumps(history(rng, n)) + b"\n")
        trdcore = str(Path(sys.executable).parent / "trdcore")
        for jobs in (1, 2):
            start = time.perf_counter()
            subprocess.run(
                [
                    trdcore,
                    "evaluate",
                    str(path),
                    "--all",
                    "--format",
                    "ndjson",
                    "--jobs",
                    str(jobs),
                    "--as-of",
                    "2026-11-27",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"end to end, {args.end_to_end:,} histories, --all, --jobs {jobs}: "
                f"{seconds:.1f} s ({args.end_to_end / seconds:,.0f} histories/s; "
                f"1,000,000 would take about {1_000_000 / (args.end_to_end / seconds):,.0f} s); "
                f"largest child RSS so far {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
