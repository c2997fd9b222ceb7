"""The packaged JSON Schemas: one registry, cached validators, pointer-precise issues.

Schemas live in ``trdcore/schemas/<name>/<version>.schema.json`` (the
repository's top-level ``schemas/`` points there) and ship inside the wheel.
They are loaded into one pre-crawled :class:`referencing.Registry` the first
time they are needed, never at import, and never retrieved over the network:
a ``$ref`` to anything outside the package is an error.

Validation has two engines on purpose. ``jsonschema-rs`` (compiled) gives the
verdict quickly, which is what a 200 MB NDJSON file needs; python-jsonschema
gives the full report for the documents that fail, ordered by ``best_match``,
because its error objects are the ones the field knows how to read. If the
two ever disagree, the document is reported with whatever either found, so
nothing invalid passes silently.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from trdcore.exceptions import Issue, UnknownSchemaError
from trdcore.versions import Version

__all__ = [
    "ASSERTED_FORMATS",
    "SCHEMA_BASE_URI",
    "SchemaRef",
    "available_schemas",
    "check",
    "fast_validator",
    "is_valid",
    "latest_version",
    "load_schema",
    "registry",
    "resolve_for",
    "resolve_schema",
    "schema_for_document",
    "versions_of",
]

SCHEMA_BASE_URI = "https://trdcore.org/schemas/"
_REF_PATTERN = re.compile(r"^(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)(?:@(?P<version>\d+\.\d+\.\d+))?$")
# Schemas that are building blocks, never documents of their own.
_FRAGMENT_SCHEMAS = frozenset({"common"})
#: Formats the schemas use, asserted by both engines (a test keeps this list complete).
#: Only these are loaded: jsonschema's optional format libraries cost seconds to import.
ASSERTED_FORMATS = ("date",)


def _version_key(version: str) -> Version:
    return Version.parse(version)


@attrs.frozen(order=False)
class SchemaRef:
    """A schema name with an exact version, written ``name@version``."""

    name: str
    version: str

    text: str = attrs.field(init=False, eq=False, repr=False)

    @text.default
    def _text(self) -> str:
        return f"{self.name}@{self.version}"

    def __str__(self) -> str:
        return self.text

    @property
    def uri(self) -> str:
        return f"{SCHEMA_BASE_URI}{self.name}/{self.version}.schema.json"


def _schema_root() -> Traversable:
    return files("trdcore") / "schemas"


@functools.cache
def _catalog() -> dict[str, dict[str, dict[str, Any]]]:
    """Every packaged schema, parsed once: name -> version -> schema."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for folder in _schema_root().iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if not entry.name.endswith(".schema.json"):
                continue
            version = entry.name.removesuffix(".schema.json")
            found.setdefault(folder.name, {})[version] = json.loads(entry.read_text("utf-8"))
    return found


def available_schemas(*, include_fragments: bool = False) -> dict[str, tuple[str, ...]]:
    """Document schema names and their versions, oldest first."""
    return dict(_available(include_fragments))


@functools.cache
def _available(include_fragments: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (name, tuple(sorted(versions, key=_version_key)))
        for name, versions in sorted(_catalog().items())
        if include_fragments or name not in _FRAGMENT_SCHEMAS
    )


def latest_version(name: str) -> str:
    """The newest version of a schema; code uses this, documents never rely on it."""
    versions = available_schemas(include_fragments=True).get(name)
    if not versions:
        raise UnknownSchemaError(name, available_schemas())
    return versions[-1]


def resolve_schema(spec: str | SchemaRef) -> SchemaRef:
    """Turn ``name`` or ``name@version`` into an exact :class:`SchemaRef`.

    A bare name means the newest version this trdcore knows. Raises
    :class:`UnknownSchemaError` listing what exists.
    """
    if isinstance(spec, SchemaRef):
        if spec.version in versions_of(spec.name):
            return spec
        spec = str(spec)
    return _resolve_text(spec)


@functools.lru_cache(maxsize=512)
def _resolve_text(spec: str) -> SchemaRef:
    match = _REF_PATTERN.match(spec.strip())
    available = available_schemas()
    if not match or match["name"] not in available:
        raise UnknownSchemaError(spec, available)
    version = match["version"] or available[match["name"]][-1]
    if version not in available[match["name"]]:
        raise UnknownSchemaError(spec, available)
    return SchemaRef(match["name"], version)


@functools.cache
def versions_of(name: str) -> tuple[str, ...]:
    return available_schemas().get(name, ())


def load_schema(spec: str | SchemaRef) -> dict[str, Any]:
    """The parsed schema document (shared; do not mutate)."""
    ref = spec if isinstance(spec, SchemaRef) else resolve_schema(spec)
    try:
        return _catalog()[ref.name][ref.version]
    except KeyError:
        raise UnknownSchemaError(str(ref), available_schemas()) from None


def schema_for_document(document: object) -> SchemaRef | None:
    """The schema a document names in its own ``schema`` field, if it names one.

    Raises :class:`UnknownSchemaError` when it names one that does not exist.
    """
    if isinstance(document, Mapping):
        declared = document.get("schema")
        if isinstance(declared, str):
            return resolve_schema(declared)
    return None


def registry() -> Any:
    """The :class:`referencing.Registry` of every packaged schema, fragments included.

    Crawled once; a lookup of any URI outside the package fails instead of
    going to the network. Useful for tools that resolve ``$ref`` themselves.
    """
    return _registry()


@functools.cache
def _registry() -> Any:
    """One crawled registry of every packaged schema; unknown URIs are errors."""
    from referencing import Registry, Resource

    resources = [
        Resource.from_contents(schema)
        for versions in _catalog().values()
        for schema in versions.values()
    ]
    return (resources @ Registry()).crawl()


@functools.cache
def _detailed_validator(ref: SchemaRef) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(
        load_schema(ref),
        registry=_registry(),
        format_checker=FormatChecker(formats=ASSERTED_FORMATS),
    )


def _refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"trdcore never retrieves schemas over the network ({uri})")


def fast_validator(ref: SchemaRef) -> Any:
    """The compiled (jsonschema-rs) validator for a schema: ``is_valid`` gives the verdict only.

    For loops over many documents; :func:`check` gives the full report.
    """
    return _fast_validator(ref)


@functools.cache
def _fast_validator(ref: SchemaRef) -> Any:
    import jsonschema_rs

    registry = jsonschema_rs.Registry(
        [
            (schema["$id"], schema)
            for versions in _catalog().values()
            for schema in versions.values()
        ],
        retriever=_refuse_retrieval,
    )
    return jsonschema_rs.validator_for(
        load_schema(ref),
        registry=registry,
        validate_formats=True,
        retriever=_refuse_retrieval,
    )


def is_valid(document: object, schema: str | SchemaRef) -> bool:
    """The verdict only, as fast as possible (compiled validator)."""
    ref = schema if isinstance(schema, SchemaRef) else resolve_schema(schema)
    return bool(_fast_validator(ref).is_valid(document))


def _pointer(path: Iterator[object] | Any) -> str:
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
    return "".join(f"/{part}" for part in parts)


def resolve_for(document: object, schema: str | SchemaRef) -> SchemaRef:
    """The schema to check ``document`` against: ``schema`` when it names a version; for a
    bare name, the version of that schema the document declares (a 1.0.0 history is
    checked as 1.0.0, then carried forward), else the newest."""
    if isinstance(schema, SchemaRef) or "@" in schema:
        return resolve_schema(schema)
    ref = resolve_schema(schema)
    declared = document.get("schema") if isinstance(document, Mapping) else None
    if declared.__class__ is str and declared != ref.text:
        name, _, version = declared.partition("@")
        if name == ref.name and version in versions_of(name):
            return SchemaRef(name, version)
    return ref


def check(document: object, schema: str | SchemaRef) -> list[Issue]:
    """Every schema problem in ``document``, most relevant first; empty when valid. A bare
    schema name checks the version the document declares (:func:`resolve_for`)."""
    ref = resolve_for(document, schema)
    if _fast_validator(ref).is_valid(document):
        return []
    from jsonschema.exceptions import relevance

    try:
        ordered = sorted(
            _detailed_validator(ref).iter_errors(document), key=relevance, reverse=True
        )
    except RecursionError:
        return [Issue("", "depth", "the document is nested too deeply to validate")]
    issues = [_issue(error) for error in ordered]
    if not issues:
        # The engines disagree; report what the compiled one found rather than pass it.
        issues = [
            Issue(
                pointer=_pointer(error.instance_path),
                keyword=type(error.kind).__name__.lower(),
                message=str(error.message),
                schema_path=_pointer(error.schema_path),
            )
            for error in _fast_validator(ref).iter_errors(document)
        ]
    return issues


_UNINFORMATIVE = frozenset({"const", "enum", "type"})


def _issue(error: Any) -> Issue:
    """Turn one jsonschema error into an Issue, descending into anyOf/oneOf.

    For ``anyOf: [date, "unknown"]`` the useful message is the date's, not
    "'unknown' was expected"; the other accepted forms are named after it.
    """
    note = ""
    while error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        branches = list(error.context)
        if all(branch.validator == "required" for branch in branches):
            names = ", ".join(repr(branch.message.split("'")[1]) for branch in branches)
            message = f"needs at least one of {names}"
            return Issue(
                _pointer(error.absolute_path),
                "required",
                message,
                _pointer(error.absolute_schema_path),
            )
        literals = [
            branch.schema["const"]
            for branch in branches
            if branch.validator == "const" and isinstance(branch.schema, dict)
        ]
        # A const/enum/type mismatch of the whole value says only "not this branch".
        informative = [
            branch
            for branch in branches
            if branch.relative_path or branch.validator not in _UNINFORMATIVE
        ]
        chosen = best_match(informative or branches)
        if chosen is None:
            break
        if literals and not note and chosen.validator != "const":
            field = error.absolute_path[-1] if error.absolute_path else "the document"
            values = " or ".join(repr(value) for value in literals)
            note = f" ({field} may also be {values})"
        error = chosen
    message = str(error.message)
    if len(message) > 300:
        message = message[:297] + "..."
    return Issue(
        pointer=_pointer(error.absolute_path),
        keyword=str(error.validator),
        message=message + note,
        schema_path=_pointer(error.absolute_schema_path),
    )
