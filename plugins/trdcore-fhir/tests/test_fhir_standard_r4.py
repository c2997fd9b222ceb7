"""Standard R4 data, with no trdcore extension or category, can meet a definition (issue 16).

A history worked out by hand: major depression since 2024-01-05 (SNOMED CT 370143000, in the
VSAC Major Depression value set); sertraline 100 mg/day from 2024-01-10 to 2024-03-06 (8 weeks),
then escitalopram 20 mg/day from 2024-03-07 to 2024-05-02 (8 weeks), each with US Core's
medication adherence extension "Complies with drug therapy" (SNOMED CT 1156699004, as US Core's
guidance for the extension gives it); PHQ-9 totals 20 on 2024-01-08, 18 on 2024-03-06 and 17 on
2024-05-02.

By date, trial 1 runs from 20 to 18 (10% better) and trial 2 from 18 to 17 (6% better): both
are non-responses under Sforzini 2022 (improvement of 25% or less, at least 4 weeks) and the
esketamine trials (25% or less, at least 6 weeks), and the doses are above the MGH-ATRQ minimums
(sertraline 50, escitalopram 10 mg/day): two failed trials, so both definitions are met.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import PATIENT, bundle, depression, patient, phq9, statement, write_json
from trdcore_fhir import read_fhir

import trdcore

SNOMED = "http://snomed.info/sct"
US_CORE_ADHERENCE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-medication-adherence"


def adherence(code: str, day: str) -> dict[str, Any]:
    return {
        "url": US_CORE_ADHERENCE,
        "extension": [
            {
                "url": "medicationAdherence",
                "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": code}]},
            },
            {"url": "dateAsserted", "valueDateTime": f"{day}T10:00:00Z"},
        ],
    }


def total(identifier: str, value: int, day: str) -> dict[str, Any]:
    observation = phq9(identifier, value, day)
    observation.pop("partOf", None)
    observation["category"] = [
        c for c in observation.get("category", ()) if "trdcore" not in str(c)
    ]
    return observation


def history(tmp_path: Path, compliance: str = "1156699004") -> dict[str, Any]:
    sertraline = statement(
        "ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-06"
    )
    sertraline["extension"] = [adherence(compliance, "2024-03-01")]
    escitalopram = statement(
        "ms2", "349332", "escitalopram 10 MG Oral Tablet", "2024-03-07", "2024-05-02", dose=20
    )
    escitalopram["extension"] = [adherence(compliance, "2024-04-25")]
    resources = [
        patient(),
        depression("c1", "2024-01-05"),
        sertraline,
        escitalopram,
        total("o1", 20, "2024-01-08"),
        total("o2", 18, "2024-03-06"),
        total("o3", 17, "2024-05-02"),
    ]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    imported = read_fhir(write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls)))
    [found] = imported.histories
    assert not [w for w in imported.warnings if "extension" in w], imported.warnings
    return found.document


@pytest.mark.parametrize("definition", ["sforzini-2022", "esketamine-trials"])
def test_standard_r4_data_meets_the_definitions_worked_out_by_hand(
    tmp_path: Path, definition: str
) -> None:
    document = history(tmp_path)
    first, second = document["trials"]
    assert first["adherence"] == second["adherence"] == "full"
    assert (first["baseline_score"]["value"], first["end_score"]["value"]) == (20, 18)
    assert (second["baseline_score"]["value"], second["end_score"]["value"]) == (18, 17)
    result = trdcore.evaluate(document, definition, as_of="2024-12-01")
    assert result.status == "met", result.explanation


def test_non_compliance_is_read_and_the_trials_no_longer_count(tmp_path: Path) -> None:
    """702565001 "Non-compliance of drug therapy": taken, but not as directed (partial)."""
    document = history(tmp_path, compliance="702565001")
    assert {trial["adherence"] for trial in document["trials"]} == {"partial"}
    result = trdcore.evaluate(document, "sforzini-2022", as_of="2024-12-01")
    assert result.status != "met"
