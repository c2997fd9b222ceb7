"""Time the evaluation paths of two trdcore trees side by side, alternating, in one run.

Usage:
  .venv/bin/python benchmarks/compare_speed.py BASELINE_TREE [--histories N] [--rounds R]
      [--end-to-end M]

Each round runs every measurement once for the baseline tree (its ``src`` first on
PYTHONPATH) and once for this tree, so both see the same machine load; the best of the
rounds is reported for each. Paths measured (one core each):

- verdict from models: ``verdict()`` of one definition on parsed TreatmentHistory models;
- from JSON text: parse + schema and cross-field check + facts + one definition's verdict;
- end to end (with --end-to-end M): ``trdcore evaluate FILE --all --format ndjson`` on M
  histories from benchmarks/make_histories.py, on every core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the tree being measured; prints one JSON object of rates (histories/s).
PROBE = r"""
import datetime, json, random, sys, time
sys.path.insert(0, BENCHMARKS)
import orjson
from bench_validate import history
import trdcore
from trdcore.models import TreatmentHistory
from trdcore.plugins import get_plugin_manager
from trdcore.validation import checked

AS_OF = datetime.date(2026, 11, 27)
rng = random.Random(5)
documents = [history(rng, n) for n in range(COUNT)]
lines = [orjson.dumps(d) for d in documents]
models = [TreatmentHistory.from_json(d) for d in documents]

def best(run, repeats=5):
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter(); run(); fastest = min(fastest, time.perf_counter() - start)
    return COUNT / fastest

if hasattr(trdcore, "Engine"):
    catalog = trdcore.load_catalog(get_plugin_manager(load_entry_points=False))
    engine = trdcore.Engine.for_catalog(catalog)
    evaluator_of = engine.evaluator
    def from_text(evaluator):
        for line in lines:
            data = engine.check(orjson.loads(line))
            evaluator.verdict(engine.facts_of_checked(data, as_of=AS_OF), as_of=AS_OF)
else:
    from trdcore.catalog import load_catalog
    from trdcore.evaluation import Evaluator, facts_from_json
    catalog = load_catalog(get_plugin_manager(load_entry_points=False))
    evaluator_of = lambda ref: Evaluator.for_definition(ref, catalog)
    def from_text(evaluator):
        for line in lines:
            data = checked(orjson.loads(line), "treatment-history")
            evaluator.verdict(facts_from_json(data, as_of=AS_OF, catalog=catalog), as_of=AS_OF)

rates = {}
for entry in catalog.items("trd-definition"):
    evaluator = evaluator_of(entry.ref)
    rates["verdict from models, " + entry.id] = best(
        lambda: [evaluator.verdict(m, as_of=AS_OF) for m in models]
    )
gaynes = evaluator_of("two-trials-gaynes-2020")
rates["from JSON text, two-trials-gaynes-2020"] = best(lambda: from_text(gaynes))
print(json.dumps(rates))
"""


def environment(tree: Path) -> dict[str, str]:
    paths = [tree / "src", *sorted((tree / "plugins").glob("*/src"))]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, paths)))


def probe(tree: Path, count: int) -> dict[str, float]:
    code = PROBE.replace("BENCHMARKS", repr(str(ROOT / "benchmarks"))).replace("COUNT", str(count))
    output = subprocess.run(
        [sys.executable, "-c", code], env=environment(tree), check=True, capture_output=True
    ).stdout
    return dict(json.loads(output.splitlines()[-1]))


def end_to_end(tree: Path, path: Path) -> float:
    command = [
        sys.executable,
        "-c",
        "import sys; from trdcore.cli import main; sys.argv[0] = 'trdcore'; main()",
        "evaluate",
        str(path),
        "--all",
        "--format",
        "ndjson",
        "--as-of",
        "2026-11-27",
    ]
    start = time.perf_counter()
    subprocess.run(command, env=environment(tree), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("--histories", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--end-to-end", type=int, default=0)
    options = parser.parse_args()
    trees = {"baseline": options.baseline.resolve(), "current": ROOT}
    best: dict[str, dict[str, float]] = {"baseline": {}, "current": {}}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.ndjson"
        if options.end_to_end:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "make_histories.py"),
                    str(options.end_to_end),
                    str(big),
                ],
                check=True,
            )
        for _ in range(options.rounds):
            for side, tree in trees.items():
                for name, rate in probe(tree, options.histories).items():
                    best[side][name] = max(rate, best[side].get(name, 0.0))
                if options.end_to_end:
                    took = end_to_end(tree, big)
                    seconds[side] = min(took, seconds.get(side, float("inf")))
    print(
        f"best of {options.rounds} alternating rounds, {options.histories:,} histories, "
        f"histories/s (one core):"
    )
    print(f"  {'path':<52} {'baseline':>10} {'current':>10} {'ratio':>6}")
    for name, rate in best["baseline"].items():
        now = best["current"].get(name, 0.0)
        print(f"  {name:<52} {rate:>10,.0f} {now:>10,.0f} {now / rate:>6.2f}")
    if seconds:
        print(
            f"  end to end, {options.end_to_end:,} histories, --all --format ndjson, "
            f"{os.cpu_count()} cores: baseline {seconds['baseline']:.1f} s, current "
            f"{seconds['current']:.1f} s (ratio {seconds['baseline'] / seconds['current']:.2f})"
        )


if __name__ == "__main__":
    main()
