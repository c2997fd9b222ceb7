"""Running exporters and importers by name, safely: the API behind ``trdcore export/import``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs
import orjson

from trdcore.app import load_catalog
from trdcore.catalog import Catalog
from trdcore.engine import Engine
from trdcore.exceptions import (
    ExportError,
    PluginError,
    SchemaValidationError,
    TrdcoreError,
    UnknownSchemaError,
    UnknownTargetError,
)
from trdcore.extensions import ExportContext, ExportResult, ImportResult, OptionValue, PluginOption
from trdcore.plugins import TrdcorePluginManager, exporters, importers

Result = TypeVar("Result", ExportResult, ImportResult)

__all__ = [
    "IMPORTED_SCHEMAS",
    "MANIFEST",
    "ImportOutcome",
    "ImportStream",
    "declared_options",
    "run_export",
    "run_import",
    "stream_import",
    "write_export",
]

#: Written beside every export: what was written, by which trdcore, with the exporter's metadata.
MANIFEST = "trdcore-export.json"


def _manager(manager: TrdcorePluginManager | None) -> TrdcorePluginManager:
    from trdcore.plugins import plugin_manager

    return manager or plugin_manager()


def run_export(
    target: str,
    *,
    manager: TrdcorePluginManager | None = None,
    catalog: Catalog | None = None,
    options: Mapping[str, OptionValue] | None = None,
    locale: str | None = None,
    force: bool = False,
    as_of: datetime.date | None = None,
    engine: Engine | None = None,
) -> ExportResult:
    """Run the exporter ``target`` over the catalog and return what it would write.

    First the content rules (``trdcore lint``) check the catalog's non-draft
    items (drafts are never published): a block-level finding refuses the
    export with an :class:`ExportError` that lists each finding (item, JSON
    pointer, rule), unless ``force`` is set.
    ``as_of`` is the date review freshness is judged by (None: not judged;
    the command line passes today). The lint result, forced or not, is in
    ``ExportResult.lint`` and in the manifest. An exporter whose
    ``publishes_content`` attribute is False (such as ``schemas``) publishes
    no catalog text, so its export is not gated.

    Raises :class:`UnknownTargetError` for an exporter nobody provides,
    :class:`PluginError` when the exporter fails or returns something that is
    not an :class:`ExportResult`, and :class:`ExportError` for unsafe output
    or content that must not be published.
    """
    manager = _manager(manager)
    available = exporters(manager)
    if target not in available:
        raise UnknownTargetError("exporter", target, list(available))
    exporter = available[target]
    if engine is not None:
        if catalog is not None and catalog is not engine.catalog:
            raise TrdcoreError("run_export: pass an engine or a catalog, not both")
        catalog = engine.catalog
    elif catalog is None:
        catalog = load_catalog(manager)
    if engine is None:
        engine = Engine.for_catalog(catalog)
    lint = _content_gate(manager, target, exporter, engine, force=force, as_of=as_of)
    context = ExportContext(catalog=catalog, options=dict(options or {}), locale=locale)
    result = _call_plugin(manager, "exporter", target, ExportResult, exporter.export, context)
    problems = result.problems()
    if problems:
        raise ExportError(f"exporter {target!r}: " + "; ".join(problems))
    return attrs.evolve(result, lint=lint)


#: How many blocking findings an export refusal lists before it says "and N more".
_REFUSAL_LISTS = 20


def _content_gate(
    manager: TrdcorePluginManager,
    target: str,
    exporter: object,
    engine: Engine,
    *,
    force: bool,
    as_of: datetime.date | None,
) -> dict[str, Any]:
    """Lint the catalog for an export; refuse on block-level findings unless forced."""
    from trdcore.lint import lint_catalog
    from trdcore.lint.engine import rule_owners
    from trdcore.plugins import rules

    if getattr(exporter, "publishes_content", True) is False:
        return {
            "checked": False,
            "reason": f"exporter {target!r} publishes no catalog content",
        }
    found = rules(manager)
    # Draft items are never published (see the "status" schema field), so they do not gate
    # an export; `trdcore lint` still checks them. The engine keeps the report, so several
    # exports with one engine lint the catalog once.
    catalog = engine.catalog
    report = lint_catalog(
        catalog,
        found,
        as_of=as_of,
        owners=rule_owners(manager, found),
        drafts=False,
        engine=engine,
    )
    if report.blocked and not force:
        blocking = report.blocking
        lines = [f"  {finding.describe()}" for finding in blocking[:_REFUSAL_LISTS]]
        if len(blocking) > _REFUSAL_LISTS:
            lines.append(f"  ... and {len(blocking) - _REFUSAL_LISTS} more (run `trdcore lint`)")
        raise ExportError(
            f"export {target!r} refused: {len(blocking)} content finding"
            f"{'s' if len(blocking) != 1 else ''} block publishing:\n"
            + "\n".join(lines)
            + "\nFix the content (see `trdcore lint`), or export anyway with --force; the "
            "manifest then records that the export was forced."
        )
    return report.to_manifest(forced=force and report.blocked) | {
        "drafts_not_checked": len(catalog.entries) - report.items
    }


#: Option names the host's own ``export TARGET`` and ``import SOURCE`` subcommands use.
_RESERVED_OPTIONS = {
    "exporter": frozenset({"out", "locale", "option", "force", "as-of", "help"}),
    "importer": frozenset({"out", "option", "help"}),
}


def declared_options(
    extension: object, *, kind: Literal["exporter", "importer"], name: str, plugin: str = "?"
) -> tuple[PluginOption, ...]:
    """The options an exporter or importer declares, checked.

    A malformed declaration (not a sequence of :class:`PluginOption`, a name the host
    uses itself, a name given twice) is its plugin's :class:`PluginError`.
    """
    declared = getattr(extension, "options", ())
    try:
        options = tuple(declared)
    except TypeError:
        raise PluginError(
            f"{kind} {name!r}: options must be a sequence of PluginOption", plugin=plugin
        ) from None
    seen: set[str] = set()
    for option in options:
        if not isinstance(option, PluginOption):
            raise PluginError(
                f"{kind} {name!r}: option {option!r} is not a PluginOption", plugin=plugin
            )
        if option.name in _RESERVED_OPTIONS[kind] or option.name in seen:
            raise PluginError(
                f"{kind} {name!r}: option --{option.name} is reserved or declared twice",
                plugin=plugin,
            )
        seen.add(option.name)
    return options


def _call_plugin(
    manager: TrdcorePluginManager,
    kind: str,
    name: str,
    expected: type[Result],
    function: Callable[..., object],
    *arguments: object,
) -> Result:
    """Call an exporter or importer; blame its plugin for an exception or a wrong result type."""
    owner = manager.owners.get((kind, name), "?")
    try:
        result = function(*arguments)
    except TrdcoreError:
        raise
    except Exception as error:
        raise PluginError(
            f"{kind} {name!r} raised {type(error).__name__}: {error}", plugin=owner
        ) from error
    if not isinstance(result, expected):
        raise PluginError(
            f"{kind} {name!r} returned {type(result).__name__}, not an {expected.__name__}",
            plugin=owner,
        )
    return result


def write_export(result: ExportResult, out: Path, *, target: str) -> list[Path]:
    """Write the files of an export under ``out`` and the manifest; return the paths written."""
    from trdcore.release import VERSION as __version__

    try:
        manifest = orjson.dumps(
            {
                "target": target,
                "trdcore": __version__,
                "files": sorted(result.files),
                "metadata": result.metadata,
                "lint": result.lint,
            },
            option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
        )
    except TypeError as error:
        raise ExportError(f"exporter {target!r}: metadata is not JSON: {error}") from None
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in sorted(result.files):
            content = result.files[name]
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            written.append(path)
        (out / MANIFEST).write_bytes(manifest + b"\n")
    except OSError as error:
        raise ExportError(f"cannot write to {out}: {error.strerror} ({error.filename})") from None
    return written


@attrs.frozen
class ImportOutcome:
    """Valid treatment histories from an importer, its warnings, and any invalid documents."""

    documents: tuple[Mapping[str, Any], ...]
    warnings: tuple[str, ...]
    invalid: tuple[str, ...]


#: What an importer may write: treatment histories, or (for claims-like data, before trials
#: are built from them) dispensing events. A document without a ``schema`` field is a history.
IMPORTED_SCHEMAS = ("treatment-history", "dispensing-events")


def _whose(document: Any, position: int) -> str:
    """Which imported document a message is about: its id (the patient) and position."""
    identifier = document.get("id") if isinstance(document, Mapping) else None
    kind = "events" if _schema_name(document) == "dispensing-events" else "history"
    if isinstance(identifier, str) and identifier:
        return f"{kind} {identifier!r} (document {position})"
    return f"document {position}"


def _schema_name(document: Any) -> str:
    named = document.get("schema") if isinstance(document, Mapping) else None
    if isinstance(named, str):
        return named.partition("@")[0]
    return "treatment-history"


@attrs.define
class ImportStream:
    """An import being read: iterate it for the valid documents, in the importer's order.

    Each document is checked against its schema as it arrives (an importer writes
    treatment histories, or dispensing events); an invalid one is described in
    ``invalid`` and the rest go on. ``warnings`` holds the importer's warnings once
    the stream has been drained, since a streaming importer adds to them as it reads.
    An exception raised by the importer while streaming is its plugin's
    :class:`PluginError`. The stream can be iterated once.
    """

    source: str
    location: str
    _result: ImportResult
    _owner: str
    invalid: list[str] = attrs.field(factory=list)
    _drained: bool = False

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        from trdcore.schemas import SchemaRef, resolve_for
        from trdcore.validation import checker

        if self._drained:
            raise TrdcoreError(f"import {self.source!r} of {self.location} was already read")
        self._drained = True
        documents = iter(self._result.documents)
        checks: dict[SchemaRef, Any] = {}
        position = 0
        while True:
            try:
                document = next(documents)
            except StopIteration:
                return
            except TrdcoreError:
                raise
            except Exception as error:
                raise PluginError(
                    f"importer {self.source!r} raised {type(error).__name__} while reading "
                    f"{self.location}: {error}",
                    plugin=self._owner,
                ) from error
            name = _schema_name(document)
            if name not in IMPORTED_SCHEMAS:
                self.invalid.append(
                    f"{self.location} {_whose(document, position)}: an importer writes "
                    f"{' or '.join(IMPORTED_SCHEMAS)} documents, not {name}"
                )
            else:
                # A document naming its schema is checked against that version of it, by a
                # checker compiled once per version (an import checks every document).
                try:
                    ref = resolve_for(document, name)
                    check = checks.get(ref)
                    if check is None:
                        check = checks[ref] = checker(str(ref))
                    check(document)
                except SchemaValidationError as error:
                    details = "; ".join(issue.describe() for issue in error.issues)
                    self.invalid.append(f"{self.location} {_whose(document, position)}: {details}")
                except UnknownSchemaError as error:
                    self.invalid.append(f"{self.location} {_whose(document, position)}: {error}")
                else:
                    yield document
            position += 1

    @property
    def warnings(self) -> tuple[str, ...]:
        """The importer's warnings: complete once the stream has been drained."""
        return tuple(self._result.warnings)


def stream_import(
    source: str,
    location: str | Path,
    *,
    manager: TrdcorePluginManager | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportStream:
    """Start the importer ``source`` on ``location``; iterate the result for its documents.

    ``location`` is a file, or for an importer that ``accepts_urls`` also a database
    URL, passed on as written. Raises :class:`UnknownTargetError` for an importer
    nobody provides and :class:`PluginError` when the importer fails or returns
    something that is not an :class:`ImportResult`.
    """
    manager = _manager(manager)
    available = importers(manager)
    if source not in available:
        raise UnknownTargetError("importer", source, list(available))
    importer = available[source]
    argument: str | Path = (
        str(location) if getattr(importer, "accepts_urls", False) is True else Path(location)
    )
    result = _call_plugin(
        manager, "importer", source, ImportResult, importer.read, argument, dict(options or {})
    )
    owner = manager.owners.get(("importer", source), "?")
    return ImportStream(source, str(location), result, owner)


def run_import(
    source: str,
    location: str | Path,
    *,
    manager: TrdcorePluginManager | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportOutcome:
    """Run the importer ``source`` on ``location`` and validate every document it returns.

    The whole import is held in memory; ``trdcore import`` uses :func:`stream_import`.
    """
    stream = stream_import(source, location, manager=manager, options=options)
    documents = tuple(stream)
    return ImportOutcome(documents, stream.warnings, tuple(stream.invalid))
