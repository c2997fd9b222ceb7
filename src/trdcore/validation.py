"""The validation API: a document in, a model or one error listing every problem out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import attrs

from trdcore.crosschecks import advisories_for, crosscheck, crosscheck_for
from trdcore.documents import SourceDocument
from trdcore.exceptions import DocumentError, Issue, SchemaValidationError, UnknownSchemaError
from trdcore.schemas import (
    SchemaRef,
    available_schemas,
    check,
    fast_validator,
    resolve_for,
    resolve_schema,
    schema_for_document,
    versions_of,
)

__all__ = ["DocumentReport", "check_documents", "checked", "checker", "issues", "validate"]


def _target(document: object, schema: str | SchemaRef | None) -> SchemaRef:
    if schema is not None:
        return resolve_for(document, schema)
    declared = schema_for_document(document)
    if declared is None:
        raise UnknownSchemaError(
            "(none: the document has no 'schema' field; pass schema='NAME[@VERSION]')",
            available_schemas(),
        )
    return declared


def issues(document: object, schema: str | SchemaRef | None = None) -> list[Issue]:
    """Every problem with ``document`` (schema first, then cross-field checks); empty if valid.

    ``schema`` is ``name`` or ``name@version``; when omitted, the document's
    own ``schema`` field decides.
    """
    ref = _target(document, schema)
    found = check(document, ref)
    if not found and isinstance(document, Mapping):
        found = crosscheck(document, ref.name)
    return found


def validate(
    document: object, schema: str | SchemaRef | None = None, *, source: str | None = None
) -> Any:
    """Check ``document`` and return it as a frozen model.

    Raises :class:`SchemaValidationError` listing every problem (JSON pointer,
    keyword, message; the most relevant first) or :class:`UnknownSchemaError`
    when the schema named does not exist. A document of an older schema
    version is carried forward with :mod:`trdcore.migrations` first.
    """
    from trdcore.models import MODELS

    ref = _target(document, schema)
    return MODELS[ref.name].from_json(checked(document, ref, source=source))


def checked(
    document: object, schema: str | SchemaRef | None = None, *, source: str | None = None
) -> Mapping[str, Any]:
    """:func:`validate` without building the model: the checked document, in the newest version.

    For code that reads the JSON itself (the batch evaluation path); the same
    errors as :func:`validate`.
    """
    ref = _target(document, schema)
    if isinstance(document, Mapping) and fast_validator(ref).is_valid(document):
        cross = crosscheck_for(ref.name)  # the common case, without the detour through issues()
        found = cross(document) if cross is not None else []
    else:
        found = issues(document, ref)
    if found:
        raise SchemaValidationError(str(ref), found, source=source)
    assert isinstance(document, Mapping)  # every document schema is an object
    newest = versions_of(ref.name)[-1]
    if ref.version != newest:
        from trdcore.migrations import default_registry, migrate

        if default_registry.additive(ref.name, ref.version, newest):
            # Valid under its own version, so valid under the newest once it names it.
            if "schema" not in document:
                return dict(document)
            return {**document, "schema": f"{ref.name}@{newest}"}
        document = migrate(document, schema=str(ref), to=newest)
    return document


def checker(schema: str | SchemaRef) -> Callable[..., Mapping[str, Any]]:
    """:func:`checked` for one schema, compiled once: for loops over many documents.

    ``checker("treatment-history")(document, source=None)`` returns the checked
    document or raises as :func:`checked` does; the schema, its compiled
    validator and its cross-field check are looked up once, not per document.
    Given a bare name, each document is checked against the version it declares
    and carried to the newest: a document of an older version whose steps only
    add optional fields (:meth:`~trdcore.migrations.MigrationRegistry.additive`)
    is checked by that version's compiled validator and handed on as a shallow
    copy naming the newest version, so old files cost no more than new ones.
    """
    ref = resolve_schema(schema)
    is_valid = fast_validator(ref).is_valid
    cross = crosscheck_for(ref.name)
    versions = versions_of(ref.name)
    newest = ref.version == versions[-1]
    pinned = isinstance(schema, SchemaRef) or "@" in schema
    newest_text = str(ref)
    older: dict[str, tuple[SchemaRef, Callable[[object], bool] | None]] = {}
    if newest and not pinned:
        from trdcore.migrations import default_registry

        for version in versions[:-1]:
            old = SchemaRef(ref.name, version)
            fast = (
                fast_validator(old).is_valid
                if default_registry.additive(ref.name, version, ref.version)
                else None
            )
            older[str(old)] = (old, fast)

    def check(document: object, *, source: str | None = None) -> Mapping[str, Any]:
        if newest and document.__class__ is dict:
            declared = document.get("schema", newest_text)
            if declared == newest_text:
                if is_valid(document):
                    if cross is None or not (found := cross(document)):
                        return document
                    raise SchemaValidationError(str(ref), found, source=source)
            elif declared.__class__ is str and declared in older:
                old, fast = older[declared]
                if fast is not None and fast(document):
                    if cross is None or not (found := cross(document)):
                        return {**document, "schema": newest_text}
                    raise SchemaValidationError(str(old), found, source=source)
                return checked(document, old, source=source)
        return checked(document, ref, source=source)

    return check


class DocumentReport(NamedTuple):
    """The outcome of checking one document read from a file.

    ``schema`` is None when it could not be determined; ``error`` is set when
    the document could not be read at all, ``issues`` when it was read but is
    invalid. Issue lines are filled in where the format keeps positions. (A
    named tuple: batch validation makes one per document.)
    """

    source: str
    position: int
    line: int | None
    schema: str | None
    issues: tuple[Issue, ...] = ()
    error: DocumentError | None = None
    #: Findings that leave the document valid (a trial before the episode began, say).
    warnings: tuple[Issue, ...] = ()

    @property
    def valid(self) -> bool:
        return self.error is None and not self.issues

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "source": self.source,
            "position": self.position,
            "line": self.line,
            "schema": self.schema,
            "valid": self.valid,
        }
        if self.error is not None:
            data["error"] = self.error.to_json()
        if self.issues:
            data["issues"] = [issue.to_json() for issue in self.issues]
        if self.warnings:
            data["warnings"] = [issue.to_json() for issue in self.warnings]
        return data


def check_documents(
    documents: Iterable[SourceDocument], schema: str | SchemaRef | None = None
) -> Iterator[DocumentReport]:
    """Check a stream of read documents lazily, one report per document.

    With ``schema`` every document is checked against it; otherwise each
    document's own ``schema`` field decides, and a document without one is
    reported as invalid with a message saying how to name its schema.

    This is the hot loop of batch validation: the compiled validator gives
    the verdict, and only a document that fails (or has cross-field checks
    to run) goes through the slower paths.
    """
    fixed = resolve_schema(schema) if schema is not None else None
    # declared schema text -> (ref, compiled verdict, cross-field check)
    plans: dict[str | None, tuple[SchemaRef, Any, Any, Any]] = {}
    for document in documents:
        if document.error is not None:
            yield DocumentReport(
                document.source, document.position, document.line, None, error=document.error
            )
            continue
        data = document.data
        declared = data.get("schema") if type(data) is dict else None
        key = None if fixed is not None else declared
        plan = plans.get(key)
        if plan is None:
            if fixed is not None:
                ref = fixed
            elif not isinstance(declared, str):
                yield DocumentReport(
                    document.source, document.position, document.line, None, issues=(_NO_SCHEMA,)
                )
                continue
            else:
                try:
                    ref = resolve_schema(declared)
                except UnknownSchemaError as error:
                    issue = Issue("/schema", "schema", str(error), line=document.line_of("/schema"))
                    yield DocumentReport(
                        document.source, document.position, document.line, None, issues=(issue,)
                    )
                    continue
            plan = plans[key] = (
                ref,
                fast_validator(ref),
                crosscheck_for(ref.name),
                advisories_for(ref.name),
            )
        ref, verdict, cross, advise = plan
        if verdict.is_valid(data) and (cross is None or not (found := cross(data))):
            warned = advise(data) if advise is not None else ()
            yield DocumentReport(
                document.source,
                document.position,
                document.line,
                ref.text,
                warnings=tuple(
                    attrs.evolve(issue, line=document.line_of(issue.pointer) or document.line)
                    for issue in warned
                ),
            )
            continue
        found = issues(data, ref)
        found = [
            attrs.evolve(issue, line=document.line_of(issue.pointer) or document.line)
            for issue in found
        ]
        yield DocumentReport(
            document.source, document.position, document.line, ref.text, issues=tuple(found)
        )


_NO_SCHEMA = Issue(
    "",
    "schema",
    "the document does not say which schema it follows: add a 'schema' field "
    "(for example 'treatment-history@1.0.0') or pass --schema NAME[@VERSION]",
)
