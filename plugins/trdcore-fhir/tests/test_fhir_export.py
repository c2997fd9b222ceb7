"""The ``fhir`` exporter: the catalog as FHIR R4 in CPG-on-FHIR shapes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import trdcore_fhir
from fhir_fixtures import all_codings, run_cli
from trdcore_fhir.terminology import KNOWN_SYSTEMS, SNOMED, TRDCORE_CONCEPTS, TRDCORE_SYSTEM

from trdcore import load_catalog
from trdcore.catalog import Catalog
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager, plugins
from trdcore.testing import run_export


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(get_plugin_manager(environ={}))


@pytest.fixture
def exported(
    trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str], catalog: Catalog
) -> dict[str, Any]:
    register_plugin(trdcore_fhir)
    outcome = run_export("fhir", pm=trdcore_pm, catalog=catalog)
    outcome.assert_ok()
    return {
        "files": outcome.files,
        "metadata": outcome.metadata,
        "bundle": json.loads(outcome.text("bundle.json")),
    }


def resources_of(exported: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    found = [entry["resource"] for entry in exported["bundle"]["entry"]]
    return [r for r in found if kind is None or r["resourceType"] == kind]


def test_plugin_is_installed() -> None:
    manager = get_plugin_manager(environ={})
    found = {info.name: info for info in plugins(manager)}
    assert "fhir" in found, sorted(found)
    info = found["fhir"]
    assert info.status == "ok", info.reason
    assert info.distribution == "trdcore-fhir"
    assert set(info.hooks) == {
        "trdcore_register_exporters",
        "trdcore_register_importers",
        "trdcore_register_commands",
    }
    assert info.warnings == ()


def test_export_writes_one_transaction_bundle_and_ndjson_per_type(exported: dict[str, Any]) -> None:
    bundle = exported["bundle"]
    assert bundle["type"] == "transaction"
    kinds = {r["resourceType"] for r in resources_of(exported)}
    assert kinds == {
        "CodeSystem",
        "Library",
        "Medication",
        "MedicationKnowledge",
        "ActivityDefinition",
        "PlanDefinition",
        "ValueSet",
    }
    assert set(exported["files"]) == {"bundle.json"} | {f"ndjson/{k}.ndjson" for k in kinds}
    for kind in kinds:
        lines = exported["files"][f"ndjson/{kind}.ndjson"].splitlines()
        assert [json.loads(line) for line in lines] == resources_of(exported, kind)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["request"] == {
            "method": "PUT",
            "url": f"{resource['resourceType']}/{resource['id']}",
        }
    assert exported["metadata"]["fhirVersion"] == "4.0.1"
    assert exported["metadata"]["not_exported"] == []


def test_export_counts_match_the_catalog(exported: dict[str, Any], catalog: Catalog) -> None:
    counts = exported["metadata"]["resources"]
    assert counts["Library"] == len(catalog.items("trd-definition"))
    assert counts["ActivityDefinition"] == len(catalog.items("treatment"))
    assert counts["Medication"] == counts["MedicationKnowledge"] == len(catalog.items("drug"))
    assert counts["CodeSystem"] == counts["PlanDefinition"] == 1


def test_export_is_byte_identical_whatever_the_content_order(
    trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str], catalog: Catalog
) -> None:
    register_plugin(trdcore_fhir)
    forwards = run_export("fhir", pm=trdcore_pm, catalog=catalog)
    backwards = run_export("fhir", pm=trdcore_pm, catalog=Catalog(tuple(reversed(catalog.entries))))
    again = run_export("fhir", pm=trdcore_pm, catalog=catalog)
    assert forwards.files == backwards.files == again.files


def test_library_carries_the_definition_parameters_and_document(
    exported: dict[str, Any], catalog: Catalog
) -> None:
    entry = catalog.get("trd-definition", "different-classes")
    assert entry is not None
    [library] = [r for r in resources_of(exported, "Library") if r["id"] == "different-classes"]
    assert library["url"] == "https://trdcore.org/fhir/Library/different-classes"
    assert library["version"] == entry.version
    assert library["type"]["coding"][0]["code"] == "logic-library"
    parameters = {p["name"]: p for p in library["parameter"]}
    assert parameters["min_failed_trials"]["type"] == "integer"
    assert parameters["min_failed_trials"]["documentation"].startswith("min_failed_trials = 2;")
    # The verification mark of every sourced parameter travels with it.
    weeks = parameters["min_trial_weeks"]
    assert weeks["extension"] == [
        {
            "url": "https://trdcore.org/fhir/StructureDefinition/verification",
            "valueCode": entry.model.parameters.min_trial_weeks.verification,
        }
    ]
    assert parameters["status"]["use"] == "out"
    [content] = library["content"]
    assert json.loads(base64.b64decode(content["data"])) == entry.model.to_json()
    citations = {a["label"] for a in library["relatedArtifact"]}
    assert citations == set(entry.model.sources)
    observation = [d for d in library["dataRequirement"] if d["type"] == "Observation"]
    assert observation[0]["codeFilter"][0]["code"] == [
        {"system": "http://loinc.org", "code": "44261-6"}
    ]


def test_plan_definition_groups_every_treatment_with_versioned_canonicals(
    exported: dict[str, Any], catalog: Catalog
) -> None:
    [plan] = resources_of(exported, "PlanDefinition")
    canonicals = [
        action["definitionCanonical"] for group in plan["action"] for action in group["action"]
    ]
    expected = {
        f"https://trdcore.org/fhir/ActivityDefinition/{e.id}|{e.version}"
        for e in catalog.items("treatment")
    }
    assert set(canonicals) == expected
    assert len(canonicals) == len(expected)
    assert all(group["selectionBehavior"] == "any" for group in plan["action"])
    activities = {
        r["url"] + "|" + r["version"] for r in resources_of(exported, "ActivityDefinition")
    }
    assert activities == expected


def test_drug_activities_carry_product_codes_and_procedures_their_cpt(
    exported: dict[str, Any], catalog: Catalog
) -> None:
    activities = {r["id"]: r for r in resources_of(exported, "ActivityDefinition")}
    esketamine = activities["esketamine-nasal-spray"]
    assert esketamine["kind"] == "MedicationRequest"
    assert {c["system"] for c in esketamine["productCodeableConcept"]["coding"]} <= set(
        KNOWN_SYSTEMS
    )
    # HCPCS with THO's official URI (http), as the catalog writes it.
    assert {(c["system"], c["code"]) for c in esketamine["code"]["coding"]} == {
        ("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "G2082"),
        ("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "G2083"),
    }
    # A procedure carries the codes the catalog gives it (none for rTMS since issue 15: its
    # CPT codes rested only on coding blogs) and always its name as text.
    rtms = activities["rtms"]
    assert rtms["kind"] == "ServiceRequest"
    entry = catalog.latest("treatment", "rtms")
    assert entry is not None
    expected = {coding.code for coding in entry.model.codings or ()}
    assert {c["code"] for c in rtms["code"].get("coding", [])} == expected
    assert rtms["code"]["text"]
    # Patient-level narrative: the plain-language text, which always points to 988.
    assert "988" in rtms["text"]["div"]


def test_every_drug_coding_carries_its_catalog_verification(
    exported: dict[str, Any], catalog: Catalog
) -> None:
    marks = {
        (coding.system, coding.code): coding.verification
        for entry in catalog.items("drug")
        for coding in entry.model.codings or ()
    }
    medications = resources_of(exported, "Medication") + resources_of(exported, "ValueSet")
    checked = 0
    for coding in all_codings(medications):
        if (
            coding["system"]
            in {"http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc"}
            and "extension" in coding
        ):
            [mark] = coding["extension"]
            assert mark["valueCode"] == marks[coding["system"], coding["code"]]
            checked += 1
    assert checked >= len(marks)


def test_value_sets_cover_antidepressant_classes(exported: dict[str, Any]) -> None:
    value_sets = {r["id"]: r for r in resources_of(exported, "ValueSet")}
    ssri = value_sets["antidepressant-class-pharmacological-ssri"]
    rxnorm = {
        c["code"]
        for i in ssri["compose"]["include"]
        for c in i["concept"]
        if i["system"] == "http://www.nlm.nih.gov/research/umls/rxnorm"
    }
    assert {"36437", "4493"} <= rxnorm  # sertraline, fluoxetine
    assert "antidepressant-class-who-atc-n06ab" in value_sets
    assert "antidepressants" in value_sets


def test_no_invented_codes_only_trdcore_codes_for_trd(exported: dict[str, Any]) -> None:
    codings = list(all_codings(exported["bundle"]))
    assert {c["system"] for c in codings} <= set(KNOWN_SYSTEMS)
    assert not [c for c in codings if c["system"] == SNOMED]
    [code_system] = resources_of(exported, "CodeSystem")
    assert code_system["url"] == TRDCORE_SYSTEM
    assert [c["code"] for c in code_system["concept"]] == list(TRDCORE_CONCEPTS)
    own = {c["code"] for c in codings if c["system"] == TRDCORE_SYSTEM}
    assert own <= set(TRDCORE_CONCEPTS)


def test_export_command_writes_the_files(tmp_path: Any, capfdbinary: Any) -> None:
    code, out, err = run_cli(capfdbinary, "export", "fhir", "--out", str(tmp_path))
    assert code == 0, err
    assert "fhir: wrote 8 files" in out
    assert (tmp_path / "bundle.json").is_file()
    assert (tmp_path / "ndjson" / "Library.ndjson").is_file()


def test_content_with_a_blocking_finding_is_refused_unless_forced(catalog: Catalog) -> None:
    from trdcore.exceptions import ExportError
    from trdcore.exporting import run_export as export
    from trdcore.testing import valid_document

    # An active treatment whose patient text never points to help (call or text 988).
    unsafe = valid_document("treatment", id="test-unsafe-treatment", status="active")
    content = Catalog.from_documents(
        [*(("built-in", e.model.to_json()) for e in catalog.entries), ("tests", unsafe)]
    )
    manager = get_plugin_manager(environ={})
    with pytest.raises(ExportError, match=r"refused(.|\n)*test-unsafe-treatment"):
        export("fhir", manager=manager, catalog=content)
    result = export("fhir", manager=manager, catalog=content, force=True)
    assert result.lint["forced"] is True
    assert "ndjson/ActivityDefinition.ndjson" in result.files
