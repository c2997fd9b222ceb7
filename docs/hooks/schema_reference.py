"""Render trdcore's JSON Schemas as Markdown reference pages.

Pure functions over parsed schema documents and the schema folder, so the
reference is generated from the files that validate data and cannot drift
from them. The mkdocs glue lives in ``trdcore_docs.py``; the tests import this
module by file path.

Anchors are part of the output's contract, because pages link to each other:
the top level of a schema is ``#document``, each ``$defs`` entry is
``#def-<name>``, and an object written inline inside another is
``#<owner>.<property>`` (``[]`` steps into array items and adds nothing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urldefrag, urljoin

__all__ = [
    "REFERENCE_DIR",
    "SchemaFile",
    "packaged_schemas",
    "page_uri",
    "reference_pages",
    "render_schema_index",
    "render_schema_markdown",
]

# Where generated pages live, relative to the docs folder.
REFERENCE_DIR = "schemas/reference"

_ID_PATTERN = re.compile(r"/schemas/(?P<name>[^/]+)/(?P<version>[^/]+)\.schema\.json$")
_DEF_POINTER = re.compile(r"^/\$defs/(?P<name>[^/]+)$")

_CONSTRAINTS = (
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "default",
)

# Keywords the page shows in words; any other keyword is printed as JSON so nothing is hidden.
_KNOWN_KEYWORDS = frozenset(
    {
        *_CONSTRAINTS,
        *("$schema", "$id", "$defs", "$comment", "$ref", "title", "description", "examples"),
        *("type", "enum", "const", "anyOf", "oneOf", "allOf", "not", "items"),
        *("properties", "required", "additionalProperties", "dependentRequired"),
        *("if", "then", "else"),
    }
)


class SchemaFile(NamedTuple):
    """One packaged schema file: ``<root>/<name>/<version>.schema.json``."""

    name: str
    version: str
    path: Path


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def packaged_schemas(root: Path) -> list[SchemaFile]:
    """Every schema file under ``root``, by name, oldest version first."""
    found = [
        SchemaFile(path.parent.name, path.name.removesuffix(".schema.json"), path)
        for path in root.glob("*/*.schema.json")
    ]
    return sorted(found, key=lambda item: (item.name, _version_key(item.version)))


def page_uri(name: str, version: str) -> str:
    """The docs-relative path of the reference page for ``name@version``."""
    return f"{REFERENCE_DIR}/{name}-{version}.md"


def _page_file(name: str, version: str) -> str:
    return page_uri(name, version).rsplit("/", 1)[1]


def reference_pages(root: Path) -> dict[str, str]:
    """Docs-relative path -> Markdown, one page per packaged schema version."""
    return {
        page_uri(item.name, item.version): render_schema_markdown(
            json.loads(item.path.read_text("utf-8"))
        )
        for item in packaged_schemas(root)
    }


def render_schema_index(root: Path, *, link_prefix: str = "reference/") -> str:
    """A Markdown table of every schema with a link to each version's page."""
    rows = ["| Schema | Versions | What it holds |", "| --- | --- | --- |"]
    by_name: dict[str, list[SchemaFile]] = {}
    for item in packaged_schemas(root):
        by_name.setdefault(item.name, []).append(item)
    for name, items in by_name.items():
        newest = json.loads(items[-1].path.read_text("utf-8"))
        links = ", ".join(
            f"[{item.version}]({link_prefix}{_page_file(item.name, item.version)})"
            for item in items
        )
        rows.append(f"| `{name}` | {links} | {_cell(_first_sentence(newest))} |")
    return "\n".join(rows) + "\n"


def render_schema_markdown(schema: dict[str, Any]) -> str:
    """The reference page for one schema document, as Markdown."""
    return _SchemaPage(schema).render()


# Rendering helpers -----------------------------------------------------------


def _first_sentence(schema: dict[str, Any]) -> str:
    text = str(schema.get("description") or schema.get("title") or "")
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


def _code(value: str) -> str:
    """An inline code span that survives backticks in the value."""
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _literal(value: object) -> str:
    return _code(json.dumps(value, ensure_ascii=False))


def _prose(text: object) -> str:
    """Schema prose as one Markdown line that cannot open raw HTML."""
    return " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")


def _cell(text: str) -> str:
    """Prose made safe for a table cell (pipes would split it)."""
    return _prose(text).replace("|", "\\|")


class _Section(NamedTuple):
    """One heading and table: a schema root (document or $defs entry) or an inline object."""

    root: str  # "document" or the $defs name
    root_anchor: str  # "document" or "def-<name>"
    path: str  # property path from the root, "" for the root itself
    anchor: str
    schema: dict[str, Any]

    @property
    def is_definition(self) -> bool:
        return self.root_anchor != "document"

    def child_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def heading(self) -> str:
        if not self.path:
            return _code(self.root) if self.is_definition else "Document"
        where = f" in {_code(self.root)}" if self.is_definition else ""
        return _code(self.path) + where

    def level(self) -> int:
        return 2 if not self.path else min(6, 3 + self.path.count("."))


class _SchemaPage:
    """Renders one schema; collects inline objects as it meets them."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.id = str(schema.get("$id", ""))
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self.pending: list[_Section] = []
        self.used_anchors = {"document", *(f"def-{name}" for name in self.defs)}

    # Page -------------------------------------------------------------------

    def render(self) -> str:
        match = _ID_PATTERN.search(self.id)
        title = str(self.schema.get("title") or (match["name"] if match else "Schema"))
        lines = [f"# {title}", ""]
        facts = []
        if match:
            facts.append(f"**Schema:** {_code(match['name'] + '@' + match['version'])}")
        if self.id:
            facts.append(f"**$id:** {_code(self.id)}")
        if "$schema" in self.schema:
            facts.append(f"**Dialect:** {_code(str(self.schema['$schema']))}")
        if facts:
            lines += ["  \n".join(facts), ""]
        if self.schema.get("description"):
            lines += [_prose(self.schema["description"]), ""]
        lines += [
            "Generated from the schema file; do not edit by hand. Constraint names are the "
            "JSON Schema keywords that validation errors report.",
            "",
        ]
        if _is_fragment(self.schema):
            lines += [
                "This schema holds shared definitions only; no document is written against it.",
                "",
            ]
        else:
            lines += self._section(_Section("document", "document", "", "document", self.schema))
        for name, definition in self.defs.items():
            if isinstance(definition, dict):
                anchor = f"def-{name}"
                lines += self._section(_Section(name, anchor, "", anchor, definition))
        return "\n".join(lines).rstrip() + "\n"

    def _section(self, section: _Section) -> list[str]:
        schema = section.schema
        lines = [f"{'#' * section.level()} {section.heading()} {{#{section.anchor}}}", ""]
        if section.anchor != "document" and schema.get("description"):
            lines += [_prose(schema["description"]), ""]
        properties: dict[str, Any] = schema.get("properties", {})
        if properties or _is_object(schema):
            lines += self._property_table(section, properties)
            alternatives = self._alternatives(schema, section, section.path)
            if alternatives:
                lines += [f"The object must also be {alternatives}.", ""]
        else:
            described = self._type(schema, section, section.path)
            lines += [
                "| Type | Constraints |",
                "| --- | --- |",
                f"| {described} | {_constraints(schema)} |",
                "",
            ]
        rules = _rules(schema)
        if rules:
            lines += [*(f"- {rule}" for rule in rules), ""]
        # Inline objects met in this section follow it, one heading level deeper.
        found, self.pending = self.pending, []
        for child in found:
            lines += self._section(child)
        return lines

    def _property_table(self, section: _Section, properties: dict[str, Any]) -> list[str]:
        required = set(section.schema.get("required", []))
        lines: list[str] = []
        if properties:
            lines += [
                "| Property | Type | Required | Description | Constraints |",
                "| --- | --- | --- | --- | --- |",
            ]
            for name, prop in properties.items():
                prop = prop if isinstance(prop, dict) else {}
                described = self._type(prop, section, section.child_path(name))
                lines.append(
                    f"| {_code(name)} | {described} "
                    f"| {'yes' if name in required else 'no'} "
                    f"| {_cell(str(prop.get('description', '')))} "
                    f"| {_constraints(prop)} |"
                )
            lines.append("")
        extra = section.schema.get("additionalProperties")
        if extra is False:
            lines += ["Other properties are not allowed.", ""]
        elif isinstance(extra, dict) and extra:
            described = self._type(extra, section, section.child_path("*"))
            lines += [f"Other properties are allowed if each is {described}.", ""]
        elif properties:
            lines += ["Other properties are allowed.", ""]
        missing = sorted(required - set(properties))
        if missing:
            lines += [f"Also required: {', '.join(_code(name) for name in missing)}.", ""]
        return lines

    # Types ------------------------------------------------------------------

    def _type(self, schema: dict[str, Any], owner: _Section, path: str) -> str:
        """What the value at ``path`` (from the owner's root) must be, linking references."""
        parts: list[str] = []
        if "$ref" in schema:
            parts.append(self._ref_link(str(schema["$ref"])))
        if "const" in schema:
            parts.append(f"constant {_literal(schema['const'])}")
        if "enum" in schema:
            parts.append("one of " + ", ".join(_literal(value) for value in schema["enum"]))
        alternatives = self._alternatives(schema, owner, path)
        if alternatives:
            parts.append(alternatives)
        if "type" in schema or (not parts and ("properties" in schema or "items" in schema)):
            parts.append(self._declared_type(schema, owner, path))
        return " and ".join(parts) if parts else "any"

    def _alternatives(self, schema: dict[str, Any], owner: _Section, path: str) -> str:
        """anyOf / oneOf / allOf branches that describe values (not only required fields)."""
        described = []
        for keyword, joiner, suffix in (
            ("anyOf", " or ", ""),
            ("oneOf", " or ", " (exactly one)"),
            ("allOf", " and ", ""),
        ):
            branches = [b for b in schema.get(keyword, []) if isinstance(b, dict)]
            words = [self._type(b, owner, path) for b in branches if not _only_rules(b)]
            if words:
                described.append(joiner.join(words) + suffix)
        return " and ".join(described)

    def _declared_type(self, schema: dict[str, Any], owner: _Section, path: str) -> str:
        declared = schema.get("type")
        if declared is None:
            declared = "object" if "properties" in schema else "array"
        words = []
        for name in declared if isinstance(declared, list) else [declared]:
            items = schema.get("items")
            if name == "array" and isinstance(items, dict) and items:
                words.append("array of " + self._type(items, owner, f"{path}[]"))
            elif name == "object" and schema.get("properties"):
                words.append(f"[object](#{self._queue_inline(schema, owner, path)})")
            else:
                words.append(str(name))
        return " or ".join(words)

    def _queue_inline(self, schema: dict[str, Any], owner: _Section, path: str) -> str:
        """Schedule a section for an object written inline; returns its anchor."""
        steps = [step for step in path.replace("[]", "").split(".") if step] or ["value"]
        base = ".".join([owner.root_anchor, *steps])
        anchor, counter = base, 2
        while anchor in self.used_anchors:
            anchor, counter = f"{base}-{counter}", counter + 1
        self.used_anchors.add(anchor)
        self.pending.append(_Section(owner.root, owner.root_anchor, path, anchor, schema))
        return anchor

    def _ref_link(self, ref: str) -> str:
        target, fragment = urldefrag(urljoin(self.id, ref) if self.id else ref)
        match = _DEF_POINTER.match(fragment)
        if match:
            anchor, label = f"def-{match['name']}", match["name"]
        elif fragment in ("", "/"):
            anchor, label = "document", "document"
        else:
            return _code(ref)
        if not target or target == self.id:
            return f"[{_code(label)}](#{anchor})"
        found = _ID_PATTERN.search(target)
        if not found:
            return _code(ref)
        page = _page_file(found["name"], found["version"])
        return f"[{_code(found['name'] + ': ' + label)}]({page}#{anchor})"


def _rules(schema: dict[str, Any], required: frozenset[str] = frozenset()) -> list[str]:
    """Object-level conditions (anyOf of required, if/then ...) in words.

    ``required`` names properties an enclosing schema already requires, so an
    ``if`` inside ``allOf`` is not described as passing when they are absent.
    """
    required = required | frozenset(schema.get("required", []))
    rules: list[str] = []
    for keyword, lead in (("anyOf", "At least one"), ("oneOf", "Exactly one")):
        branches = schema.get(keyword, [])
        conditions = [b for b in branches if isinstance(b, dict) and _only_rules(b)]
        if not conditions:
            continue
        groups = [_required_group(branch) for branch in conditions]
        if len(conditions) == len(branches) and all(groups):
            names = ", ".join(" + ".join(_code(n) for n in group) for group in groups)
            rules.append(f"{lead} of {names} must be present.")
        else:
            rules.append(f"Must match {keyword}: {_code(_compact(conditions))}.")
    for branch in schema.get("allOf", []):
        if isinstance(branch, dict) and _only_rules(branch):
            rules += _rules(branch, required)
    if "if" in schema:
        rules.append(_conditional(schema, required))
    for name, needed in schema.get("dependentRequired", {}).items():
        listed = ", ".join(_code(n) for n in needed)
        rules.append(f"When {_code(name)} is present, {listed} must be too.")
    if "not" in schema:
        rules.append(f"Must not match {_code(_compact(schema['not']))}.")
    for keyword in sorted(set(schema) - _KNOWN_KEYWORDS):
        rules.append(f"Also {_code(keyword)}: {_code(_compact(schema[keyword]))}.")
    return rules


def _constraints(schema: dict[str, Any]) -> str:
    notes = [_constraint(keyword, schema[keyword]) for keyword in _CONSTRAINTS if keyword in schema]
    items = schema.get("items")
    if isinstance(items, dict) and "$ref" not in items:
        notes += [
            f"each item: {_constraint(keyword, items[keyword])}"
            for keyword in _CONSTRAINTS
            if keyword in items
        ]
    return "<br>".join(notes)


def _constraint(keyword: str, value: object) -> str:
    if keyword == "pattern":
        return f"pattern {_code(str(value))}"
    if keyword == "format":
        return f"format {_code(str(value))}"
    if keyword == "uniqueItems":
        return "uniqueItems" if value else "uniqueItems: false"
    if keyword == "default":
        return f"default {_literal(value)}"
    return f"{keyword} {json.dumps(value)}"


def _is_object(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return declared == "object" or (isinstance(declared, list) and "object" in declared)


def _is_fragment(schema: dict[str, Any]) -> bool:
    """A schema of definitions only (no document shape of its own)."""
    return not any(key in schema for key in ("type", "properties", "$ref", "anyOf", "oneOf"))


def _only_rules(schema: dict[str, Any]) -> bool:
    """A subschema that only states conditions on an object (required, if/then)."""
    return bool(schema) and set(schema) <= {"required", "if", "then", "else", "not", "allOf"}


def _required_group(schema: dict[str, Any]) -> list[str]:
    if set(schema) == {"required"}:
        return [str(name) for name in schema["required"]]
    return []


def _conditional(schema: dict[str, Any], required: frozenset[str]) -> str:
    condition = _describe_condition(schema["if"], required)
    parts = []
    for keyword, lead in (("then", "When"), ("else", "Unless")):
        if keyword in schema:
            needed = _required_group(schema[keyword])
            effect = (
                f"also required: {', '.join(_code(n) for n in needed)}"
                if needed
                else f"it must also match {_code(_compact(schema[keyword]))}"
            )
            parts.append(f"{lead} {condition}, {effect}.")
    return " ".join(parts) or f"Has a condition with no effect: {_code(_compact(schema['if']))}."


def _describe_condition(schema: dict[str, Any], always_present: frozenset[str]) -> str:
    """An ``if`` subschema in words, when it only tests property values."""
    properties = schema.get("properties", {})
    present = always_present | set(schema.get("required", []))
    if set(schema) <= {"properties", "required"} and properties:
        tests = []
        for name, test in properties.items():
            if isinstance(test, dict) and set(test) == {"const"}:
                value = _literal(test["const"])
            elif isinstance(test, dict) and set(test) == {"enum"}:
                value = " or ".join(_literal(item) for item in test["enum"])
            else:
                return f"the object matches {_code(_compact(schema))}"
            # An absent property passes an if/properties test in JSON Schema.
            absent = "" if name in present else " (or absent)"
            tests.append(f"{_code(name)} is {value}{absent}")
        return " and ".join(tests)
    return f"the object matches {_code(_compact(schema))}"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
