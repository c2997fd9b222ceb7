"""Benchmark: OMOP CDM import and evaluation, persons per second and peak memory (issue 17).

Builds generated CDMs in DuckDB with ``scripts/build-omop-fixture --no-designed`` (kept in
``build/bench/`` between runs), then times, as separate processes:

- ``trdcore import omop CDM --jobs J --out H.ndjson`` for each J in ``--jobs``;
- ``trdcore evaluate H.ndjson --all --format ndjson`` (the histories just written);
- the two together, end to end (import + evaluate), which is the target: at least 5,000
  persons/s on 2 cores with memory flat in the number of persons;
- the baseline of the same run: the same rows fetched into Python by DuckDB alone (the
  exposure query joined through concept_ancestor and drug_strength, conditions, observation
  periods), with nothing done per row: the floor no importer reading them can go below.

Peak memory is each command's maximum resident set: the largest of its own and its worker
processes', read from the rusage of a small process that runs it.

Run:  .venv/bin/python benchmarks/bench_omop.py [--persons 10000 100000] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUILD = ROOT / "build" / "bench"

FLOOR = (
    """
    SELECT de.person_id, de.drug_exposure_start_date, de.drug_exposure_end_date, de.quantity,
           de.days_supply, i.concept_code, ds.amount_value
    FROM drug_exposure de
    JOIN concept_ancestor ca ON ca.descendant_concept_id = de.drug_concept_id
    JOIN concept i ON i.concept_id = ca.ancestor_concept_id
        AND i.vocabulary_id = 'RxNorm' AND i.concept_class_id = 'Ingredient'
    LEFT JOIN drug_strength ds ON ds.drug_concept_id = de.drug_concept_id
        AND ds.ingredient_concept_id = i.concept_id
    """,
    "SELECT person_id, condition_concept_id, condition_start_date FROM condition_occurrence",
    "SELECT person_id, observation_period_start_date FROM observation_period",
)


# Runs one command and prints the peak RSS (KB) of its largest process, workers included: a
# small fresh process, so the rusage maximum is the command's own, not this benchmark's.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.DEVNULL, check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one command (its largest process)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.split()[-1]) / 1024


def row(persons: int, what: str, seconds: float, peak: float | None = None) -> None:
    memory = f"{peak:9.0f}" if peak is not None else ""
    print(f"{persons:>7}  {what:<32} {seconds:8.2f}  {persons / seconds:10,.0f}{memory}")


def cdm(persons: int) -> Path:
    path = BUILD / f"cdm-{persons}.duckdb"
    if not path.exists():
        BUILD.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "build-omop-fixture"),
                str(path),
                "--persons",
                str(persons),
                "--no-designed",
            ],
            check=True,
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    trdcore = str(BIN / "trdcore")
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    print(f"{'persons':>7}  {'what':<32} {'seconds':>8}  {'persons/s':>10}  {'peak MB':>7}")
    for persons in arguments.persons:
        path = cdm(persons)
        start = time.perf_counter()
        with duckdb.connect(str(path), read_only=True) as connection:
            for query in FLOOR:
                connection.execute(query).fetchall()
        floor = time.perf_counter() - start
        row(persons, "baseline: DuckDB fetch only", floor)
        histories = BUILD / f"histories-{persons}.ndjson"
        for jobs in arguments.jobs:
            seconds, peak = timed(
                [trdcore, "import", "omop", str(path), "--jobs", str(jobs), "--out", str(histories)]
            )
            row(persons, f"import --jobs {jobs}", seconds, peak)
            evaluate, epeak = timed(
                [
                    trdcore,
                    "evaluate",
                    str(histories),
                    "--all",
                    "--format",
                    "ndjson",
                    "--as-of",
                    "2026-11-27",
                    "--jobs",
                    str(jobs),
                ]
            )
            row(persons, f"evaluate --all --jobs {jobs}", evaluate, epeak)
            total = seconds + evaluate
            row(persons, f"import + evaluate, --jobs {jobs}", total)


if __name__ == "__main__":
    main()
