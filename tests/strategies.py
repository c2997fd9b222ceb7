"""Hypothesis strategies for schema-valid trdcore documents, derived from the schemas themselves.

hypothesis-jsonschema 0.23.1 cannot generate objects with current Hypothesis (it calls the
removed ``many.more()`` internal), so this module reads the packaged schemas directly. First
every ``$ref`` (local or into ``common``) is inlined, giving one self-contained schema per
document type; the schemas are not recursive, so this ends. Then a strategy is built for the
keywords trdcore's schemas use. An unknown keyword raises, so a schema that grows a new
keyword fails here loudly instead of yielding documents nobody checked. Tests still check every
generated document with :func:`trdcore.schemas.check`: generator and validator can disagree at
the edges (regex dialects, formats).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from trdcore.schemas import available_schemas, load_schema

# The one registry trdcore validates with, so references resolve exactly as they do there.
from trdcore.schemas import registry as packaged_registry

# Keywords that only annotate; a $ref with nothing else beside it can be replaced outright.
_ANNOTATIONS = frozenset({"description", "title", "$comment"})
# Keywords of the top-level schema that make no sense once everything is inlined.
_DROPPED = frozenset({"$schema", "$id", "$defs"})
_SUPPORTED = _ANNOTATIONS | {
    "type", "const", "enum", "anyOf", "allOf", "if", "then",
    "properties", "required", "additionalProperties",
    "items", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum",
}  # fmt: skip
# Long strings and lists add time, not coverage: the models copy them through unchanged.
_MAX_GENERATED_LENGTH = 12
_MAX_GENERATED_ITEMS = 3
# Schema patterns are ECMA-262 regexes: there "." does not match \r, U+2028 or U+2029, and "\s"
# matches U+FEFF; Python disagrees on all four, so patterned strings are drawn without them.
_ECMA_SAFE = st.characters(codec="utf-8", exclude_characters="\r\u2028\u2029\ufeff")


def _inline(node: Any, resolver: Any) -> Any:
    if isinstance(node, list):
        return [_inline(item, resolver) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        beside = set(node) - {"$ref"}
        if not beside <= _ANNOTATIONS:
            raise ValueError(f"$ref beside constraints {sorted(beside)} is not inlined")
        resolved = resolver.lookup(node["$ref"])
        return _inline(resolved.contents, resolved.resolver)
    return {key: _inline(value, resolver) for key, value in node.items()}


@functools.cache
def self_contained_schema(name: str) -> dict[str, Any]:
    """The newest ``name`` schema with every reference inlined (shared; do not mutate)."""
    schema = load_schema(name)
    resolver = packaged_registry().resolver(base_uri=schema["$id"])
    inlined = _inline({k: v for k, v in schema.items() if k not in _DROPPED}, resolver)
    assert isinstance(inlined, dict)
    return inlined


def document_names() -> list[str]:
    """Every document schema trdcore ships (``common`` is a fragment, not a document)."""
    return sorted(available_schemas())


@functools.cache
def documents(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Documents that follow the newest ``name`` schema, optional fields present or not."""
    return values(self_contained_schema(name))


def values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values that satisfy an inlined ``schema`` (the keywords trdcore uses)."""
    unsupported = set(schema) - _SUPPORTED
    if unsupported:
        raise NotImplementedError(f"no strategy for schema keywords {sorted(unsupported)}")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind is None and "anyOf" in schema:
        return st.one_of([values(branch) for branch in schema["anyOf"]])
    if isinstance(kind, list):
        return st.one_of([values({**schema, "type": each}) for each in kind])
    builders = {
        "object": _objects,
        "array": _arrays,
        "string": _strings,
        "number": _numbers,
        "integer": _integers,
        "boolean": lambda _: st.booleans(),
        "null": lambda _: st.none(),
    }
    if kind not in builders:
        raise NotImplementedError(f"no strategy for schema {schema!r}")
    return builders[kind](schema)


@functools.cache
def _fast_patterns() -> dict[str, st.SearchStrategy[str]]:
    """Quick strategies for the common patterns that fill every document (slugs, versions).

    ``st.from_regex`` tracks groups as it draws, which made these patterns most of the run time.
    """
    common = packaged_registry().contents("https://trdcore.org/schemas/common/1.0.0.schema.json")
    patterns = {name: common["$defs"][name]["pattern"] for name in ("identifier", "semver")}
    slug = st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    ).map("-".join)
    semver = st.tuples(*[st.integers(0, 30)] * 3).map(lambda parts: ".".join(map(str, parts)))
    return {
        patterns["identifier"]: slug,
        patterns["semver"]: semver,
        common["$defs"]["item-reference"]["pattern"]: st.builds("{}@{}".format, slug, semver),
    }


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "date":
        # The schema's pattern admits years 1800-2999 only.
        return st.dates(date(1800, 1, 1), date(2999, 12, 31)).map(date.isoformat)
    min_size = schema.get("minLength", 0)
    max_size = schema.get("maxLength", min_size + _MAX_GENERATED_LENGTH)
    if schema.get("pattern") in _fast_patterns():
        return _fast_patterns()[schema["pattern"]].filter(
            lambda text: min_size <= len(text) <= max_size
        )
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True, alphabet=_ECMA_SAFE).filter(
            lambda text: min_size <= len(text) <= max_size
        )
    return st.text(min_size=min_size, max_size=min(max_size, min_size + _MAX_GENERATED_LENGTH))


def _integers(schema: dict[str, Any]) -> st.SearchStrategy[int]:
    return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))


def _numbers(schema: dict[str, Any]) -> st.SearchStrategy[float | int]:
    """Integers and floats both: a model must hand back 7 as 7 and 7.5 as 7.5."""
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    exclusive = "exclusiveMinimum" in schema
    high = schema.get("maximum")
    floats = st.floats(
        min_value=low, max_value=high, exclude_min=exclusive, allow_nan=False, allow_infinity=False
    )
    integer_low = None if low is None else int(low) + (1 if exclusive else 0)
    return st.integers(min_value=integer_low, max_value=high) | floats


def _arrays(schema: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
    min_size = schema.get("minItems", 0)
    max_size = min(schema.get("maxItems", float("inf")), min_size + _MAX_GENERATED_ITEMS)
    items = values(schema.get("items", {"type": "string"}))
    if schema.get("uniqueItems"):
        return st.lists(items, min_size=min_size, max_size=max_size, unique_by=_canonical_json)
    return st.lists(items, min_size=min_size, max_size=max_size)


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Required properties, a random choice of optional ones, then what conditions demand.

    trdcore's object conditions are ``anyOf`` branches of ``required`` (at least one way to find
    a source) and ``if``/``then`` whose ``then`` requires more properties (a dose scheme needs
    its scheme) or narrows some (a PHQ-9 total is at most 27). Missing properties are drawn and
    added; narrowed ones are drawn again from the property's schema with ``then``'s keywords
    laid over it, which holds while ``then`` only tightens bounds.
    """
    property_schemas: dict[str, Any] = schema.get("properties", {})
    properties = {key: values(value) for key, value in property_schemas.items()}
    required: list[str] = schema.get("required", [])
    optional = [key for key in properties if key not in required]
    either = schema.get("anyOf", [])
    if any(set(branch) != {"required"} for branch in either):
        raise NotImplementedError(f"object anyOf beyond 'required' branches: {either!r}")
    conditions = [
        _Condition.of(condition, property_schemas)
        for condition in [schema, *schema.get("allOf", [])]
        if "if" in condition
    ]

    @st.composite
    def objects(draw: st.DrawFn) -> dict[str, Any]:
        document = {key: draw(properties[key]) for key in required}
        for key in optional:
            if draw(st.booleans()):
                document[key] = draw(properties[key])

        def add(keys: list[str] | tuple[str, ...]) -> None:
            for key in keys:
                if key not in document:
                    document[key] = draw(properties[key])

        if either and not any(set(branch["required"]) <= set(document) for branch in either):
            add(draw(st.sampled_from(either))["required"])
        for condition in conditions:
            if condition.applies(document):
                add(condition.required)
                for key, narrowed in condition.narrowed.items():
                    if key in document:
                        document[key] = draw(narrowed)
        return document

    return objects()


@attrs.frozen
class _Condition:
    """An ``if``/``then`` of an object schema, ready to apply to a drawn object."""

    applies: Callable[[Any], bool]
    required: tuple[str, ...]
    narrowed: dict[str, st.SearchStrategy[Any]]

    @classmethod
    def of(cls, condition: dict[str, Any], property_schemas: dict[str, Any]) -> _Condition:
        then = condition["then"]
        if not set(then) <= {"required", "properties"}:
            raise NotImplementedError(f"'then' beyond required and properties: {then!r}")
        return cls(
            applies=Draft202012Validator(condition["if"]).is_valid,
            required=tuple(then.get("required", ())),
            narrowed={
                key: values({**property_schemas[key], **narrowing})
                for key, narrowing in then.get("properties", {}).items()
            },
        )
