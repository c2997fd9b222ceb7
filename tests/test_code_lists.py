"""Diagnoses are read by published, versioned code lists: one list of codes per concept.

The lists are built by scripts/build-code-list from VSAC value sets as the CMS eCQM content
repository publishes them; a byte-for-byte copy of each value set file is kept in data/vsac/,
and these tests hold the catalog to it (issue 17).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.machinery
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from strategies import documents
from trdcore.catalog import Catalog
from trdcore.exceptions import SchemaValidationError, UnknownTargetError
from trdcore.models import CodeList
from trdcore.schemas import check
from trdcore.validation import validate

ROOT = Path(__file__).resolve().parent.parent
VSAC = ROOT / "data" / "vsac"
CONTENT = ROOT / "src" / "trdcore" / "content" / "code-lists"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

#: Each built-in list: its id, the concept it stands for, the value set file it is built from.
LISTS = [
    ("vsac-major-depression", "major-depression", "2.16.840.1.113883.3.464.1003.105.12.1007"),
    ("vsac-bipolar-disorder", "bipolar-disorder", "2.16.840.1.113883.3.67.1.101.1.128"),
    (
        "vsac-schizophrenia-or-psychotic-disorder",
        "schizophrenia-or-psychosis",
        "2.16.840.1.113883.3.464.1003.105.12.1104",
    ),
    ("vsac-dementia-and-mental-degenerations", "dementia", "2.16.840.1.113883.3.526.3.1005"),
]
EXCLUSIONS = [identifier for identifier, concept, _ in LISTS if concept != "major-depression"]


def valueset(oid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VSAC / f"valueset-{oid}.json").read_text("utf-8"))
    return data


def published(oid: str) -> list[tuple[str, str, str]]:
    contains = valueset(oid)["expansion"]["contains"]
    return [(concept["system"], concept["code"], concept["display"]) for concept in contains]


def listed(model: CodeList) -> list[tuple[str, str, str]]:
    return [(code.system, code.code, code.display) for code in model.listed]


def git_blob(path: Path) -> str:
    """What ``git hash-object`` says of the file."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def build_script() -> ModuleType:
    path = str(ROOT / "scripts" / "build-code-list")
    loader = importlib.machinery.SourceFileLoader("build_code_list", path)
    spec = importlib.util.spec_from_loader("build_code_list", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_each_list_holds_every_code_and_display_of_its_value_set_and_nothing_more(
    catalog: Catalog, identifier: str, concept: str, oid: str
) -> None:
    model = catalog.code_list(identifier)
    codes = published(oid)
    assert listed(model) == codes
    assert len(set(codes)) == len(codes) == valueset(oid)["expansion"]["total"]
    assert model.concept == concept


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_each_list_names_its_value_set_as_the_file_does(
    catalog: Catalog, identifier: str, concept: str, oid: str
) -> None:
    model = catalog.code_list(identifier)
    file = valueset(oid)
    assert model.value_set.url == file["url"]
    assert model.value_set.oid == oid
    assert model.value_set.version == file["version"]
    assert model.value_set.name == file["title"]
    assert model.value_set.expansion == file["expansion"]["timestamp"]
    stated = {(c["system"], c["version"]) for c in file["expansion"]["contains"]}
    versions = model.value_set.terminology_versions or ()
    assert {(v.system, v.version) for v in versions} == stated
    assert model.copied_from.path.endswith(f"/valueset-{oid}.json")
    assert re.fullmatch("[0-9a-f]{40}", model.copied_from.commit)


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_each_value_set_file_is_the_blob_its_readme_row_names(
    catalog: Catalog, identifier: str, concept: str, oid: str
) -> None:
    model = catalog.code_list(identifier)
    name = f"valueset-{oid}.json"
    [row] = [
        line
        for line in (VSAC / "README.md").read_text("utf-8").splitlines()
        if line.startswith(f"| `{name}`")
    ]
    assert f"(blob {git_blob(VSAC / name)})" in row
    assert f"{model.copied_from.repository} @ {model.copied_from.commit}" in row
    assert f"`{model.copied_from.path}`" in row


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_each_list_is_what_the_build_script_writes_from_its_file(
    capsys: pytest.CaptureFixture[str], identifier: str, concept: str, oid: str
) -> None:
    """A list is never edited by hand: the script rebuilds it, text for text, from the copy
    in data/vsac/ and the words the list itself gives."""
    [path] = [p for p in CONTENT.glob("*.yaml") if f"id: {identifier}\n" in p.read_text("utf-8")]
    document = yaml.safe_load(path.read_text("utf-8"))
    arguments = [str(VSAC / f"valueset-{oid}.json"), "--id", identifier, "--concept", concept]
    for option in ("title", "summary", "notes", "verification"):
        if option in document:
            arguments += [f"--{option}", document[option]]
    for key in ("repository", "path", "commit", "licence"):
        arguments += [f"--{key}", document["copied_from"][key]]
    for source in document["sources"]:
        arguments += ["--source", source]
    assert build_script().main(arguments) == 0
    assert capsys.readouterr().out == path.read_text("utf-8")


@pytest.mark.parametrize(
    ("problem", "contains", "expected"),
    [
        ("no display", [{"system": SNOMED, "code": "1"}], "/expansion/contains/0 (code '1'): no"),
        (
            "a code twice",
            [{"system": ICD10CM, "code": "F1", "display": "x"}] * 2,
            f"/expansion/contains/1: {ICD10CM}|F1 is given twice",
        ),
        ("no codes", [], "the expansion holds no codes"),
    ],
)
def test_the_build_script_refuses_a_value_set_it_cannot_copy_exactly(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    problem: str,
    contains: list[dict[str, str]],
    expected: str,
) -> None:
    path = tmp_path / "valueset.json"
    url = "http://cts.nlm.nih.gov/fhir/ValueSet/1.2.3"
    path.write_text(json.dumps({"url": url, "expansion": {"contains": contains}}), "utf-8")
    arguments = [str(path), "--id", "x", "--concept", "x", "--title", "x", "--summary", "x"]
    arguments += ["--repository", "o/r", "--path", "p", "--commit", "0" * 40, "--source", "x"]
    assert build_script().main(arguments) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in captured.err, problem


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [
        (SNOMED, "370143000", True),  # Major depressive disorder (disorder)
        (ICD10CM, "F32.9", True),
        (ICD10CM, "F33.41", True),
        (SNOMED, "F32.9", False),  # an ICD-10-CM code asked for as SNOMED CT
        (ICD10CM, "370143000", False),
        (ICD10CM, "F329", False),  # written without its dot: not guessed
        (ICD10CM, "f32.9", False),
        (ICD10CM, "F32.9 ", False),
        ("http://loinc.org", "F32.9", False),
    ],
)
def test_contains_is_exact_by_system_and_code(
    catalog: Catalog, system: str, code: str, expected: bool
) -> None:
    model = catalog.code_list("vsac-major-depression")
    assert model.contains(system, code) is expected
    assert (code in model.codes(system)) is expected


def test_codes_by_system_are_the_listed_codes_of_that_system(catalog: Catalog) -> None:
    model = catalog.code_list("vsac-major-depression")
    file = published("2.16.840.1.113883.3.464.1003.105.12.1007")
    assert model.codes(SNOMED) == {code for system, code, _ in file if system == SNOMED}
    assert model.codes(ICD10CM) == {code for system, code, _ in file if system == ICD10CM}
    assert model.codes("http://loinc.org") == frozenset()
    assert model.systems == {SNOMED, ICD10CM}


@pytest.mark.parametrize("exclusion", EXCLUSIONS)
def test_no_major_depression_code_is_in_an_exclusion_list(catalog: Catalog, exclusion: str) -> None:
    depression = catalog.code_list("vsac-major-depression")
    other = catalog.code_list(exclusion)
    for system in depression.systems:
        assert depression.codes(system) & other.codes(system) == frozenset()


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_a_list_is_found_by_id_by_id_and_version_and_by_its_concept(
    catalog: Catalog, identifier: str, concept: str, oid: str
) -> None:
    model = catalog.code_list(identifier)
    assert catalog.code_list(f"{identifier}@{model.version}") is model
    assert catalog.code_lists(concept) == (model,)
    assert catalog.resolve("code-list", identifier).model is model


def test_an_unknown_list_is_an_error_that_suggests_the_closest(catalog: Catalog) -> None:
    with pytest.raises(UnknownTargetError, match="did you mean 'vsac-bipolar-disorder'"):
        catalog.code_list("vsac-bipolar-disorders")
    assert catalog.code_lists("hypertension") == ()


def documents_of(model: CodeList, **changes: Any) -> dict[str, Any]:
    document = model.to_json()
    document.update(changes)
    return document


def test_the_newest_active_version_of_a_concept_is_the_one_found(catalog: Catalog) -> None:
    base = catalog.code_list("vsac-major-depression")
    newer = documents_of(base, version="1.1.0")
    draft = documents_of(base, id="draft-depression", status="draft")
    own = Catalog.from_documents([("p", base.to_json()), ("p", newer), ("p", draft)])
    assert own.problems == ()
    assert [found.version for found in own.code_lists("major-depression")] == ["1.1.0"]
    assert own.code_list("vsac-major-depression").version == "1.1.0"
    assert own.code_list("vsac-major-depression@1.0.0").version == "1.0.0"


@pytest.mark.parametrize(("identifier", "concept", "oid"), LISTS)
def test_a_built_in_list_round_trips_through_its_schema(
    catalog: Catalog, identifier: str, concept: str, oid: str
) -> None:
    model = catalog.code_list(identifier)
    document = model.to_json()
    assert list(document)[:3] == ["schema", "id", "version"]
    assert "listed" not in document
    assert check(document, "code-list@1.0.0") == []
    again = validate(document)
    assert again == model
    assert again.to_json() == document
    assert again.contains(*listed(model)[0][:2])


@pytest.mark.parametrize(
    ("change", "pointer", "keyword"),
    [
        (lambda d: d["codes"][3].pop("display"), "/codes/3", "required"),
        (lambda d: d["codes"][0].update(system="snomed"), "/codes/0/system", "pattern"),
        (lambda d: d.pop("concept"), "", "required"),
        (lambda d: d.update(concept="Major Depression"), "/concept", "pattern"),
        (lambda d: d["codes"].append(copy.deepcopy(d["codes"][0])), "/codes", "uniqueItems"),
    ],
)
def test_an_invalid_list_is_refused_with_where_and_why(
    catalog: Catalog, change: Any, pointer: str, keyword: str
) -> None:
    document = catalog.code_list("vsac-major-depression").to_json()
    change(document)
    with pytest.raises(SchemaValidationError) as raised:
        validate(document, source="lists.yaml")
    assert raised.value.best.pointer == pointer
    assert raised.value.best.keyword == keyword
    assert str(raised.value).startswith("lists.yaml: not a valid code-list@1.0.0 document: ")
    [problem] = Catalog.from_documents([("my-plugin", document)]).problems
    assert "my-plugin" in str(problem)
    assert pointer in str(problem)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_list_contains_exactly_the_codes_it_lists(data: st.DataObject) -> None:
    document = data.draw(documents("code-list"), label="document")
    assume(not check(document, "code-list"))
    model = CodeList.from_json(document)
    pairs = {(code["system"], code["code"]) for code in document["codes"]}
    for system, code in pairs:
        assert model.contains(system, code)
    for system in {system for system, _ in pairs}:
        assert model.codes(system) == {code for s, code in pairs if s == system}
    system = data.draw(st.sampled_from([*sorted({s for s, _ in pairs}), SNOMED]))
    code = data.draw(st.text(min_size=1, max_size=12))
    assert model.contains(system, code) == ((system, code) in pairs)
