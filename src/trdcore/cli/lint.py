"""``trdcore lint``: run the content rules over the catalog or over content files."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import orjson

from trdcore.cli.exit_codes import EXIT_INVALID
from trdcore.cli.inputs import expand_paths
from trdcore.cli.options import as_of_option, format_option

__all__ = ["lint_command", "load_content_files"]


def load_content_files(paths: tuple[Path, ...]) -> tuple[list[Any], list[str]]:
    """Catalog entries read from content files or folders, and the problems met on the way.

    Every problem names the file, the line where known, the JSON pointer and
    the schema rule; a file that is not content (a treatment history, say) is
    a problem too, never silently skipped.
    """
    from trdcore.catalog import CONTENT_SCHEMAS, CatalogEntry
    from trdcore.documents import read_documents
    from trdcore.exceptions import SchemaValidationError, UnknownSchemaError
    from trdcore.validation import validate

    entries: list[CatalogEntry] = []
    problems: list[str] = []
    for path in expand_paths(paths):
        for document in read_documents(path):
            where = f"{path}" + (f":{document.line}" if document.line else "")
            if document.error is not None:
                problems.append(str(document.error))
                continue
            declared = document.data.get("schema") if isinstance(document.data, dict) else None
            kind = declared.split("@", 1)[0] if isinstance(declared, str) else None
            if kind not in CONTENT_SCHEMAS:
                problems.append(
                    f"{where}: not a content document (its 'schema' is {declared!r}; content "
                    f"schemas are {', '.join(sorted(CONTENT_SCHEMAS))})"
                )
                continue
            try:
                model = validate(document.data, source=str(path))
            except SchemaValidationError as error:
                for issue in error.issues:
                    line = document.line_of(issue.pointer)
                    at = f"{path}:{line}" if line else where
                    problems.append(f"{at}: {issue.describe()}")
                continue
            except UnknownSchemaError as error:
                problems.append(f"{where}: {error}")
                continue
            entries.append(CatalogEntry(kind, model.id, model.version, model, str(path)))
    return entries, problems


def _with(catalog: Any, entries: list[Any]) -> Any:
    """The catalog with ``entries`` in it, replacing any item with the same kind and id@version."""
    from trdcore.catalog import Catalog

    given = {(entry.kind, entry.id, entry.version) for entry in entries}
    kept = [e for e in catalog.entries if (e.kind, e.id, e.version) not in given]
    return Catalog((*entries, *kept), catalog.problems)


def _rule_lines(rules: dict[str, Any], owners: dict[str, str]) -> Iterator[str]:
    from trdcore.lint import rule_info

    for rule_id in sorted(rules):
        info = rule_info(rules[rule_id], owners.get(rule_id, "?"))
        yield (
            f"{info.id} {info.version} [{info.severity}; {', '.join(info.audiences)}; "
            f"{info.plugin}]\n    {info.description}\n    source: {info.source}"
        )


@click.command("lint")
@click.argument(
    "paths",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
)
@format_option(help="Report format.")
@as_of_option("Judge review freshness on this date (default: today).")
@click.option(
    "--quiet", "-q", is_flag=True, help="Text format: leave out review findings and fix hints."
)
@click.option("--list-rules", is_flag=True, help="List the content rules, then stop.")
def lint_command(
    paths: tuple[Path, ...],
    output_format: str,
    as_of: datetime.datetime | None,
    quiet: bool,
    list_rules: bool,
) -> None:
    """Check content against the content rules (reading grade, safe messaging, 988 ...).

    PATHS are content files or folders (.yaml, .yml, .json); without PATHS
    the built-in catalog and every plugin's content are checked. Cited
    sources and translation originals are looked up in the catalog, so a
    file may cite built-in sources. Exit 0 when nothing blocks publishing,
    1 when any finding blocks (or a file is not valid content), 2 for
    usage errors. Suppressed findings are listed with their reasons.
    """
    from trdcore.app import load_catalog
    from trdcore.lint import lint_catalog, lint_entries
    from trdcore.lint.engine import rule_owners
    from trdcore.plugins import plugin_manager, rules

    manager = plugin_manager()
    found_rules = rules(manager)
    owners = rule_owners(manager, found_rules)
    if list_rules:
        click.echo("\n".join(_rule_lines(found_rules, owners)))
        return
    day = as_of.date() if as_of else datetime.date.today()  # the CLI is where "today" is read
    catalog = load_catalog(manager)
    for error in catalog.problems:
        click.echo(f"warning: content not loaded: {error}", err=True)
    problems: list[str] = []
    if paths:
        entries, problems = load_content_files(paths)
        report = lint_entries(
            entries, found_rules, as_of=day, catalog=_with(catalog, entries), owners=owners
        )
    else:
        report = lint_catalog(catalog, found_rules, as_of=day, owners=owners)
    if output_format == "json":
        data = report.to_json() | {"invalid": problems}
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for problem in problems:
            click.echo(f"invalid: {problem}", err=True)
        click.echo(report.to_text(verbose=not quiet), nl=False)
    if report.blocked or problems:
        sys.exit(EXIT_INVALID)
