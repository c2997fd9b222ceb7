"""Benchmark: validating an NDJSON file of treatment histories on one core.

Target (issue 2): at least 50,000 valid documents per second, while invalid
documents still get full, pointer-precise error reports. The ceiling it is
compared with is "parse with orjson + verdict from jsonschema-rs", the
fastest way to get a bare yes/no from Python.

Run:  make bench        (or: .venv/bin/python benchmarks/bench_validate.py [--documents N])
Numbers measured on this project's machines are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from trdcore import schemas
from trdcore.documents import read_ndjson
from trdcore.validation import check_documents

DRUGS = [
    ("sertraline", 150),
    ("escitalopram", 20),
    ("fluoxetine", 40),
    ("venlafaxine", 225),
    ("bupropion", 300),
    ("mirtazapine", 30),
    ("duloxetine", 60),
    ("vortioxetine", 20),
]
OUTCOMES = ["non-response", "partial-response", "response", "intolerance", "unknown"]


def history(rng: random.Random, number: int) -> dict[str, object]:
    """A realistic history of 1-3 trials, about 580 bytes on average."""
    trials = []
    month = rng.randint(1, 6)
    for index in range(rng.randint(1, 3)):
        drug, dose = rng.choice(DRUGS)
        trial: dict[str, object] = {
            "id": f"t{index + 1}",
            "drug": {"name": drug},
            "daily_dose": {"value": dose, "unit": "mg"},
            "start_date": f"2024-{month + index * 2:02d}-{rng.randint(1, 28):02d}",
            "end_date": f"2024-{month + index * 2 + 2:02d}-{rng.randint(1, 28):02d}",
            "adherence": rng.choice(["full", "partial", "unknown"]),
            "outcome": rng.choice(OUTCOMES),
        }
        if rng.random() < 0.5:
            trial["baseline_score"] = {"scale": "PHQ-9", "value": rng.randint(10, 27)}
            trial["end_score"] = {"scale": "PHQ-9", "value": rng.randint(0, 27)}
        trials.append(trial)
    return {
        "schema": "treatment-history@1.0.0",
        "id": f"patient-{number:07d}",
        "episode": {"start_date": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"},
        "trials": trials,
    }


def make_lines(count: int, invalid_share: float, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    lines = []
    for number in range(count):
        document = history(rng, number)
        if rng.random() < invalid_share:
            document["episode"] = {"start_date": "2024-02-30"}  # an impossible date
        lines.append(orjson.dumps(document) + b"\n")
    return lines


def rate(count: int, seconds: float) -> float:
    return count / seconds


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    valid_lines = make_lines(args.documents, 0.0)
    mixed_lines = make_lines(args.documents, 0.01)
    valid_blob = b"".join(valid_lines)
    mixed_blob = b"".join(mixed_lines)
    size = statistics.mean(len(line) for line in valid_lines)
    ref = schemas.resolve_schema("treatment-history")
    fast = schemas._fast_validator(ref)
    detailed = schemas._detailed_validator(ref)

    def ceiling() -> None:
        for line in io.BytesIO(valid_blob):
            fast.is_valid(orjson.loads(line))

    def trdcore_stream(blob: bytes) -> int:
        return sum(1 for report in check_documents(read_ndjson(io.BytesIO(blob))) if report.valid)

    assert trdcore_stream(valid_blob) == args.documents
    invalid = args.documents - trdcore_stream(mixed_blob)
    rows = []
    ceiling_rate = rate(args.documents, best_of(args.runs, ceiling))
    rows.append(("orjson + jsonschema-rs verdict only (ceiling)", ceiling_rate))
    valid_rate = rate(args.documents, best_of(args.runs, lambda: trdcore_stream(valid_blob)))
    rows.append(("trdcore, all valid", valid_rate))
    mixed_rate = rate(args.documents, best_of(args.runs, lambda: trdcore_stream(mixed_blob)))
    rows.append((f"trdcore, {invalid:,} invalid with full reports", mixed_rate))
    sample = [orjson.loads(line) for line in valid_lines[:5000]]
    python_rate = rate(len(sample), best_of(1, lambda: [detailed.is_valid(d) for d in sample]))
    rows.append(("python-jsonschema verdict only (for scale)", python_rate))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "histories.ndjson"
        path.write_bytes(mixed_blob)
        trdcore_cli = Path(sys.executable).parent / "trdcore"
        start = time.perf_counter()
        subprocess.run([trdcore_cli, "validate", "--quiet", path], capture_output=True, check=False)
        cli_rate = rate(args.documents, time.perf_counter() - start)
    rows.append(("trdcore validate CLI, end to end incl. start-up", cli_rate))

    imports = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import trdcore"], check=True)
        imports.append(time.perf_counter() - start)
    baseline = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - start)

    print(
        f"documents: {args.documents:,}, mean size {size:.0f} bytes, best of {args.runs} runs, "
        f"one core (pid {os.getpid()})"
    )
    print()
    print("| measurement | documents/s | vs ceiling |")
    print("|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} | {value / ceiling_rate:.2f} |")
    print()
    print(
        f"`import trdcore`: {1000 * (min(imports) - min(baseline)):.0f} ms "
        f"(interpreter start-up of {1000 * min(baseline):.0f} ms subtracted)"
    )
    target = 50_000
    verdict = "meets" if valid_rate >= target else "MISSES"
    print(f"target {target:,} valid documents/s: {verdict} ({valid_rate:,.0f})")


if __name__ == "__main__":
    main()
