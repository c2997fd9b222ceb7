"""The generated schema reference covers every packaged schema and every field.

The generator lives with the docs (``docs/hooks/schema_reference.py``), not in
the package, so it is imported here by file path.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_ROOT = ROOT / "src" / "trdcore" / "schemas"
SCHEMA_FILES = sorted(SCHEMA_ROOT.glob("*/*.schema.json"))


def _load_generator() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "schema_reference.py"
    spec = importlib.util.spec_from_file_location("trdcore_docs_schema_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def _schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def test_schemas_are_packaged() -> None:
    assert SCHEMA_FILES, f"no schema files under {SCHEMA_ROOT}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.parent.name)
def test_every_schema_renders_with_title_and_id(path: Path) -> None:
    schema = _schema(path)
    page = generator.render_schema_markdown(schema)
    assert page.startswith(f"# {schema['title']}\n")
    assert schema["$id"] in page


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.parent.name)
def test_every_property_and_definition_appears(path: Path) -> None:
    schema = _schema(path)
    page = generator.render_schema_markdown(schema)
    for name in schema.get("properties", {}):
        assert f"| `{name}` |" in page
    for name in schema.get("$defs", {}):
        assert f"{{#def-{name}}}" in page


def test_every_field_of_a_trial_is_documented() -> None:
    schema = _schema(SCHEMA_ROOT / "treatment-history" / "1.0.0.schema.json")
    page = generator.render_schema_markdown(schema)
    trial_section = page.split("{#def-trial}", 1)[1].split("\n## ", 1)[0]
    for name in schema["$defs"]["trial"]["properties"]:
        assert f"| `{name}` |" in trial_section, name


def test_every_schema_file_gets_a_page() -> None:
    pages = generator.reference_pages(SCHEMA_ROOT)
    expected = {
        f"schemas/reference/{path.parent.name}-{path.name.removesuffix('.schema.json')}.md"
        for path in SCHEMA_FILES
    }
    assert set(pages) == expected


def test_references_to_other_schemas_link_to_their_pages() -> None:
    schema = _schema(SCHEMA_ROOT / "treatment-history" / "1.0.0.schema.json")
    page = generator.render_schema_markdown(schema)
    assert "(common-1.0.0.md#def-date-or-unknown)" in page
    assert "(#def-drug)" in page


def test_required_enum_and_constraints_are_shown() -> None:
    schema = {
        "$id": "https://trdcore.org/schemas/example/1.0.0.schema.json",
        "title": "Example",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": ["a", "b"]},
            "code": {"type": "string", "pattern": "^x|y$", "maxLength": 5},
            "when": {"anyOf": [{"type": "string", "format": "date"}, {"const": "unknown"}]},
        },
        "additionalProperties": False,
    }
    page = generator.render_schema_markdown(schema)
    assert '| `kind` | one of `"a"`, `"b"` | yes |' in page
    assert "pattern `^x|y$`<br>maxLength 5" in page
    assert '| `when` | string or constant `"unknown"` | no |' in page
    assert "Other properties are not allowed." in page


def test_inline_objects_get_their_own_table() -> None:
    schema = {
        "$id": "https://trdcore.org/schemas/example/1.0.0.schema.json",
        "title": "Example",
        "type": "object",
        "properties": {
            "rows": {
                "type": "array",
                "items": {"type": "object", "properties": {"cell": {"type": "integer"}}},
            }
        },
    }
    page = generator.render_schema_markdown(schema)
    assert "array of [object](#document.rows)" in page
    assert "### `rows[]` {#document.rows}" in page
    assert "| `cell` | integer | no |" in page


def test_conditions_are_described() -> None:
    schema = {
        "$id": "https://trdcore.org/schemas/example/1.0.0.schema.json",
        "title": "Example",
        "type": "object",
        "required": ["method"],
        "properties": {"method": {"enum": ["a", "b"]}, "extra": {"type": "string"}},
        "if": {"properties": {"method": {"const": "a"}}},
        "then": {"required": ["extra"]},
        "anyOf": [{"required": ["method"]}, {"required": ["extra"]}],
    }
    page = generator.render_schema_markdown(schema)
    assert 'When `method` is `"a"`, also required: `extra`.' in page
    assert "At least one of `method`, `extra` must be present." in page
