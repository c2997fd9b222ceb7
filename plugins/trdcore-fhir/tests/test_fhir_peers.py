"""Independent peers: two FHIR validators, a coding-system allow-list and a FHIR server.

The validators (Medplum's ``validateResource`` with the official R4 definitions, and
Lantana's npm ``fhir``) and the server (Medplum's FHIR router over an in-memory repository)
run in Node; see fhir_fixtures.py and node/.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import (
    all_codings,
    phq9,
    rich_history,
    server,
    two_trial_bundle,
    validators,
    write_json,
)
from trdcore_fhir import (
    FhirExporter,
    catalog_resources,
    history_resources,
    read_fhir,
    result_bundle,
    result_resources,
)
from trdcore_fhir.serialize import transaction_bundle
from trdcore_fhir.terminology import KNOWN_SYSTEMS

from trdcore import evaluation_document, load_catalog
from trdcore.catalog import Catalog
from trdcore.plugins import get_plugin_manager

AS_OF = datetime.date(2024, 8, 1)
#: Medplum's router refuses a transaction with more than 50 updates (a server limit).
MEDPLUM_MAX_UPDATES = 50


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(get_plugin_manager(environ={}))


@pytest.fixture(scope="module")
def emitted(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Everything the plugin writes: the catalog export, a patient, and results."""
    from trdcore.extensions import ExportContext

    export = FhirExporter().export(ExportContext(catalog=catalog))
    catalog_bundle = json.loads(export.files["bundle.json"])
    patient, _ = history_resources(rich_history())
    folder = tmp_path_factory.mktemp("peers")
    [history] = read_fhir(write_json(folder / "p.json", two_trial_bundle())).histories
    results = []
    for definition in ("two-trials-gaynes-2020", "different-classes", "canadian-consensus-2021"):
        result = evaluation_document(history.document, definition, as_of=AS_OF, catalog=catalog)
        results.append((result, history))
    return {"catalog": catalog_bundle, "patient": patient, "results": results}


def everything(emitted: dict[str, Any]) -> list[dict[str, Any]]:
    resources = [emitted["catalog"]]
    resources += [entry["resource"] for entry in emitted["catalog"]["entry"]]
    resources += emitted["patient"]
    resources.append(transaction_bundle(emitted["patient"], bundle_id="patient"))
    for result, history in emitted["results"]:
        for kind in ("collection", "transaction"):
            resources.append(
                result_bundle(
                    result,
                    subject=history.patient,
                    sources=history.sources,
                    condition=True,
                    bundle_type=kind,
                )
            )
        resources += result_resources(
            result, subject=history.patient, sources=history.sources, condition=True
        )
    return resources


def test_every_resource_we_emit_passes_both_validators(emitted: dict[str, Any]) -> None:
    resources = everything(emitted)
    reports = validators().check(resources)
    failures = [
        {
            "resource": f"{r['resourceType']}/{r.get('id')}",
            "medplum": report["medplum"],
            "lantana": report["lantana"],
        }
        for r, report in zip(resources, reports, strict=True)
        if not report["ok"]
    ]
    assert failures == []
    kinds = {r["resourceType"] for r in resources}
    assert {
        "Library",
        "PlanDefinition",
        "ActivityDefinition",
        "MedicationKnowledge",
        "ValueSet",
        "CodeSystem",
        "Observation",
        "Condition",
        "Provenance",
        "GuidanceResponse",
        "MedicationStatement",
        "Patient",
        "Bundle",
    } <= kinds


def test_every_coding_system_we_emit_is_on_the_allow_list(emitted: dict[str, Any]) -> None:
    systems = {coding["system"] for coding in all_codings(everything(emitted))}
    assert systems - set(KNOWN_SYSTEMS) == set()


def test_each_peer_catches_a_broken_resource() -> None:
    valid = phq9("o1", 12, "2024-01-01", subject="Patient/p1")
    # obs-6: dataAbsentReason together with a value; only Medplum checks FHIRPath invariants.
    invariant = {**valid, "dataAbsentReason": {"text": "asked, not known"}}
    # Observation.status has a required binding; only Lantana checks bindings.
    binding = {**valid, "status": "done"}
    # A coding system spelled "LOINC" passes both validators; the allow-list catches it.
    system = copy.deepcopy(valid)
    system["code"]["coding"][0]["system"] = "LOINC"
    # One of our own results with its required status removed: both catch it.
    ours = next(
        r
        for r in result_resources(
            {
                "definition": "x@1.0.0",
                "as_of": "2024-01-01",
                "status": "met",
                "counts": {"adequate_failed_trials": 2, "distinct_classes": 1},
            },
            subject="Patient/p1",
        )
        if r["resourceType"] == "GuidanceResponse"
    )
    del ours["status"]
    valid_report, invariant_report, binding_report, system_report, ours_report = validators().check(
        [valid, invariant, binding, system, ours]
    )
    assert valid_report["ok"], valid_report
    assert invariant_report["medplum"]
    assert not invariant_report["lantana"]
    assert binding_report["lantana"]
    assert not binding_report["medplum"]
    assert system_report["ok"]
    assert {c["system"] for c in all_codings(system)} - set(KNOWN_SYSTEMS) == {"LOINC"}
    assert ours_report["medplum"]
    assert ours_report["lantana"]


def post_transaction(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """POST a transaction, split to respect Medplum's cap on updates per transaction."""
    responses = []
    entries = bundle["entry"]
    for start in range(0, len(entries), MEDPLUM_MAX_UPDATES):
        part = {**bundle, "entry": entries[start : start + MEDPLUM_MAX_UPDATES]}
        status, answer = server().request("POST", "", part)
        assert status == 200, answer
        assert answer["type"] == "transaction-response"
        responses += answer["entry"]
    return responses


def test_a_fhir_server_takes_the_export_and_serves_it_back(emitted: dict[str, Any]) -> None:
    bundle = emitted["catalog"]
    first = post_transaction(bundle)
    assert len(first) == len(bundle["entry"])
    assert {e["response"]["status"] for e in first} <= {"200", "201"}
    status, library = server().request("GET", "Library/different-classes")
    assert status == 200
    assert library["url"] == "https://trdcore.org/fhir/Library/different-classes"
    status, found = server().request(
        "GET", "PlanDefinition?url=https://trdcore.org/fhir/PlanDefinition/trd-treatment-options"
    )
    assert status == 200
    assert found["entry"][0]["resource"]["id"] == "trd-treatment-options"
    # PUTs: posting the same export again changes nothing.
    again = post_transaction(bundle)
    assert {e["response"]["status"] for e in again} == {"200"}
    status, all_libraries = server().request("GET", "Library?_count=100")
    assert len(all_libraries["entry"]) == sum(
        1 for e in bundle["entry"] if e["resource"]["resourceType"] == "Library"
    )


def test_a_fhir_server_takes_patient_data_and_results(emitted: dict[str, Any]) -> None:
    patient = emitted["patient"]
    post_transaction(transaction_bundle(patient, bundle_id="patient"))
    patient_id = patient[0]["id"]
    status, found = server().request(
        "GET", f"Observation?code=http://loinc.org|44261-6&subject=Patient/{patient_id}"
    )
    assert status == 200
    assert sorted(e["resource"]["valueInteger"] for e in found["entry"]) == [18, 19, 19]
    result, history = emitted["results"][0]
    results = result_bundle(
        result,
        subject=history.patient,
        sources=history.sources,
        condition=True,
        bundle_type="transaction",
    )
    post_transaction(results)
    guidance = next(
        e["resource"]
        for e in results["entry"]
        if e["resource"]["resourceType"] == "GuidanceResponse"
    )
    status, stored = server().request("GET", f"GuidanceResponse/{guidance['id']}")
    assert status == 200
    assert stored["moduleCanonical"] == guidance["moduleCanonical"]


def test_the_server_refuses_what_the_validators_refuse(tmp_path: Path) -> None:
    broken = {
        **phq9("o9", 12, "2024-01-01", subject="Patient/p1"),
        "dataAbsentReason": {"text": "x"},
    }
    status, outcome = server().request("PUT", "Observation/o9", broken)
    assert status == 400
    assert outcome["resourceType"] == "OperationOutcome"


def test_catalog_resources_is_the_public_entry_point(catalog: Catalog) -> None:
    resources, skipped = catalog_resources(catalog, version="0.1.0")
    assert skipped == []
    assert len({(r["resourceType"], r["id"]) for r in resources}) == len(resources)
