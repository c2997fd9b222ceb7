"""Warnings about a dosage name the element it is in, as each resource type calls it.

FHIR R4 keeps a record's dose lines in MedicationStatement.dosage, but in
MedicationRequest.dosageInstruction and MedicationDispense.dosageInstruction; a warning that
says ``dosage[0]`` of an order points at an element the order does not have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import PATIENT, bundle, depression, patient, statement, write_json
from trdcore_fhir import FhirImport, read_fhir

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SERTRALINE_100 = ("312938", "sertraline 100 MG Oral Tablet")
#: A dose line whose dose is in a unit trdcore does not read: always a warning.
UNREADABLE = {
    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
    "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "puffs"}}],
}
TEXT_ONLY = {"text": "Take 1 tablet daily"}


def medication(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": RXNORM, "code": code, "display": display}]}


def order(identifier: str, *dosages: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": identifier,
        "status": "completed",
        "intent": "order",
        "subject": {"reference": PATIENT},
        "medicationCodeableConcept": medication(*SERTRALINE_100),
        "authoredOn": "2024-01-10",
        "dosageInstruction": list(dosages),
    }


def taken(identifier: str, *dosages: dict[str, Any]) -> dict[str, Any]:
    code, display = SERTRALINE_100
    record = statement(identifier, code, display, "2024-01-10", "2024-03-20", dose=None)
    record["dosage"] = list(dosages)
    return record


def dispensed(identifier: str, *dosages: dict[str, Any]) -> dict[str, Any]:
    """A fill counted in mL of a tablet product, so only its dosageInstruction could give the
    daily dose."""
    return {
        "resourceType": "MedicationDispense",
        "id": identifier,
        "status": "completed",
        "subject": {"reference": PATIENT},
        "medicationCodeableConcept": medication(*SERTRALINE_100),
        "quantity": {"value": 30, "unit": "mL"},
        "daysSupply": {
            "value": 30,
            "unit": "d",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        },
        "whenHandedOver": "2024-01-10",
        "dosageInstruction": list(dosages),
    }


def read(tmp_path: Path, *records: dict[str, Any]) -> FhirImport:
    resources = [patient(), depression("c1", "2024-01-05"), *records]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    return read_fhir(write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls)))


def about(imported: FhirImport, reference: str) -> list[str]:
    return [w for w in imported.warnings if f" {reference} " in w]


@pytest.mark.parametrize(
    ("record", "reference", "element"),
    [
        (taken("ms1", TEXT_ONLY, UNREADABLE), "MedicationStatement/ms1", "dosage[1]"),
        (order("mr1", TEXT_ONLY, UNREADABLE), "MedicationRequest/mr1", "dosageInstruction[1]"),
        (dispensed("md1", TEXT_ONLY, UNREADABLE), "MedicationDispense/md1", "dosageInstruction[1]"),
    ],
)
def test_an_unreadable_dose_is_warned_about_at_its_element(
    tmp_path: Path, record: dict[str, Any], reference: str, element: str
) -> None:
    warnings = about(read(tmp_path, record), reference)
    [unreadable] = [w for w in warnings if "'puffs'" in w]
    assert f"{reference} {element}:" in unreadable


@pytest.mark.parametrize("record", [order("mr1", UNREADABLE), dispensed("md1", UNREADABLE)])
def test_no_warning_about_an_order_or_a_dispense_names_a_dosage_element(
    tmp_path: Path, record: dict[str, Any]
) -> None:
    warnings = about(read(tmp_path, record), f"{record['resourceType']}/{record['id']}")
    assert warnings
    assert not [w for w in warnings if " dosage[" in w or " dosage:" in w]


@pytest.mark.parametrize(
    ("record", "reference", "element"),
    [
        (taken("ms1", TEXT_ONLY), "MedicationStatement/ms1", "dosage[0]"),
        (order("mr1", TEXT_ONLY), "MedicationRequest/mr1", "dosageInstruction[0]"),
    ],
)
def test_a_dose_given_only_as_text_is_warned_about_and_not_read(
    tmp_path: Path, record: dict[str, Any], reference: str, element: str
) -> None:
    """Free text is not parsed into a dose: the trial has no daily dose, and the warning quotes
    the text at its element."""
    imported = read(tmp_path, record)
    [history] = imported.histories
    [trial] = history.document["trials"]
    assert "daily_dose" not in trial
    [warning] = about(imported, reference)
    assert f"{reference} {element}:" in warning
    assert "'Take 1 tablet daily'" in warning
    assert "daily dose" in warning


def test_a_text_beside_a_structured_dose_is_not_warned_about(tmp_path: Path) -> None:
    """The text of a line that has a doseAndRate is its human-readable form; the dose is read."""
    line = {
        "text": "1 tablet daily",
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg"}}],
    }
    imported = read(tmp_path, order("mr1", line))
    [history] = imported.histories
    assert history.document["trials"][0]["daily_dose"] == {"value": 100, "unit": "mg"}
    assert not about(imported, "MedicationRequest/mr1")


@pytest.mark.parametrize("record", [taken("ms1", UNREADABLE), order("mr1", UNREADABLE)])
def test_a_warning_about_a_record_names_its_patient_and_its_entry(
    tmp_path: Path, record: dict[str, Any]
) -> None:
    reference = f"{record['resourceType']}/{record['id']}"
    [warning] = about(read(tmp_path, record), reference)
    # The third entry of the Bundle (after the Patient and the Condition), on line 1 of the
    # file; the patient by the id its urn:uuid fullUrl gives it.
    patient_id = PATIENT.removeprefix("urn:uuid:")
    assert f"in.json:1 entry 2 (patient Patient/{patient_id}) {reference} " in warning
