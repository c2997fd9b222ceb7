"""The packaged schemas: well-formed, versioned, self-contained, checked alike by both engines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from trdcore import schemas
from trdcore.exceptions import UnknownSchemaError

SCHEMA_DIR = Path(schemas.__file__).parent / "schemas"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*/*.schema.json"))
EXAMPLES = Path(__file__).parent.parent / "examples"


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_schema_is_packaged() -> None:
    assert {path.parent.name for path in SCHEMA_FILES} == {
        "common",
        "treatment-history",
        "source",
        "drug",
        "clinical-drug-list",
        "code-list",
        "dose-scheme",
        "trd-definition",
        "staging-model",
        "treatment",
        "content-module",
        "evaluation-result",
        "evaluation-summary",
        "dispensing-events",
    }


def test_top_level_schemas_folder_is_the_packaged_one() -> None:
    top = Path(__file__).parent.parent / "schemas"
    assert top.resolve() == SCHEMA_DIR.resolve()


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_declares_draft_2020_12_and_a_versioned_id(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    version = path.name.removesuffix(".schema.json")
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert schema["$id"] == f"{schemas.SCHEMA_BASE_URI}{path.parent.name}/{version}.schema.json"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ref_resolves_inside_the_registry(path: Path) -> None:
    schema = json.loads(path.read_text())
    resolver = schemas.registry().resolver(base_uri=schema["$id"])
    for ref in _refs(schema):
        resolver.lookup(ref)  # raises Unresolvable if it points outside the package


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_document_schemas_pin_their_own_schema_field(path: Path) -> None:
    schema = json.loads(path.read_text())
    if path.parent.name == "common":
        return
    version = path.name.removesuffix(".schema.json")
    assert schema["properties"]["schema"]["const"] == f"{path.parent.name}@{version}"


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        return found.union(*(_formats(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats(value) for value in node))
    return set()


def test_every_format_used_is_asserted_not_just_annotated() -> None:
    used = set().union(*(_formats(json.loads(path.read_text())) for path in SCHEMA_FILES))
    assert used <= set(schemas.ASSERTED_FORMATS)


def test_unknown_uris_are_never_retrieved() -> None:
    resolver = schemas.registry().resolver()
    with pytest.raises(Unresolvable):
        resolver.lookup("https://example.org/elsewhere.schema.json")


def test_format_checking_rejects_impossible_dates() -> None:
    history = {"episode": {"start_date": "2024-02-30"}, "trials": []}
    problems = schemas.check(history, "treatment-history")
    assert [(p.pointer, p.keyword) for p in problems] == [("/episode/start_date", "format")]
    assert (
        schemas.check({"episode": {"start_date": "2024-02-29"}, "trials": []}, "treatment-history")
        == []
    )


def test_bare_name_resolves_to_newest_version_and_exact_versions_are_kept() -> None:
    assert schemas.resolve_schema("treatment-history") == schemas.SchemaRef(
        "treatment-history", schemas.latest_version("treatment-history")
    )
    assert str(schemas.resolve_schema("drug@1.0.0")) == "drug@1.0.0"


@pytest.mark.parametrize("spec", ["nope", "treatment-history@9.9.9", "Drug", "drug@1", "common"])
def test_unknown_schema_names_what_exists(spec: str) -> None:
    with pytest.raises(UnknownSchemaError) as caught:
        schemas.resolve_schema(spec)
    assert "treatment-history (1.0.0, 1.1.0)" in str(caught.value)


def _example_documents() -> list[tuple[str, object]]:
    from trdcore.documents import read_documents

    found = []
    for path in sorted((EXAMPLES / "histories").iterdir()) + sorted(
        (EXAMPLES / "catalog").iterdir()
    ):
        for document in read_documents(path):
            assert document.error is None, document.error
            found.append((f"{path.name}#{document.position}", document.data))
    return found


@pytest.mark.parametrize(("name", "document"), _example_documents(), ids=lambda v: str(v)[:40])
def test_both_engines_accept_the_examples(name: str, document: dict[str, object]) -> None:
    ref = schemas.schema_for_document(document)
    assert ref is not None
    assert schemas.is_valid(document, ref)
    assert list(schemas._detailed_validator(ref).iter_errors(document)) == []
