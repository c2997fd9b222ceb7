"""Round trips: history -> FHIR -> history, and Bundle -> import -> evaluate -> results."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import rich_history, run_cli, two_trial_bundle, write_json
from trdcore_fhir import (
    ResultWriter,
    history_resources,
    read_fhir,
    result_bundle,
    result_resources,
)
from trdcore_fhir.serialize import dumps, transaction_bundle

from trdcore import evaluation_document, load_catalog
from trdcore.catalog import Catalog
from trdcore.plugins import get_plugin_manager
from trdcore.testing import valid_document

AS_OF = datetime.date(2024, 8, 1)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(get_plugin_manager(environ={}))


def to_file(tmp_path: Path, history: dict[str, Any], name: str = "h.json") -> Path:
    resources, warnings = history_resources(history)
    assert warnings == []
    return write_json(tmp_path / name, transaction_bundle(resources, bundle_id="h"))


def test_a_history_survives_the_trip_through_fhir(tmp_path: Path) -> None:
    history = rich_history()
    imported = read_fhir(to_file(tmp_path, history))
    assert imported.warnings == ()
    [back] = imported.histories
    assert back.document == history


def test_the_minimal_history_survives_too(tmp_path: Path) -> None:
    history = valid_document("treatment-history")
    [back] = read_fhir(to_file(tmp_path, history)).histories
    expected = copy.deepcopy(history)
    expected["episode"]["diagnoses"] = [
        {
            "system": "http://snomed.info/sct",
            "code": "370143000",
            "display": "Major depressive disorder",
        }
    ]
    # Without ids the history and its trial are named by their resource references, which
    # results point back at; an episode without diagnoses is written as SNOMED CT MDD.
    expected["trials"][0]["id"] = back.sources["/trials/0"][0]
    assert expected["trials"][0]["id"].startswith("MedicationStatement/")
    assert back.document == {**expected, "id": back.patient}


def test_reimporting_our_own_export_changes_nothing(tmp_path: Path) -> None:
    first = to_file(tmp_path, rich_history(), "first.json")
    [once] = read_fhir(first).histories
    second = to_file(tmp_path, once.document, "second.json")
    assert first.read_bytes() == second.read_bytes()


def test_courses_are_reported_not_silently_dropped() -> None:
    history = valid_document("treatment-history", courses=[{"kind": "ect", "sessions": 8}])
    _, warnings = history_resources(history)
    assert warnings == [
        "history (no id) /courses/0 (ect): courses are not written to FHIR yet; left out"
    ]


def test_bundle_to_results_keeps_identifiers_and_points_at_the_inputs(
    tmp_path: Path, catalog: Catalog
) -> None:
    [history] = read_fhir(write_json(tmp_path / "p.json", two_trial_bundle())).histories
    result = evaluation_document(
        history.document, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog
    )
    assert result["status"] == "met"
    assert [t["trial_id"] for t in result["trials"]] == [
        "MedicationStatement/ms1",
        "MedicationStatement/ms2",
    ]
    resources = result_resources(
        result, subject=history.patient, sources=history.sources, condition=True
    )
    by_type = {r["resourceType"]: r for r in resources}
    assert [r["resourceType"] for r in resources] == [
        "Device",
        "Observation",
        "Condition",
        "Provenance",
        "Parameters",
        "GuidanceResponse",
    ]
    observation = by_type["Observation"]
    assert observation["subject"] == {"reference": history.patient}
    assert observation["valueCodeableConcept"]["coding"][0]["code"] == "met"
    extensions = {e["url"]: e for e in observation["extension"]}
    assert (
        extensions["https://trdcore.org/fhir/StructureDefinition/definition"]["valueCanonical"]
        == "https://trdcore.org/fhir/Library/two-trials-gaynes-2020|2.0.0"
    )
    assert (
        extensions["http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-caseFeatureType"][
            "valueCode"
        ]
        == "inferred"
    )
    pertinent = [
        e["valueReference"]["reference"]
        for e in observation["extension"]
        if e["url"].endswith("cpg-pertinent")
    ]
    assert pertinent == ["MedicationStatement/ms1", "MedicationStatement/ms2", "Condition/c1"]
    assert observation["derivedFrom"] == [{"reference": "Observation/phq1"}]
    condition = by_type["Condition"]
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    provenance = by_type["Provenance"]
    assert {e["what"]["reference"] for e in provenance["entity"]} == {
        "MedicationStatement/ms1",
        "MedicationStatement/ms2",
        "Observation/phq1",
        "Condition/c1",
    }
    assert provenance["policy"] == ["https://trdcore.org/fhir/Library/two-trials-gaynes-2020|2.0.0"]
    guidance = by_type["GuidanceResponse"]
    assert guidance["moduleCanonical"] == provenance["policy"][0]
    assert guidance["outputParameters"] == {
        "reference": f"Parameters/{by_type['Parameters']['id']}"
    }


def test_results_are_deterministic_and_not_met_gives_no_condition(
    tmp_path: Path, catalog: Catalog
) -> None:
    [history] = read_fhir(write_json(tmp_path / "p.json", two_trial_bundle())).histories
    result = evaluation_document(
        history.document, "different-classes", as_of=AS_OF, catalog=catalog
    )
    assert result["status"] != "met"  # two SSRIs: not different classes
    first = result_bundle(result, subject=history.patient, sources=history.sources, condition=True)
    again = result_bundle(result, subject=history.patient, sources=history.sources, condition=True)
    assert dumps(first) == dumps(again)
    assert "Condition" not in {e["resource"]["resourceType"] for e in first["entry"]}


def test_one_writer_for_many_results_writes_what_a_writer_each_writes(
    tmp_path: Path, catalog: Catalog
) -> None:
    [history] = read_fhir(write_json(tmp_path / "p.json", two_trial_bundle())).histories
    writer = ResultWriter()
    for definition in ("two-trials-gaynes-2020", "different-classes"):
        for as_of in (AS_OF, datetime.date(2025, 3, 1)):
            result = evaluation_document(history.document, definition, as_of=as_of, catalog=catalog)
            for bundle_type in ("collection", "transaction"):
                options: dict[str, Any] = {
                    "subject": history.patient,
                    "sources": history.sources,
                    "condition": True,
                    "bundle_type": bundle_type,
                }
                assert dumps(writer.bundle(result, **options)) == dumps(
                    result_bundle(result, **options)
                )


def test_fhir_evaluate_command_writes_result_bundles(tmp_path: Path, capfdbinary: Any) -> None:
    path = write_json(tmp_path / "p.json", two_trial_bundle())
    code, out, err = run_cli(
        capfdbinary,
        "fhir-evaluate",
        str(path),
        "--as-of",
        "2024-08-01",
        "--definition",
        "two-trials-gaynes-2020",
        "--condition",
    )
    assert code == 0, err
    [line] = out.splitlines()
    result = json.loads(line)
    kinds = [e["resource"]["resourceType"] for e in result["entry"]]
    assert "GuidanceResponse" in kinds
    assert "Condition" in kinds


def test_fhir_evaluate_refuses_an_unknown_definition(tmp_path: Path, capfdbinary: Any) -> None:
    path = write_json(tmp_path / "p.json", two_trial_bundle())
    code, _, err = run_cli(
        capfdbinary,
        "fhir-evaluate",
        str(path),
        "--as-of",
        "2024-08-01",
        "--definition",
        "no-such-definition",
    )
    assert code == 2
    assert "unknown definition 'no-such-definition'" in err
