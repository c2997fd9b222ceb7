"""Benchmark: importing and evaluating FHIR patient Bundles (trdcore-fhir).

Target (issue 7): import and evaluate 10,000 synthetic patient Bundles of about 20
resources each at 2,000 patients/s or more on this machine.

Each Bundle holds a Patient, a depression Condition, 5 MedicationStatements (RxNorm coded,
with doses and dates), 2 MedicationRequests, 8 PHQ-9 Observations and 3 Encounters (which
the importer reports as not read): 21 resources, written as NDJSON (one Bundle a line).
Timed, single process: ``read_fhir`` over the file, then ``evaluation_document`` for each
history with one definition; and the two parts separately.

Run:  .venv/bin/python benchmarks/bench_fhir.py [--patients N] [--definition ID] [--runs R]
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from trdcore_fhir import read_fhir

from trdcore.catalog import load_catalog
from trdcore.evaluation import evaluation_document
from trdcore.plugins import get_plugin_manager

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--definition", default="two-trials-gaynes-2020")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    catalog = load_catalog(get_plugin_manager(load_entry_points=False))
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
        print(
            f"{args.patients:,} patient Bundles, {resources / args.patients:.0f} resources "
            f"each, {size:.1f} MB NDJSON; definition {args.definition}; best of {args.runs}"
        )
        best: dict[str, float] = {}
        for _ in range(args.runs):
            start = time.perf_counter()
            imported = read_fhir(path, catalog=catalog)
            imported_at = time.perf_counter()
            for history in imported.histories:
                evaluation_document(history.document, args.definition, as_of=as_of, catalog=catalog)
            done = time.perf_counter()
            assert len(imported.histories) == args.patients
            for name, seconds in (
                ("import", imported_at - start),
                ("evaluate", done - imported_at),
                ("import + evaluate", done - start),
            ):
                best[name] = min(best.get(name, seconds), seconds)
        for name, seconds in best.items():
            print(f"  {name:<18} {seconds:6.2f} s  {args.patients / seconds:9,.0f} patients/s")
        print(
            f"  target: 2,000 patients/s for import + evaluate "
            f"({'met' if args.patients / best['import + evaluate'] >= 2000 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
