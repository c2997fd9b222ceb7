"""Benchmark: treatment histories from and to JSON through the models, against a baseline.

Times ``TreatmentHistory.from_json`` and ``to_json`` over the same histories as
bench_evaluate.py (bench_validate's ``history(rng, n)``, 1-3 trials each), and the nested models'
``from_json`` alone (episode and trials: the converter without the document a history keeps).
With ``--baseline`` it times another checkout's ``src`` too, on the same documents, each side in
a fresh process with PYTHONPATH set; the sides alternate for several rounds and every figure
is the best of all its runs, because this machine is shared and noisy.

Run from the repository root:
    .venv/bin/python benchmarks/bench_models.py [--documents N] [--baseline /tmp/trd-baseline]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_validate import history

HERE = Path(__file__).resolve().parents[1]
MEASUREMENTS = {
    "from_json": "TreatmentHistory.from_json",
    "from_json_no_gc": "  the same, garbage collector off",
    "to_json": "TreatmentHistory.to_json",
    "nested": "Episode + Trial from_json only",
}


def best_rate(count: int, run: Callable[[], object], repeats: int, collect: bool = True) -> float:
    """Documents per second of the fastest of several runs (the least disturbed by other load).

    ``collect=False`` switches the garbage collector off during the runs, as timeit does: that
    leaves out what keeping many new objects alive costs in collections.
    """
    fastest = float("inf")
    for _ in range(repeats):
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            run()
            fastest = min(fastest, time.perf_counter() - start)
        finally:
            gc.enable()
    return count / fastest


def exact_json(document: object) -> str:
    """Text that tells 7 from 7.0, which == on dicts does not."""
    return json.dumps(document, sort_keys=True)


def measure(count: int, repeats: int) -> dict[str, float]:
    """This process's trdcore: the rates of every measurement, after checking the round trip."""
    from trdcore.models import Episode, TreatmentHistory, Trial

    rng = random.Random(5)
    documents: list[dict[str, Any]] = [history(rng, number) for number in range(count)]
    models = [TreatmentHistory.from_json(document) for document in documents]
    for document, model in zip(documents, models, strict=True):
        if exact_json(model.to_json()) != exact_json(document):
            raise SystemExit(f"round trip changed {document['id']}")

    def nested() -> None:
        for document in documents:
            Episode.from_json(document["episode"])
            for trial in document["trials"]:
                Trial.from_json(trial)

    def from_json() -> None:
        [TreatmentHistory.from_json(document) for document in documents]

    return {
        "from_json": best_rate(count, from_json, repeats),
        "from_json_no_gc": best_rate(count, from_json, repeats, collect=False),
        "to_json": best_rate(count, lambda: [model.to_json() for model in models], repeats),
        "nested": best_rate(count, nested, repeats),
    }


def measure_in_subprocess(src: Path, count: int, repeats: int) -> dict[str, float]:
    """``measure`` in a fresh interpreter that imports trdcore from ``src``."""
    command = [sys.executable, __file__, "--one-side", "--documents", str(count)]
    command += ["--repeats", str(repeats)]
    environment = os.environ | {"PYTHONPATH": str(src)}
    output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    rates: dict[str, float] = json.loads(output.stdout)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5, help="runs per process, best kept")
    parser.add_argument("--rounds", type=int, default=4, help="processes per side, alternating")
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with (its src/)")
    parser.add_argument("--one-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_side:
        print(json.dumps(measure(args.documents, args.repeats)))
        return

    sides = {"this checkout": HERE / "src"}
    if args.baseline:
        sides = {"baseline": args.baseline.resolve() / "src", **sides}
    best: dict[str, dict[str, float]] = {side: {} for side in sides}
    for _ in range(args.rounds):
        for side, src in sides.items():
            for name, rate in measure_in_subprocess(src, args.documents, args.repeats).items():
                best[side][name] = max(best[side].get(name, 0.0), rate)

    print(
        f"{args.documents:,} treatment histories, best of {args.rounds} x {args.repeats} runs "
        f"per side (alternating processes), one core; documents/s:"
    )
    header = "".join(f" {side:>15}" for side in sides)
    print(f"  {'':<32}{header}" + ("  this/baseline" if args.baseline else ""))
    for name, label in MEASUREMENTS.items():
        row = "".join(f" {best[side][name]:>15,.0f}" for side in sides)
        ratio = ""
        if args.baseline:
            ratio = f"  {best['this checkout'][name] / best['baseline'][name]:>13.2f}"
        print(f"  {label:<32}{row}{ratio}")


if __name__ == "__main__":
    main()
