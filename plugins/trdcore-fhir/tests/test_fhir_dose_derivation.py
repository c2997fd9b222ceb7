"""A dose in tablets, capsules or mL becomes mg through the strength of the ordered product.

Issue 16: EHRs and generators write "1 tablet twice a day" of "sertraline 100 MG Oral
Tablet" (Synthea writes the 1 with no unit at all), so the dose was unknown and a trial
that decided a verdict could not count. The codes are RxNorm clinical drugs of the VSAC
"Antidepressant Medication" value set (data/vsac): 312938 sertraline 100 MG Oral Tablet,
351285 escitalopram 1 MG/ML Oral Solution, 403970 fluoxetine 25 MG / olanzapine 12 MG Oral
Capsule. Each expected dose is the arithmetic of the dosage and that strength.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import PATIENT, bundle, depression, patient, statement, write_json
from trdcore_fhir import read_fhir

import trdcore

SERTRALINE_100 = ("312938", "sertraline 100 MG Oral Tablet")
ESCITALOPRAM_SOLUTION = ("351285", "escitalopram 1 MG/ML Oral Solution")
OLANZAPINE_FLUOXETINE = ("403970", "fluoxetine 25 MG / olanzapine 12 MG Oral Capsule")


def dosed(product: tuple[str, str], quantity: dict[str, Any], per_day: int = 1) -> dict[str, Any]:
    code, display = product
    record = statement("ms1", code, display, "2024-01-10", "2024-03-20", dose=None)
    record["dosage"] = [
        {
            "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": quantity}],
        }
    ]
    return record


def imported(tmp_path: Path, record: dict[str, Any]) -> Any:
    resources = [patient(), depression("c1", "2024-01-05"), record]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    return read_fhir(write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls)))


def trial_of(result: Any) -> dict[str, Any]:
    [history] = result.histories
    [trial] = history.document["trials"]
    return trial


@pytest.mark.parametrize(
    ("product", "quantity", "per_day", "expected"),
    [
        (SERTRALINE_100, {"value": 2, "unit": "tablets", "code": "{tbl}"}, 1, 200),
        (SERTRALINE_100, {"value": 1, "unit": "tablet"}, 2, 200),
        (SERTRALINE_100, {"value": 0.5, "code": "{tbl}"}, 1, 50),
        (ESCITALOPRAM_SOLUTION, {"value": 10, "unit": "mL", "code": "mL"}, 1, 10),
    ],
)
def test_a_dose_in_units_of_the_product_becomes_mg_and_says_how(
    tmp_path: Path,
    product: tuple[str, str],
    quantity: dict[str, Any],
    per_day: int,
    expected: float,
) -> None:
    trial = trial_of(imported(tmp_path, dosed(product, quantity, per_day)))
    assert trial["daily_dose"] == {"value": expected, "unit": "mg"}
    assert f"Daily dose {expected:g} mg derived by trdcore-fhir" in trial["notes"]
    assert f"RxNorm code {product[0]}" in trial["notes"]


def test_a_dose_with_no_unit_is_read_as_tablets_of_a_tablet_and_the_note_says_so(
    tmp_path: Path,
) -> None:
    """Synthea's shape: doseQuantity {"value": 1} with no unit, once a day."""
    trial = trial_of(imported(tmp_path, dosed(SERTRALINE_100, {"value": 1})))
    assert trial["daily_dose"] == {"value": 100, "unit": "mg"}
    assert "the dose has no unit: read as oral tablets" in trial["notes"]


def test_a_derived_dose_is_judged_by_the_dose_scheme(tmp_path: Path) -> None:
    """MGH-ATRQ's sertraline minimum is 50 mg/day: 0.25 tablet (25 mg) is below it."""
    low = trial_of(imported(tmp_path, dosed(SERTRALINE_100, {"value": 0.25, "code": "{tbl}"})))
    assert low["daily_dose"] == {"value": 25, "unit": "mg"}
    history = {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": "2024-01-05"},
        "trials": [{**low, "outcome": "non-response", "adherence": "full"}],
    }
    result = trdcore.evaluate(history, "different-classes", as_of="2024-12-01")
    [verdict] = result.trials
    dose = next(c for c in verdict.criteria if c.criterion == "dose")
    assert dose.result == "fail"
    assert "25 mg/day is below the mgh-atrq minimum of 50" in dose.detail


@pytest.mark.parametrize(
    ("product", "quantity", "warning"),
    [
        # A combination has no single strength.
        (OLANZAPINE_FLUOXETINE, {"value": 1, "code": "{capsule}"}, "a combination"),
        # Tablets of a solution.
        (ESCITALOPRAM_SOLUTION, {"value": 1, "code": "{tbl}"}, "does not fit"),
        # An ingredient code names no product, so no strength.
        (("36437", "sertraline"), {"value": 1, "code": "{tbl}"}, "no one strength per unit"),
    ],
)
def test_a_count_that_cannot_be_turned_into_mg_leaves_the_dose_unknown_with_a_warning(
    tmp_path: Path, product: tuple[str, str], quantity: dict[str, Any], warning: str
) -> None:
    result = imported(tmp_path, dosed(product, quantity))
    assert trial_of(result)["daily_dose"] == "unknown"
    assert any("dosage[0]" in w and warning in w for w in result.warnings), result.warnings


def fill(identifier: str, day: str, quantity: dict[str, Any]) -> dict[str, Any]:
    """A fill of sertraline 100 MG Oral Tablet (312938) for 30 days, coded in the record."""
    code, display = SERTRALINE_100
    return {
        "resourceType": "MedicationDispense",
        "id": identifier,
        "status": "completed",
        "subject": {"reference": PATIENT},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": code,
                    "display": display,
                }
            ]
        },
        "quantity": quantity,
        "daysSupply": {
            "value": 30,
            "unit": "d",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        },
        "whenHandedOver": day,
    }


@pytest.mark.parametrize(
    "quantity", [{"value": 60, "unit": "tablet", "code": "{tbl}"}, {"value": 60}]
)
def test_fills_counted_in_tablets_take_the_strength_from_the_coded_product(
    tmp_path: Path, quantity: dict[str, Any]
) -> None:
    """60 tablets of 100 mg over 30 days: 200 mg a day, for the three months filled."""
    resources = [
        patient(),
        depression("c1", "2024-01-05"),
        fill("d1", "2024-01-10", quantity),
        fill("d2", "2024-02-09", quantity),
        fill("d3", "2024-03-10", quantity),
    ]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    result = read_fhir(write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls)))
    trial = trial_of(result)
    assert trial["daily_dose"] == {"value": 200, "unit": "mg"}
    assert trial["start_date"] == "2024-01-10"


def test_a_display_that_disagrees_with_its_code_is_noted_and_the_code_wins(
    tmp_path: Path,
) -> None:
    """syntha-ehr 0.5.10 labels RxNorm 312940 "Sertraline 50 MG Oral Tablet"; the VSAC value
    set lists 312940 as sertraline 25 MG Oral Tablet."""
    record = dosed(("312940", "Sertraline 50 MG Oral Tablet"), {"value": 1})
    trial = trial_of(imported(tmp_path, record))
    assert trial["daily_dose"] == {"value": 25, "unit": "mg"}
    assert "The coding's display says 50 MG; the code's strength is used." in trial["notes"]


def test_a_dose_taken_as_needed_has_no_daily_dose(tmp_path: Path) -> None:
    record = dosed(SERTRALINE_100, {"value": 1, "code": "{tbl}"})
    record["dosage"][0]["asNeededBoolean"] = True
    result = imported(tmp_path, record)
    assert trial_of(result)["daily_dose"] == "unknown"
    assert any("taken as needed" in w for w in result.warnings)
