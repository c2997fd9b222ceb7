"""Renewed prescriptions of one drug are one trial, so no patient is lost to the trial limit.

Issue 16: every MedicationRequest became a trial, so a patient with 1,036 orders broke the
schema's 200-trial limit and was dropped whole. The codes are RxNorm clinical drugs of the
VSAC "Antidepressant Medication" value set (data/vsac).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from fhir_fixtures import PATIENT, RXNORM, bundle, depression, patient, write_json
from trdcore_fhir import read_fhir

from trdcore.testing import assert_valid

SERTRALINE = ("312938", "sertraline 100 MG Oral Tablet")
BUPROPION = ("993557", "24 HR bupropion hydrochloride 300 MG Extended Release Oral Tablet")


def order(
    identifier: str, drug: tuple[str, str], day: str, status: str = "completed"
) -> dict[str, Any]:
    code, display = drug
    return {
        "resourceType": "MedicationRequest",
        "id": identifier,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}]
        },
        "subject": {"reference": PATIENT},
        "authoredOn": day,
    }


def trials(tmp_path: Path, *orders: dict[str, Any], gap: int = 120) -> list[dict[str, Any]]:
    resources = [patient(), depression("c1", "2024-01-05"), *orders]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    path = write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls))
    [history] = read_fhir(path, renewal_gap_days=gap).histories
    assert_valid(history.document, "treatment-history")
    return list(history.document["trials"])


def test_monthly_renewals_of_one_drug_are_one_trial_from_the_first_to_the_last_order(
    tmp_path: Path,
) -> None:
    days = ["2024-01-10", "2024-02-09", "2024-03-10", "2024-04-09"]
    [trial] = trials(tmp_path, *(order(f"mr{n}", SERTRALINE, day) for n, day in enumerate(days)))
    assert trial["start_date"] == "2024-01-10"
    assert trial["end_date"] == "2024-04-09"
    assert "4 orders of this drug from 2024-01-10 to 2024-04-09" in trial["notes"]
    assert "a lower bound" in trial["notes"]


def test_an_active_last_order_makes_the_merged_trial_ongoing(tmp_path: Path) -> None:
    [trial] = trials(
        tmp_path,
        order("mr1", SERTRALINE, "2024-01-10"),
        order("mr2", SERTRALINE, "2024-02-09", status="active"),
    )
    assert trial["ongoing"] is True
    assert "end_date" not in trial


def test_orders_further_apart_than_the_gap_are_two_trials_and_the_gap_is_a_setting(
    tmp_path: Path,
) -> None:
    far = (order("mr1", SERTRALINE, "2024-01-10"), order("mr2", SERTRALINE, "2024-07-01"))
    assert len(trials(tmp_path, *far)) == 2
    assert len(trials(tmp_path, *far, gap=200)) == 1


def test_another_drug_between_renewals_is_its_own_trial(tmp_path: Path) -> None:
    found = trials(
        tmp_path,
        order("mr1", SERTRALINE, "2024-01-10"),
        order("mr2", BUPROPION, "2024-02-01"),
        order("mr3", SERTRALINE, "2024-02-09"),
    )
    assert sorted(t["drug"]["codings"][0]["code"] for t in found) == ["312938", "993557"]


def test_a_patient_with_a_thousand_renewals_is_kept_with_one_trial(tmp_path: Path) -> None:
    start = datetime.date(2020, 1, 1)
    orders = [
        order(f"mr{n}", SERTRALINE, (start + datetime.timedelta(days=2 * n)).isoformat())
        for n in range(1036)
    ]
    [trial] = trials(tmp_path, *orders)
    assert trial["start_date"] == "2020-01-01"
    assert trial["end_date"] == (start + datetime.timedelta(days=2 * 1035)).isoformat()


def test_an_order_without_an_end_ends_when_the_next_other_antidepressant_starts(
    tmp_path: Path,
) -> None:
    found = trials(
        tmp_path,
        order("mr1", SERTRALINE, "2024-01-10"),
        order("mr2", BUPROPION, "2024-06-01", status="active"),
    )
    sertraline = next(t for t in found if t["drug"]["codings"][0]["code"] == "312938")
    assert sertraline["end_date"] == "2024-06-01"
    assert (
        "the start of the next other antidepressant (bupropion, 2024-06-01)" in sertraline["notes"]
    )


def test_an_order_without_an_end_and_no_later_antidepressant_keeps_an_unknown_end(
    tmp_path: Path,
) -> None:
    [trial] = trials(tmp_path, order("mr1", SERTRALINE, "2024-01-10"))
    assert trial["end_date"] == "unknown"


def test_more_than_200_trials_keep_the_latest_200_and_say_so(tmp_path: Path) -> None:
    """Orders of one drug far apart (here 200 days) are separate trials; past the schema's
    200-trial limit the earliest are left out with a warning, and the patient is kept."""
    start = datetime.date(1900, 1, 1)
    orders = [
        order(f"mr{n}", SERTRALINE, (start + datetime.timedelta(days=200 * n)).isoformat())
        for n in range(205)
    ]
    resources = [patient(), depression("c1", "1900-01-01"), *orders]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    imported = read_fhir(write_json(tmp_path / "many.json", bundle(*resources, full_urls=urls)))
    [history] = imported.histories
    assert_valid(history.document, "treatment-history")
    kept = history.document["trials"]
    assert len(kept) == 200
    assert kept[0]["start_date"] == (start + datetime.timedelta(days=200 * 5)).isoformat()
    assert history.sources["/trials/0"] == ("MedicationRequest/mr5",)
    assert any("the 5 that started earliest were left out" in w for w in imported.warnings)
