"""Benchmark: importing and evaluating FHIR patient Bundles (trdcore-fhir).

Target (issue 7): import and evaluate 10,000 synthetic patient Bundles of about 20
resources each at 2,000 patients/s or more on this machine.

Each Bundle holds a Patient, a depression Condition, 5 MedicationStatements (RxNorm coded,
with doses and dates), 2 MedicationRequests, 8 PHQ-9 Observations and 3 Encounters (which
the importer reports as not read): 20 resources, written as NDJSON (one Bundle a line).

Timed, best of ``--runs`` (wall clock, and CPU time of this process and its workers), with
parsing the same bytes with orjson as the baseline of the same run:

- ``json``: ``orjson.loads`` of every line, nothing else;
- ``import``: ``FhirReader.read_bundle`` per line, one reader for the run (what
  ``fhir-evaluate`` runs per patient); each line is imported, then evaluated, before the
  next is read;
- ``import (whole file)``: ``read_fhir`` over the file (what ``trdcore import fhir`` runs);
- ``import + verdict``: per line, import, check the history (``checker``), read its facts
  from the JSON (``Engine.facts_of_checked``, no model) and ``Evaluator.verdict`` for one definition
  (status and counts), as ``fhir-evaluate`` does;
- ``import + explained result``: the same with ``Evaluator.document`` (every trial's criteria,
  thresholds and sources: the evaluation-result document), not yet turned into FHIR;
- ``import + FHIR results``: per line, import, check, facts, ``Evaluator.document`` and the
  result Bundle as JSON bytes (one ``ResultWriter`` for the run): what ``trdcore
  fhir-evaluate`` writes, in this process;
- ``fhir-evaluate --jobs N``: the same through ``evaluate_fhir`` on N worker processes,
  given this process's catalog as the command gives it (starting the workers included).

Targets: 2,000 patients/s for ``import + verdict`` in one process and for
``fhir-evaluate --jobs N`` (N is every core by default).

Run:  .venv/bin/python benchmarks/bench_fhir.py [--patients N] [--definition ID] [--runs R]
      [--jobs N] [--corpus DIR]

With ``--corpus DIR`` (written by ``scripts/generate-fhir-corpus``) it also reports the
recognition rate on generated data (``bench_fhir_corpus.py``).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from trdcore_fhir import FhirReader, ResultWriter, evaluate_fhir, read_fhir

import trdcore
from trdcore import load_catalog
from trdcore.workers import default_jobs

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# Ingredient RxCUIs (verified in the catalog): sertraline, fluoxetine, citalopram, escitalopram.
DRUGS = [
    ("36437", "sertraline", 150),
    ("4493", "fluoxetine", 40),
    ("2556", "citalopram", 40),
    ("321988", "escitalopram", 20),
]
START = datetime.date(2022, 1, 1)


def patient_bundle(rng: random.Random, number: int) -> dict[str, Any]:
    subject = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
    ref = {"reference": subject}
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": subject,
            "resource": {
                "resourceType": "Patient",
                "identifier": [
                    {"system": "http://hospital.example.org/mrn", "value": f"MRN-{number}"}
                ],
            },
        },
        {
            "fullUrl": f"urn:uuid:c-{number}",
            "resource": {
                "resourceType": "Condition",
                "subject": ref,
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "370143000"}]},
                "onsetDateTime": START.isoformat(),
            },
        },
    ]
    day = START + datetime.timedelta(days=rng.randint(0, 30))
    for n in range(5):
        code, name, dose = rng.choice(DRUGS)
        weeks = rng.randint(3, 14)
        end = day + datetime.timedelta(weeks=weeks)
        entries.append(
            {
                "fullUrl": f"urn:uuid:s-{number}-{n}",
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": f"s{number}-{n}",
                    "status": "completed",
                    "subject": ref,
                    "medicationCodeableConcept": {
                        "coding": [{"system": RXNORM, "code": code, "display": name}]
                    },
                    "effectivePeriod": {"start": day.isoformat(), "end": end.isoformat()},
                    "dosage": [
                        {
                            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                            "doseAndRate": [
                                {
                                    "doseQuantity": {
                                        "value": dose,
                                        "unit": "mg",
                                        "system": "http://unitsofmeasure.org",
                                        "code": "mg",
                                    }
                                }
                            ],
                        }
                    ],
                    "extension": [
                        {
                            "url": "https://trdcore.org/fhir/StructureDefinition/trial-outcome",
                            "valueCoding": {
                                "system": "https://trdcore.org/fhir/CodeSystem/trdcore",
                                "code": "outcome-non-response",
                            },
                        }
                    ],
                },
            }
        )
        day = end + datetime.timedelta(days=3)
    for n in range(2):
        code, name, dose = rng.choice(DRUGS)
        entries.append(
            {
                "fullUrl": f"urn:uuid:r-{number}-{n}",
                "resource": {
                    "resourceType": "MedicationRequest",
                    "status": "completed",
                    "intent": "order",
                    "subject": ref,
                    "authoredOn": day.isoformat(),
                    "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code}]},
                    "dosageInstruction": [
                        {
                            "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                            "doseAndRate": [{"doseQuantity": {"value": dose // 2, "unit": "mg"}}],
                        }
                    ],
                },
            }
        )
    for n in range(8):
        entries.append(
            {
                "fullUrl": f"urn:uuid:o-{number}-{n}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "subject": ref,
                    "code": {"coding": [{"system": "http://loinc.org", "code": "44261-6"}]},
                    "effectiveDateTime": (START + datetime.timedelta(weeks=6 * n)).isoformat(),
                    "valueInteger": rng.randint(5, 27),
                },
            }
        )
    for n in range(3):
        entries.append(
            {
                "fullUrl": f"urn:uuid:e-{number}-{n}",
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "subject": ref,
                    "class": {"code": "AMB"},
                },
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (this process and the workers it waited for) of ``work()``."""
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    work()
    return (
        time.perf_counter() - wall,
        time.process_time() - cpu + _children_cpu() - children,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--definition", default="two-trials-gaynes-2020")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="also report what the importer recognises in a scripts/generate-fhir-corpus folder",
    )
    args = parser.parse_args()
    rng = random.Random(7)
    # The installed catalog, as the command line and the workers load it.
    catalog = load_catalog()
    # As trdcore fhir-evaluate does: the catalog lives as long as the process, so the cyclic
    # collector need not rescan it.
    gc.freeze()
    engine = trdcore.Engine.for_catalog(catalog)
    evaluator = engine.evaluator(args.definition)
    as_of = datetime.date(2026, 11, 27)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundles.ndjson"
        resources = 0
        with path.open("wb") as out:
            for number in range(args.patients):
                bundle = patient_bundle(rng, number)
                resources += len(bundle["entry"])
                out.write(orjson.dumps(bundle) + b"\n")
        size = path.stat().st_size / 1e6
        lines = path.read_bytes().splitlines()
        source = str(path)

        def parse_only() -> None:
            for line in lines:
                orjson.loads(line)

        def imports() -> Iterator[Any]:
            # As fhir-evaluate does: one reader (and its tables of what recurs) for the run.
            reader = FhirReader(as_of, catalog)
            for number, line in enumerate(lines, start=1):
                yield reader.read_bundle(line, source=source, number=number)

        def import_only() -> None:
            assert sum(len(imported.histories) for imported in imports()) == args.patients

        def whole_file() -> None:
            assert len(read_fhir(path, as_of=as_of, catalog=catalog).histories) == args.patients

        def facts_of(history: Any) -> Any:
            # As fhir-evaluate does: check once, read the facts from the JSON (no model).
            return engine.facts_of_checked(engine.check(history.document), as_of=as_of)

        def verdicts() -> None:
            for imported in imports():
                for history in imported.histories:
                    evaluator.verdict(facts_of(history), as_of=as_of)

        def explained() -> None:
            for imported in imports():
                for history in imported.histories:
                    evaluator.document(facts_of(history), as_of=as_of)

        def fhir_results() -> None:
            writer = ResultWriter()
            for imported in imports():
                for history in imported.histories:
                    result = evaluator.document(facts_of(history), as_of=as_of)
                    bundle = writer.bundle(result, subject=history.patient, sources=history.sources)
                    orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS)

        def workers() -> None:
            parts = evaluate_fhir(
                path, [evaluator.entry.ref], as_of=as_of, jobs=args.jobs, engine=engine
            )
            assert sum(len(part.patients) for part in parts) == args.patients

        timings: list[tuple[str, Callable[[], object]]] = [
            ("json (orjson.loads per line)", parse_only),
            ("import", import_only),
            ("import (whole file)", whole_file),
            ("import + verdict", verdicts),
            ("import + explained result", explained),
            ("import + FHIR results", fhir_results),
            (f"fhir-evaluate --jobs {args.jobs}", workers),
        ]
        print(
            f"{args.patients:,} patient Bundles, {resources / args.patients:.0f} resources "
            f"each, {size:.1f} MB NDJSON; definition {evaluator.entry.ref}; best of {args.runs}"
        )
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.runs):
            for name, work in timings:
                wall, cpu = _timed(work)
                old = best.get(name)
                best[name] = (min(wall, old[0]), min(cpu, old[1])) if old else (wall, cpu)
        json_cpu = best[timings[0][0]][1]
        print(f"  {'':<30} {'wall s':>7} {'CPU s':>7} {'patients/s':>11} {'CPU/json':>9}")
        for name, (wall, cpu) in best.items():
            print(
                f"  {name:<30} {wall:7.2f} {cpu:7.2f} {args.patients / wall:11,.0f} "
                f"{cpu / json_cpu:8.1f}x"
            )
        for name, what in (
            ("import + verdict", "import + verdict in one process"),
            ("import + explained result", "import + explained result in one process"),
            (f"fhir-evaluate --jobs {args.jobs}", f"FHIR results on {args.jobs} workers"),
        ):
            rate = args.patients / best[name][0]
            print(
                f"  target: 2,000 patients/s for {what} "
                f"({rate:,.0f}: {'met' if rate >= 2000 else 'NOT met'})"
            )
        print("  load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    if args.corpus is not None:
        from bench_fhir_corpus import report

        print()
        report(args.corpus, args.runs)


if __name__ == "__main__":
    main()
