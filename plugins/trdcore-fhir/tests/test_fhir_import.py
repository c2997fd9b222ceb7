"""The ``fhir`` importer: FHIR R4 patient data to treatment histories, nothing dropped."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trdcore_fhir
from fhir_fixtures import (
    RXNORM,
    UCUM,
    bundle,
    daily,
    depression,
    patient,
    phq9,
    run_cli,
    statement,
    two_trial_bundle,
    write_json,
)
from trdcore_fhir import FhirReader, read_fhir, read_fhir_bundle

from trdcore import load_catalog
from trdcore.catalog import Catalog
from trdcore.exceptions import DocumentError
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager
from trdcore.testing import assert_valid, run_import


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(get_plugin_manager(environ={}))


def only(imported: Any) -> Any:
    [history] = imported.histories
    assert_valid(history.document, "treatment-history")
    return history


def warned(imported: Any, *parts: str) -> list[str]:
    """The warnings that contain every one of ``parts``."""
    return [w for w in imported.warnings if all(part in w for part in parts)]


def test_a_patient_bundle_becomes_one_history(tmp_path: Path) -> None:
    path = write_json(tmp_path / "patient.json", two_trial_bundle())
    history = only(read_fhir(path))
    # The urn:uuid of an entry without an id becomes its id (results can refer to it).
    assert history.patient == "Patient/11111111-1111-4111-8111-111111111111"
    assert history.document == {
        "schema": "treatment-history@1.0.0",
        "id": history.patient,
        "identifiers": [{"system": "http://hospital.example.org/mrn", "value": "MRN-1"}],
        "episode": {
            "start_date": "2023-01-05",
            "diagnoses": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "370143000",
                    "display": "Major depressive disorder",
                }
            ],
            "scores": [{"scale": "PHQ-9", "value": 21, "date": "2023-06-01"}],
        },
        "trials": [
            {
                "id": "MedicationStatement/ms1",
                "drug": {
                    "name": "sertraline",
                    "codings": [{"system": RXNORM, "code": "36437", "display": "sertraline"}],
                },
                "daily_dose": {"value": 150, "unit": "mg"},
                "start_date": "2023-01-10",
                "end_date": "2023-03-15",
                "outcome": "non-response",
                "adherence": "full",
            },
            {
                "id": "MedicationStatement/ms2",
                "drug": {
                    "name": "escitalopram",
                    "codings": [{"system": RXNORM, "code": "321988", "display": "escitalopram"}],
                },
                "daily_dose": {"value": 20, "unit": "mg"},
                "start_date": "2023-03-20",
                "end_date": "2023-06-01",
                "outcome": "non-response",
                "adherence": "full",
                # The PHQ-9 of the trial's last day, read as its end score by date.
                "end_score": {"scale": "PHQ-9", "value": 21, "date": "2023-06-01"},
                "notes": "Scores read by date by trdcore-fhir (end PHQ-9 of 2023-06-01; "
                "windows 30 days before to 7 after the start, 14 around the end).",
            },
        ],
    }
    assert history.sources == {
        "/episode": ("Condition/c1",),
        "/trials/0": ("MedicationStatement/ms1",),
        "/trials/1": ("MedicationStatement/ms2",),
        "/episode/scores/0": ("Observation/phq1",),
        "/trials/1/end_score": ("Observation/phq1",),
    }


def test_importer_runs_through_the_host(
    tmp_path: Path, trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str]
) -> None:
    register_plugin(trdcore_fhir)
    path = write_json(tmp_path / "patient.json", two_trial_bundle())
    run = run_import("fhir", path, pm=trdcore_pm)
    run.assert_ok()
    assert len(run.documents) == 1
    assert run.warnings == ()


def test_patients_are_kept_apart_and_sorted(tmp_path: Path) -> None:
    resources = [
        statement("a", "36437", "sertraline", "2023-01-10", "2023-03-15", subject="Patient/b"),
        patient("b"),
        patient("a", mrn="MRN-2"),
        statement("b", "4493", "fluoxetine", "2023-01-10", "2023-03-15", subject="Patient/a"),
    ]
    imported = read_fhir(write_json(tmp_path / "two.json", bundle(*resources)))
    assert [h.patient for h in imported.histories] == ["Patient/a", "Patient/b"]
    assert imported.histories[0].document["trials"][0]["drug"]["name"] == "fluoxetine"


def test_medication_reference_is_resolved_and_unused_medication_reported(tmp_path: Path) -> None:
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": RXNORM, "code": "4493", "display": "fluoxetine"}]},
    }
    spare = {"resourceType": "Medication", "id": "m2", "code": {"text": "aspirin"}}
    use = statement("ms1", "0", "x", "2023-01-10", "2023-03-15")
    del use["medicationCodeableConcept"]
    use["medicationReference"] = {"reference": "Medication/m1"}
    imported = read_fhir(write_json(tmp_path / "m.json", bundle(medication, spare, use)))
    trial = only(imported).document["trials"][0]
    assert trial["drug"]["codings"][0]["code"] == "4493"
    assert warned(imported, "Medication/m2", "not referenced")
    assert not warned(imported, "Medication/m1")


def test_requests_count_unless_a_statement_is_based_on_them(tmp_path: Path) -> None:
    def request(identifier: str, intent: str = "order") -> dict[str, Any]:
        return {
            "resourceType": "MedicationRequest",
            "id": identifier,
            "status": "completed",
            "intent": intent,
            "subject": {"reference": "Patient/p"},
            "medicationCodeableConcept": {
                "coding": [{"system": RXNORM, "code": "4493", "display": "fluoxetine"}]
            },
            "authoredOn": "2023-02-01",
            "dosageInstruction": [daily(40)],
        }

    covered = statement(
        "ms1",
        "4493",
        "fluoxetine",
        "2023-02-01",
        "2023-04-01",
        subject="Patient/p",
        basedOn=[{"reference": "MedicationRequest/r1"}],
    )
    imported = read_fhir(
        write_json(
            tmp_path / "r.json",
            bundle(
                patient("p"),
                request("r1"),
                request("r2"),
                request("r3", intent="proposal"),
                covered,
            ),
        )
    )
    trials = only(imported).document["trials"]
    assert [t["id"] for t in trials] == ["MedicationStatement/ms1", "MedicationRequest/r2"]
    assert trials[1] == {
        "id": "MedicationRequest/r2",
        "drug": {
            "name": "fluoxetine",
            "codings": [{"system": RXNORM, "code": "4493", "display": "fluoxetine"}],
        },
        "daily_dose": {"value": 40, "unit": "mg"},
        "start_date": "2023-02-01",
        "end_date": "unknown",
    }
    assert warned(imported, "MedicationRequest/r3", "intent 'proposal'")


def sertraline_tablets() -> dict[str, Any]:
    """A Medication: sertraline 50 mg tablets."""
    return {
        "resourceType": "Medication",
        "id": "sert50",
        "code": {"coding": [{"system": RXNORM, "code": "36437", "display": "sertraline"}]},
        "ingredient": [
            {
                "itemCodeableConcept": {"text": "sertraline"},
                "strength": {
                    "numerator": {"value": 50, "unit": "mg", "system": UCUM, "code": "mg"},
                    "denominator": {"value": 1, "unit": "tablet"},
                },
            }
        ],
    }


def dispense(identifier: str, day: str) -> dict[str, Any]:
    """A fill of 60 sertraline tablets for 30 days, handed over on ``day``."""
    return {
        "resourceType": "MedicationDispense",
        "id": identifier,
        "status": "completed",
        "subject": {"reference": "Patient/p"},
        "medicationReference": {"reference": "Medication/sert50"},
        "quantity": {"value": 60},
        "daysSupply": {"value": 30, "unit": "d", "system": UCUM, "code": "d"},
        "whenHandedOver": day,
    }


def three_fills() -> dict[str, Any]:
    """A Bundle: patient p's three monthly fills of sertraline from 2023-01-01."""
    return bundle(
        patient("p"),
        sertraline_tablets(),
        dispense("d1", "2023-01-01"),
        dispense("d2", "2023-01-31"),
        dispense("d3", "2023-03-02"),
    )


def test_dispenses_become_trials_through_drug_eras(tmp_path: Path, catalog: Catalog) -> None:
    imported = read_fhir(
        write_json(tmp_path / "d.json", three_fills()), catalog=catalog, as_of="2023-12-31"
    )
    history = only(imported)
    [trial] = history.document["trials"]
    assert trial["drug"] == {"name": "sertraline"}
    assert trial["daily_dose"] == {"value": 100, "unit": "mg"}
    assert (trial["start_date"], trial["end_date"]) == ("2023-01-01", "2023-04-01")
    assert history.sources["/trials/0"] == (
        "MedicationDispense/d1",
        "MedicationDispense/d2",
        "MedicationDispense/d3",
    )
    assert imported.warnings == ()


def test_two_readers_read_in_turn_each_keep_their_own_settings(catalog: Catalog) -> None:
    # What dispensing eras are depends on as-of: later fills are not used, a supply lasting
    # past it is an ongoing trial.
    lines = [json.dumps(three_fills()).encode(), json.dumps(two_trial_bundle()).encode()] * 2
    settings = {"early": "2023-02-15", "late": "2023-12-31"}
    readers = {
        name: FhirReader(datetime.date.fromisoformat(as_of), catalog)
        for name, as_of in settings.items()
    }
    in_turn: dict[str, list[Any]] = {name: [] for name in readers}
    for number, line in enumerate(lines, start=1):
        for name, reader in readers.items():
            in_turn[name].append(reader.read_bundle(line, source="in.ndjson", number=number))
    for name, as_of in settings.items():
        assert in_turn[name] == [
            read_fhir_bundle(line, source="in.ndjson", number=number, as_of=as_of, catalog=catalog)
            for number, line in enumerate(lines, start=1)
        ]
    early, late = (in_turn[name][0].histories[0].document["trials"] for name in settings)
    assert early != late
    assert early[0]["ongoing"] is True


def test_what_a_reader_remembers_is_its_own(tmp_path: Path) -> None:
    path = write_json(tmp_path / "patient.json", two_trial_bundle())
    first, second = FhirReader(), FhirReader()
    assert first.read(path) == read_fhir(path)
    assert first._memo.drugs
    assert first._memo.days
    assert not second._memo.drugs
    assert not second._memo.days
    assert second.read(path) == first.read(path)


def test_scores_other_observations_and_resources_are_reported(tmp_path: Path) -> None:
    glucose = phq9("o2", 5, "2023-02-01", subject="Patient/p")
    glucose["code"] = {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}
    encounter = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "Patient/p"},
    }
    high = phq9("o3", 30, "2023-02-01", subject="Patient/p")
    imported = read_fhir(
        write_json(
            tmp_path / "o.json",
            bundle(
                patient("p"),
                phq9("o1", 18, "2023-01-01", subject="Patient/p"),
                glucose,
                encounter,
                high,
            ),
        )
    )
    history = only(imported)
    assert history.document["episode"]["scores"] == [
        {"scale": "PHQ-9", "value": 18, "date": "2023-01-01"}
    ]
    assert warned(imported, "Observation/o2", "code", "http://loinc.org|2345-7")
    assert warned(imported, "Encounter/e1", "not read")
    assert warned(imported, "Observation/o3", "outside the PHQ-9 range")


# -- bad input, each a test --------------------------------------------------------------------


def test_not_fhir_at_all_is_an_error_naming_the_file_and_line(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Patient felt better.\nNo changes.\n")
    with pytest.raises(DocumentError, match=r"notes\.txt:1: not JSON or NDJSON, so not FHIR"):
        read_fhir(text)
    plain = write_json(tmp_path / "plain.json", {"name": "sertraline", "dose": 50})
    with pytest.raises(DocumentError, match=r"plain\.json:1: not a FHIR resource"):
        read_fhir(plain)
    lines = tmp_path / "mixed.ndjson"
    lines.write_text(json.dumps(phq9("o1", 3, "2023-01-01")) + "\n{broken\n")
    with pytest.raises(DocumentError, match=r"mixed\.ndjson:2: line is not JSON"):
        read_fhir(lines)


def test_not_fhir_exits_1_from_the_command_line(tmp_path: Path, capfdbinary: Any) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    code, _, err = run_cli(capfdbinary, "import", "fhir", str(text))
    assert code == 1
    assert "notes.txt:1: not JSON or NDJSON, so not FHIR" in err
    assert "Traceback" not in err


def test_r5_resources_are_reported_not_read(tmp_path: Path) -> None:
    usage = {
        "resourceType": "MedicationUsage",
        "id": "u1",
        "status": "recorded",
        "medication": {"concept": {"coding": [{"system": RXNORM, "code": "36437"}]}},
        "subject": {"reference": "Patient/p"},
    }
    r5_statement = {
        "resourceType": "MedicationStatement",
        "id": "s1",
        "status": "recorded",
        "medication": {"concept": {"coding": [{"system": RXNORM, "code": "4493"}]}},
        "subject": {"reference": "Patient/p"},
    }
    imported = read_fhir(
        write_json(tmp_path / "r5.json", bundle(patient("p"), usage, r5_statement))
    )
    assert imported.histories == ()
    assert warned(imported, "MedicationUsage/u1", "not a FHIR R4 resource")
    assert warned(imported, "MedicationStatement/s1", "looks like FHIR R5", "CodeableReference")


def test_unresolvable_references_are_reported(tmp_path: Path) -> None:
    dangling = statement("ms1", "0", "x", "2023-01-10", "2023-03-15", subject="Patient/ghost")
    del dangling["medicationCodeableConcept"]
    dangling["medicationReference"] = {"reference": "Medication/missing"}
    fine = statement(
        "ms2", "4493", "fluoxetine", "2023-01-10", "2023-03-15", subject="Patient/ghost"
    )
    imported = read_fhir(write_json(tmp_path / "refs.json", bundle(dangling, fine)))
    history = only(imported)
    assert [t["id"] for t in history.document["trials"]] == ["MedicationStatement/ms2"]
    assert warned(
        imported,
        "MedicationStatement/ms1",
        "medicationReference",
        "Medication/missing cannot be resolved",
    )
    assert warned(imported, "Patient/ghost", "not in the input")


def test_a_drug_coded_only_in_an_unknown_system_is_reported(tmp_path: Path) -> None:
    unknown = statement(
        "ms1",
        "SERT-50",
        "Sertraline 50",
        "2023-01-10",
        "2023-03-15",
        system="http://pharmacy.example.org/formulary",
        subject="Patient/p",
    )
    imported = read_fhir(write_json(tmp_path / "u.json", bundle(patient("p"), unknown)))
    # The patient is still there, with no trial: the warnings say why.
    assert only(imported).document["trials"] == []
    assert warned(
        imported,
        "MedicationStatement/ms1 medicationCodeableConcept",
        "systems trdcore does not read",
        "http://pharmacy.example.org/formulary|SERT-50",
    )
    assert warned(
        imported, "MedicationStatement/ms1 medicationCodeableConcept", "no RxNorm or ATC code"
    )


def test_a_dose_without_a_unit_is_reported_and_left_unknown(tmp_path: Path) -> None:
    unitless = statement(
        "ms1", "36437", "sertraline", "2023-01-10", "2023-03-15", subject="Patient/p"
    )
    unitless["dosage"] = [
        {
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": 50}}],
        }
    ]
    untimed = statement(
        "ms2", "4493", "fluoxetine", "2023-03-20", "2023-06-01", subject="Patient/p"
    )
    untimed["dosage"] = [{"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}]}]
    imported = read_fhir(
        write_json(tmp_path / "dose.json", bundle(patient("p"), unitless, untimed))
    )
    trials = only(imported).document["trials"]
    assert [t["daily_dose"] for t in trials] == ["unknown", "unknown"]
    assert warned(imported, "MedicationStatement/ms1 dosage[0]", "dose without a unit")
    assert warned(imported, "MedicationStatement/ms2 dosage[0]", "no timing")


def test_50_mb_ndjson_is_streamed(tmp_path: Path) -> None:
    """A bulk-data export of 50 MB, read line by line; every line accounted for.

    Each resource carries a narrative (as many servers send), which the importer does not
    keep; the lines are built from one template so writing the file stays quick.
    """
    path = tmp_path / "bulk.ndjson"
    narrative = {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml">' + "<p>note</p>" * 150 + "</div>",
    }
    template = [
        *(
            statement(
                f"s-{n}-PATIENT",
                "36437",
                "sertraline",
                "2023-01-10",
                "2023-03-15",
                subject="Patient/PATIENT",
                text=narrative,
            )
            for n in range(3)
        ),
        {**phq9("o-PATIENT", 14, "2023-02-01", subject="Patient/PATIENT"), "text": narrative},
        {**depression("c-PATIENT", "2023-01-01", subject="Patient/PATIENT"), "text": narrative},
    ]
    chunk = b"".join(json.dumps(resource).encode() + b"\n" for resource in template)
    patients = size = 0
    with path.open("wb") as out:
        while size < 50_000_000:
            size += out.write(chunk.replace(b"PATIENT", str(patients).encode()))
            patients += 1
    imported = read_fhir(path)
    assert path.stat().st_size >= 50_000_000
    assert len(imported.histories) == patients
    assert all(len(h.document["trials"]) == 3 for h in imported.histories)
    # Each patient is named only by reference (no Patient lines): one warning each.
    assert len(imported.warnings) == patients
