"""Running exporters and importers by name, safely: the API behind ``trdcore export/import``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import orjson

from trdcore.app import load_catalog
from trdcore.catalog import Catalog
from trdcore.engine import Engine
from trdcore.exceptions import ExportError, PluginError, TrdcoreError, UnknownTargetError
from trdcore.extensions import ExportContext, ExportOption, ExportResult, ImportResult, OptionValue
from trdcore.plugins import TrdcorePluginManager, exporters, importers

Result = TypeVar("Result", ExportResult, ImportResult)

__all__ = [
    "MANIFEST",
    "ImportOutcome",
    "export_options",
    "run_export",
    "run_import",
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


def export_options(exporter: object, *, target: str, plugin: str = "?") -> tuple[ExportOption, ...]:
    """The options an exporter declares, checked; a malformed declaration is its plugin's error."""
    declared = getattr(exporter, "options", ())
    try:
        options = tuple(declared)
    except TypeError:
        raise PluginError(
            f"exporter {target!r}: options must be a sequence of ExportOption", plugin=plugin
        ) from None
    reserved = {"out", "locale", "option", "force", "as-of", "help"}
    seen: set[str] = set()
    for option in options:
        if not isinstance(option, ExportOption):
            raise PluginError(
                f"exporter {target!r}: option {option!r} is not an ExportOption", plugin=plugin
            )
        if option.name in reserved or option.name in seen:
            raise PluginError(
                f"exporter {target!r}: option --{option.name} is reserved or declared twice",
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


def _whose(document: Any, position: int) -> str:
    """Which imported history a message is about: its id (the patient, for FHIR) and position."""
    identifier = document.get("id") if isinstance(document, Mapping) else None
    if isinstance(identifier, str) and identifier:
        return f"history {identifier!r} (document {position})"
    return f"document {position}"


def run_import(
    source: str,
    path: Path,
    *,
    manager: TrdcorePluginManager | None = None,
    options: Mapping[str, str] | None = None,
) -> ImportOutcome:
    """Run the importer ``source`` on ``path`` and validate every history it returns."""
    from trdcore.validation import issues

    manager = _manager(manager)
    available = importers(manager)
    if source not in available:
        raise UnknownTargetError("importer", source, list(available))
    importer = available[source]
    result = _call_plugin(
        manager, "importer", source, ImportResult, importer.read, Path(path), dict(options or {})
    )
    valid: list[Mapping[str, Any]] = []
    invalid: list[str] = []
    for position, document in enumerate(result.documents):
        found = issues(document, "treatment-history")
        if found:
            details = "; ".join(issue.describe() for issue in found)
            invalid.append(f"{path} {_whose(document, position)}: {details}")
        else:
            valid.append(document)
    return ImportOutcome(tuple(valid), tuple(result.warnings), tuple(invalid))
