"""HL7's own medication and condition examples (tests/data/hl7, see its README), imported.

Two patients are assembled from them as HL7 wrote them: James Wolff (Patient/bh-patient-example)
from the US Behavioral Health Profiles examples, and Amy Shaw (Patient/example) from US Core's.
Every expectation below was worked out by hand from the resource text and trdcore's catalog before
the importer was run; the reasoning is in the docstrings.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trdcore_fhir
from fhir_fixtures import bundle, write_json
from trdcore_fhir import FhirImport, read_fhir

import trdcore
from trdcore.testing import run_import

HL7 = Path(__file__).parent / "data" / "hl7"
AS_OF = "2026-11-27"
DEFINITIONS = ("different-classes", "two-trials-gaynes-2020")

#: The US Behavioral Health Profiles examples, all about Patient/bh-patient-example.
BEHAVIORAL_HEALTH = (
    "paroxetine-discharge-med-example-1",
    "bupropion-discharge-med-example-1",
    "ativan-discharge-med-example-1",
    "benzo-order-example-1",
    "benzo-medication-example-1",
    "bupropion-dispense-example-1",
    "depression-condition-example-1",
)
#: US Core's examples, all about Patient/example (the PHQ-9 total is test_fhir_hl7_examples.py's).
US_CORE = (
    "medicationrequest-coded-oral-axid",
    "medicationrequest-referenced-oral-axid",
    "uscore-med2",
    "medicationrequest-self-tylenol",
    "condition-duodenal-ulcer-resolved",
    "condition-encounter-diagnosis-example1",
    "Observation-PHQ9-item-example-44261-6",
)


def example(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((HL7 / f"{name}.json").read_text("utf-8"))
    return found


def patient_bundle(patient_id: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The examples in one Bundle with their patient. HL7's Patient examples carry nothing the
    importer reads but identifiers, so a bare Patient with the id they reference stands in."""
    return bundle({"resourceType": "Patient", "id": patient_id}, *(example(n) for n in names))


def read(tmp_path: Path, patient_id: str, names: tuple[str, ...]) -> FhirImport:
    return read_fhir(write_json(tmp_path / "in.json", patient_bundle(patient_id, names)))


@pytest.fixture
def wolff(tmp_path: Path) -> FhirImport:
    return read(tmp_path, "bh-patient-example", BEHAVIORAL_HEALTH)


@pytest.fixture
def shaw(tmp_path: Path) -> FhirImport:
    return read(tmp_path, "example", US_CORE)


def warnings_about(imported: FhirImport, reference: str) -> list[str]:
    return [warning for warning in imported.warnings if f" {reference}" in warning]


# -- the transcriptions ------------------------------------------------------------------------

_FHIR = "{http://hl7.org/fhir}"
_XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"
#: Where a transcription differs from its XML on purpose (see the README): the paroxetine
#: example's <quantity value="30"/> is not R4 XML; its value is the quantity's value.
_MOVED = {"/dispenseRequest/quantity": "/dispenseRequest/quantity/value"}


def _xml_values(element: ElementTree.Element, path: str = "") -> Iterator[tuple[str, str]]:
    for child in element:
        if not isinstance(child.tag, str) or child.tag == _XHTML_DIV:
            continue
        where = f"{path}/{child.tag.removeprefix(_FHIR)}"
        if "url" in child.attrib:
            yield f"{where}/url", child.attrib["url"]
        if "value" in child.attrib:
            yield _MOVED.get(where, where), child.attrib["value"]
        yield from _xml_values(child, where)


def _json_values(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _json_values(item, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in {"resourceType", "div"}:
                yield from _json_values(item, f"{path}/{key}")
    elif isinstance(value, bool):
        yield path, "true" if value else "false"
    else:
        yield path, str(value)


def _narrative_words(div: ElementTree.Element) -> list[str]:
    return " ".join(div.itertext()).split()


@pytest.mark.parametrize("name", BEHAVIORAL_HEALTH)
def test_each_json_transcription_holds_the_elements_and_values_of_hl7s_xml(name: str) -> None:
    root = ElementTree.parse(HL7 / f"{name}.xml").getroot()
    transcribed = example(name)
    assert transcribed["resourceType"] == root.tag.removeprefix(_FHIR)
    assert Counter(_json_values(transcribed)) == Counter(_xml_values(root))
    div = root.find(f"{_FHIR}text/{_XHTML_DIV}")
    if div is not None:
        written = ElementTree.fromstring(transcribed["text"]["div"])
        assert _narrative_words(written) == _narrative_words(div)


# -- James Wolff: the US Behavioral Health Profiles examples ----------------------------------


def test_the_paroxetine_discharge_order_is_a_paroxetine_trial_with_partial_adherence(
    wolff: FhirImport,
) -> None:
    """RxNorm 1738483, "paroxetine hydrochloride 10 MG Oral Tablet" per the example's display, is
    in the catalog's VSAC antidepressant list (clinical-drugs/antidepressant-medication.yaml:
    paroxetine, 10 MG, Oral Tablet), so the order is a trial of it. Its only dosage is the text
    "Take 1 tablet daily" (no doseAndRate), so no daily dose is read. It has no authoredOn and no
    validityPeriod, so the start is unknown, and status completed with no validity end leaves the
    end unknown. Its US Core adherence extension says SNOMED CT 702565001 "Non-compliance of drug
    therapy", which trdcore reads as partial (terminology.US_CORE_ADHERENCE_CODES, from US Core's
    guidance)."""
    [history] = wolff.histories
    trial = history.document["trials"][0]
    assert trial == {
        "id": "MedicationRequest/paroxetine-discharge-med-example-1",
        "drug": {
            "name": "paroxetine hydrochloride 10 MG Oral Tablet",
            "codings": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "1738483",
                    "display": "paroxetine hydrochloride 10 MG Oral Tablet",
                }
            ],
        },
        "start_date": "unknown",
        "end_date": "unknown",
        "adherence": "partial",
    }
    assert history.sources["/trials/0"] == ("MedicationRequest/paroxetine-discharge-med-example-1",)


def test_the_bupropion_order_is_read_as_bupropion(wolff: FhirImport) -> None:
    """RxNorm 993532 is not in the VSAC antidepressant list (its bupropion 200 MG product there is
    993536, "12 HR bupropion hydrochloride 200 MG Extended Release Oral Tablet"), but the display
    "bupropion hydrochloride 200 MG" names one ingredient at a strength, and the ingredient,
    bupropion hydrochloride, is trdcore's bupropion (an antidepressant): the trial is bupropion's,
    judged like any other, with no warning. The name has no dose form, so no dose could be worked
    out from it, and the order has no dosageInstruction and no dates: dose absent, start and end
    unknown. The drug is kept as the record wrote it."""
    assert not warnings_about(wolff, "MedicationRequest/bupropion-discharge-med-example-1")
    [history] = wolff.histories
    trial = history.document["trials"][1]
    assert trial["drug"]["name"] == "bupropion hydrochloride 200 MG"
    assert [c["code"] for c in trial["drug"]["codings"]] == ["993532"]
    assert (trial["start_date"], trial["end_date"]) == ("unknown", "unknown")
    assert "daily_dose" not in trial
    result = trdcore.evaluate(history.document, "different-classes", as_of=AS_OF)
    assert str(result.trials[1].drug).startswith("bupropion@")
    assert not [w for w in result.warnings if w.code == "unknown-drug"]


def test_lorazepam_orders_are_set_aside_and_counted_once_in_the_summary(wolff: FhirImport) -> None:
    """Lorazepam (197900 "lorazepam 0.5 MG Oral Tablet"; and benzo-order-example-1's Medication,
    206821 with text "lorazepam 0.5 MG Oral Tablet [Ativan]") is not in the catalog, and both names
    are RxNorm clinical drug names the parser reads, so it is identified as not an antidepressant:
    no trial, one summary line naming each as written. The referenced Medication is resolved, so
    no warning says it is unused or unresolvable."""
    [history] = wolff.histories
    assert all("lorazepam" not in t["drug"]["name"] for t in history.document["trials"])
    assert (
        "2 medication records of 2 drugs that are not antidepressants or augmentation agents were "
        "not used as trials: lorazepam 0.5 MG Oral Tablet (1), "
        "lorazepam 0.5 MG Oral Tablet [Ativan] (1)"
    ) in [warning.partition(": ")[2] for warning in wolff.warnings]
    assert not warnings_about(wolff, "MedicationRequest/ativan-discharge-med-example-1")
    assert not warnings_about(wolff, "MedicationRequest/benzo-order-example-1")
    assert not warnings_about(wolff, "Medication/benzo-medication-example-1")


def test_the_bupropion_dispense_without_a_date_is_not_used(wolff: FhirImport) -> None:
    """The dispense is completed but has no whenHandedOver (nor whenPrepared): a fill with no date
    cannot be placed in time, so it is not used, and the two orders stay the only trials."""
    [history] = wolff.histories
    assert len(history.document["trials"]) == 2
    warnings = warnings_about(wolff, "MedicationDispense/bupropion-dispense-example-1")
    assert any(w.endswith("whenHandedOver: no dispense date; not used") for w in warnings)


def test_the_unused_dispense_is_not_said_to_be_kept_as_a_trial(wolff: FhirImport) -> None:
    """One true warning for a dispense that is not used: its date is checked before anything is
    said about its drug being kept (nor is its text-only dosageInstruction warned about, since
    the dispense is not used at all)."""
    warnings = warnings_about(wolff, "MedicationDispense/bupropion-dispense-example-1")
    assert not [w for w in warnings if "kept as a trial" in w]
    assert len(warnings) == 1, warnings


def test_moderate_depression_is_not_read_as_the_episode(wolff: FhirImport) -> None:
    """SNOMED CT 310496002 "Moderate depression" and ICD-10-CM F32.A "Depression, unspecified" are
    not in the VSAC Major Depression value set the importer reads (the catalog's code list
    vsac-major-depression lists F32.0-F32.4, F32.9 and F33.x, and no 310496002): depression not
    said to be major is not read as the episode. It has no onset either, so the episode start
    is unknown."""
    [history] = wolff.histories
    assert history.document["episode"] == {"start_date": "unknown"}
    assert "/episode" not in history.sources
    [warning] = warnings_about(wolff, "Condition/depression-condition-example-1")
    assert "not a major depression diagnosis" in warning
    assert "http://snomed.info/sct|310496002, http://hl7.org/fhir/sid/icd-10-cm|F32.A" in warning


def test_a_dosage_given_only_as_text_is_warned_about(wolff: FhirImport) -> None:
    """The module's promise: every element that cannot be used becomes a warning naming it.
    "Take 1 tablet daily" is the paroxetine order's only dose information."""
    warnings = warnings_about(wolff, "MedicationRequest/paroxetine-discharge-med-example-1")
    assert any("dosageInstruction[0]" in w and "daily dose" in w for w in warnings), warnings
    [text_only] = [w for w in warnings if "dosageInstruction[0]" in w]
    assert "'Take 1 tablet daily'" in text_only


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_wolffs_history_is_not_met_because_the_paroxetine_trial_was_not_adhered_to(
    wolff: FhirImport, definition: str
) -> None:
    """Both definitions need two adequate failed trials with adherence (adherence_required true in
    different-classes.yaml and two-trials-gaynes-2020.yaml). The paroxetine trial's adherence is
    partial, so it cannot count whatever its missing dose, dates and outcome would be. That leaves
    at most one trial (the bupropion order, which has no outcome or dates), fewer than two: not
    met, not indeterminate."""
    [history] = wolff.histories
    result = trdcore.evaluate(history.document, definition, as_of=AS_OF)
    assert result.status == "not_met", result.explanation
    paroxetine, bupropion = result.trials
    assert paroxetine.counted is False
    assert [c.result for c in paroxetine.criteria if c.criterion == "adherence"] == ["fail"]
    assert str(paroxetine.drug).startswith("paroxetine@")
    assert bupropion.counted is not True


# -- Amy Shaw: US Core's examples --------------------------------------------------------------


def test_nizatidine_and_tylenol_orders_are_set_aside_and_counted_in_the_summary(
    shaw: FhirImport,
) -> None:
    """Nizatidine ("Nizatidine 15 MG/ML Oral Solution", coded 476872, and "... [Axid]" from the
    referenced Medication uscore-med2) is not in the catalog and its names parse as RxNorm clinical
    drug names; "Tylenol PM Pill" (1187314, intent plan) holds no catalog drug's name, nor one close
    to it. All three are identified as not antidepressants: no trials, one summary line. Were
    nizatidine a trial, 10 mL twice a day of 15 mg/mL would be 300 mg a day; set aside, no dose is
    worked out."""
    [history] = shaw.histories
    assert history.document["trials"] == []
    assert (
        "3 medication records of 3 drugs that are not antidepressants or augmentation agents were "
        "not used as trials: Nizatidine 15 MG/ML Oral Solution (1), "
        "Nizatidine 15 MG/ML Oral Solution [Axid] (1), Tylenol PM Pill (1)"
    ) in [warning.partition(": ")[2] for warning in shaw.warnings]
    assert not warnings_about(shaw, "Medication/uscore-med2")


def test_a_resolved_ulcer_and_a_burn_are_not_the_episode(shaw: FhirImport) -> None:
    """Neither Condition is depression (SNOMED CT 51868009 duodenal ulcer; 39065001 / ICD-10-CM
    T20.21 burn of ear), and the ulcer is resolved with an abatementDateTime of 2016-08-17. The
    episode keeps an unknown start and only the PHQ-9 total of 12 from 2022-11-29."""
    [history] = shaw.histories
    assert history.document["episode"] == {
        "start_date": "unknown",
        "scores": [{"scale": "PHQ-9", "value": 12, "date": "2022-11-29"}],
    }
    [burn] = warnings_about(shaw, "Condition/encounter-diagnosis-example1")
    assert "not a major depression diagnosis" in burn
    assert "http://snomed.info/sct|39065001, http://hl7.org/fhir/sid/icd-10-cm|T20.21" in burn
    [ulcer] = warnings_about(shaw, "Condition/condition-duodenal-ulcer-res")
    assert "not a major depression diagnosis" in ulcer


def test_a_resolved_condition_that_is_not_depression_is_warned_about_as_not_depression(
    shaw: FhirImport,
) -> None:
    """The code is checked before clinicalStatus and abatement: the ulcer is not used because it
    is not depression, and calling it a past episode would say it was one."""
    [ulcer] = warnings_about(shaw, "Condition/condition-duodenal-ulcer-res")
    assert "not a major depression diagnosis" in ulcer
    assert "past episode" not in ulcer


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_shaws_history_without_antidepressants_is_not_met(
    shaw: FhirImport, definition: str
) -> None:
    """No trials at all: nothing could count, so no missing data can change the verdict."""
    [history] = shaw.histories
    result = trdcore.evaluate(history.document, definition, as_of=AS_OF)
    assert result.status == "not_met", result.explanation
    assert result.trials == ()


# -- both, through the importer the command line uses ----------------------------------------


def test_both_patients_in_one_bundle_import_as_two_valid_histories(
    tmp_path: Path, trdcore_pm: Any, register_plugin: Any
) -> None:
    register_plugin(trdcore_fhir)
    records = [
        {"resourceType": "Patient", "id": "bh-patient-example"},
        {"resourceType": "Patient", "id": "example"},
        *(example(name) for name in BEHAVIORAL_HEALTH + US_CORE),
    ]
    run = run_import("fhir", write_json(tmp_path / "both.json", bundle(*records)), pm=trdcore_pm)
    run.assert_ok()
    assert [d["id"] for d in run.documents] == ["Patient/bh-patient-example", "Patient/example"]
    assert [len(d["trials"]) for d in run.documents] == [2, 0]
    # One summary line for the whole input: 2 lorazepam and 3 nizatidine / Tylenol records.
    [summary] = [w for w in run.warnings if "were not used as trials" in w]
    assert summary.partition(": ")[2].startswith("5 medication records of 5 drugs")
