"""Benchmark: evaluating treatment histories, in process and end to end.

Targets (issue 5): in process, one definition, from parsed models, at least 100,000
histories/s on one core; end to end, `trdcore evaluate big.ndjson --all --format ndjson`
over 1,000,000 histories in under 60 s on this 2-core machine, peak RSS under 300 MB.

For scale, the same machine runs two baselines here, in the same process and on the same
histories: JSON parse + cattrs structure + a toy rule, and msgspec decode + the same rule
(`pip install -e '.[bench]'`). The toy rule counts trials recorded as non-response at or above
a fixed dose and at least 6 weeks long: no catalog, no explanation, no validation.

Run from the repository root:
    .venv/bin/python benchmarks/bench_evaluate.py [--histories N] [--end-to-end M] [--jobs J]
--end-to-end 1000000 writes a 550 MB input file and about 1.1 GB of output to a temporary
folder (deleted afterwards).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from bench_validate import history

import trdcore
from trdcore import load_catalog
from trdcore.models import TreatmentHistory
from trdcore.plugins import get_plugin_manager

AS_OF = datetime.date(2026, 11, 27)


def best_rate(count: int, run: Callable[[], object], repeats: int = 5) -> float:
    """Histories per second of the fastest of several runs (the least disturbed by other load)."""
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - start)
    return count / fastest


# The baselines' own models, as a user of cattrs or msgspec would write them (module level:
# both libraries resolve the annotations by name).
try:
    import attrs
    import cattrs
    import msgspec
except ImportError:  # pip install -e '.[bench]'
    cattrs = msgspec = None
else:

    @attrs.frozen
    class Dose:
        value: float
        unit: str

    @attrs.frozen
    class Trial:
        drug: dict[str, str]
        start_date: str
        end_date: str
        daily_dose: Dose | None = None
        outcome: str | None = None
        adherence: str | None = None

    @attrs.frozen
    class History:
        episode: dict[str, str]
        trials: list[Trial]
        id: str | None = None

    class MDose(msgspec.Struct):
        value: float
        unit: str

    class MTrial(msgspec.Struct):
        drug: dict[str, str]
        start_date: str
        end_date: str
        daily_dose: MDose | None = None
        outcome: str | None = None
        adherence: str | None = None

    class MHistory(msgspec.Struct):
        episode: dict[str, str]
        trials: list[MTrial]
        id: str | None = None


def toy_rule(trials: Any) -> bool:
    """Two trials recorded as non-response, at 20 units or more, for at least 6 weeks."""
    failed = 0
    for trial in trials:
        start = datetime.date.fromisoformat(trial.start_date)
        end = datetime.date.fromisoformat(trial.end_date)
        dose = trial.daily_dose.value if trial.daily_dose else 0
        if trial.outcome == "non-response" and dose >= 20 and (end - start).days >= 42:
            failed += 1
    return failed >= 2


def baselines(lines: list[bytes]) -> dict[str, float]:
    """The issue's reference points: cattrs and msgspec with a toy rule, on the same lines."""
    if cattrs is None or msgspec is None:
        print("  (baselines skipped: pip install -e '.[bench]' for cattrs and msgspec)")
        return {}
    converter = cattrs.Converter(forbid_extra_keys=False)
    decoder = msgspec.json.Decoder(MHistory)

    def with_cattrs() -> None:
        for line in lines:
            toy_rule(converter.structure(orjson.loads(line), History).trials)

    def with_msgspec() -> None:
        for line in lines:
            toy_rule(decoder.decode(line).trials)

    return {
        "cattrs": best_rate(len(lines), with_cattrs),
        "msgspec": best_rate(len(lines), with_msgspec),
    }


def in_process(count: int) -> None:
    rng = random.Random(5)
    documents = [history(rng, n) for n in range(count)]
    lines = [orjson.dumps(document) for document in documents]
    models = [TreatmentHistory.from_json(document) for document in documents]
    catalog = load_catalog(get_plugin_manager(load_entry_points=False))
    print(f"in process, {count:,} histories of 1-3 trials, one core, best of 5 runs:")
    print(f"  {'definition':<32} {'verdict':>10} {'document':>10} {'evaluate':>10}  histories/s")
    verdict_rates = []
    engine = trdcore.Engine.for_catalog(catalog)
    for entry in catalog.items("trd-definition"):
        evaluator = engine.evaluator(entry)
        rates = [
            best_rate(count, lambda f=f: [f(model, as_of=AS_OF) for model in models])
            for f in (evaluator.verdict, evaluator.document, evaluator.evaluate)
        ]
        verdict_rates.append(rates[0])
        print(f"  {entry.ref:<32} {rates[0]:>10,.0f} {rates[1]:>10,.0f} {rates[2]:>10,.0f}")

    evaluator = engine.evaluator("two-trials-gaynes-2020")

    def ours_from_json_text() -> None:
        # What a batch worker does: parse, check, read the facts from the JSON (no model).
        for line in lines:
            document = engine.check(orjson.loads(line))
            evaluator.verdict(engine.facts_of_checked(document, as_of=AS_OF), as_of=AS_OF)

    ours = best_rate(count, ours_from_json_text)
    print(
        f"  from JSON text (parse + schema check + facts + verdict, one definition): "
        f"{ours:,.0f} histories/s"
    )
    reference = baselines(lines)
    for name, rate in reference.items():
        print(
            f"  baseline {name} parse + structure + toy rule: {rate:,.0f} histories/s; "
            f"trdcore from JSON text is {ours / rate:.2f}x of it, "
            f"the verdict from models {min(verdict_rates) / rate:.2f}-"
            f"{max(verdict_rates) / rate:.2f}x"
        )


def end_to_end(count: int, jobs: int | None, options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.ndjson"
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).parent / "make_histories.py"),
                str(count),
                str(path),
            ],
            check=True,
        )
        size = path.stat().st_size / 1e6
        trdcore = str(Path(sys.executable).parent / "trdcore")
        command = [trdcore, "evaluate", str(path), "--all", "--format", "ndjson", *options]
        command += ["--as-of", "2026-11-27"] + (["--jobs", str(jobs)] if jobs else [])
        out = Path(folder) / "out.ndjson"
        start = time.perf_counter()
        with out.open("wb") as sink:
            subprocess.run(command, check=True, stdout=sink)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"end to end, {count:,} histories ({size:,.0f} MB), `{' '.join(command[1:4])} "
            f"--all --format ndjson {' '.join(options)}` with --jobs {jobs or 'default'} "
            f"on {os.cpu_count()} cores: {seconds:.1f} s, {count / seconds:,.0f} histories/s, "
            f"output {out.stat().st_size / 1e6:,.0f} MB; largest process RSS {peak:.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=5000)
    parser.add_argument("--end-to-end", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--stages", action="store_true", help="also time --stages and --explain")
    args = parser.parse_args()
    if args.histories:
        in_process(args.histories)
    if args.end_to_end:
        end_to_end(args.end_to_end, args.jobs, [])
        if args.stages:
            end_to_end(args.end_to_end // 10, args.jobs, ["--stages"])
            end_to_end(args.end_to_end // 10, args.jobs, ["--explain"])


if __name__ == "__main__":
    main()
