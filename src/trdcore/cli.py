"""The ``trdcore`` command line: thin click commands over the library API.

Exit codes are a contract: 0 when everything is valid, 1 when any data is
invalid or unreadable, 2 for usage errors (unknown option, schema or
version, missing file). A failure inside trdcore itself prints one line
naming the problem (and the traceback only with ``TRDCORE_DEBUG=1``) and
exits 3; a bare traceback is never the interface.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import click
import orjson

from trdcore import __version__
from trdcore.exceptions import TrdcoreError, UnknownSchemaError, UnknownTargetError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

_FORMATS = click.Choice(["text", "json"])


def new_root_group() -> click.Group:
    """An empty ``trdcore`` group; commands, built-in ones included, come from plugins."""

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="trdcore")
    def cli() -> None:
        """trdcore: treatment-resistant depression made computable and publishable.

        Validate treatment histories and catalog documents against trdcore's
        versioned JSON Schemas, and export or import through plugins.
        Exit codes: 0 ok, 1 invalid data, 2 usage error, 3 internal error.
        """

    return cli


@click.command()
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
)
@click.option(
    "--schema",
    "schema_spec",
    metavar="NAME[@VERSION]",
    help="Check every document against this schema. Default: each document's own 'schema' field.",
)
@click.option(
    "--format",
    "output_format",
    type=_FORMATS,
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Text format: print only problems and the summary."
)
def validate(
    paths: tuple[Path, ...], schema_spec: str | None, output_format: str, quiet: bool
) -> None:
    """Check JSON, YAML and NDJSON files against trdcore's schemas.

    PATHS are files (.json, .yaml/.yml, .ndjson/.jsonl) or folders, which are
    searched for such files. NDJSON is streamed line by line; each problem
    names the file, the line, the JSON pointer and the rule that failed.
    """
    from trdcore.schemas import resolve_schema

    if schema_spec is not None:
        try:
            resolve_schema(schema_spec)
        except UnknownSchemaError as error:
            raise click.BadParameter(str(error), param_hint="--schema") from None
    files = list(_expand(paths))
    if not files:
        raise click.UsageError(
            "no .json, .yaml, .yml, .ndjson or .jsonl files found in " + ", ".join(map(str, paths))
        )
    reporter: _Reporter = (
        _JsonReporter(sys.stdout.buffer) if output_format == "json" else _TextReporter(quiet)
    )
    from trdcore.documents import read_documents
    from trdcore.validation import check_documents

    for file in files:
        reporter.start_file(file)
        for report in check_documents(read_documents(file), schema_spec):
            reporter.document(report)
        reporter.end_file()
    reporter.finish()
    sys.exit(EXIT_OK if reporter.all_valid else EXIT_INVALID)


_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml", ".ndjson", ".jsonl")


def _expand(paths: tuple[Path, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                found
                for found in path.rglob("*")
                if found.is_file() and found.suffix.lower() in _DOCUMENT_SUFFIXES
            )
        else:
            yield path


class _Reporter:
    """Collects counts per file and overall; subclasses decide how to print."""

    def __init__(self) -> None:
        self.files = 0
        self.documents = 0
        self.invalid = 0
        self.file_documents = 0
        self.file_invalid = 0
        self.file: Path | None = None

    @property
    def all_valid(self) -> bool:
        return self.invalid == 0

    def start_file(self, path: Path) -> None:
        self.file = path
        self.files += 1
        self.file_documents = 0
        self.file_invalid = 0

    def document(self, report: Any) -> None:
        self.documents += 1
        self.file_documents += 1
        if not report.valid:
            self.invalid += 1
            self.file_invalid += 1

    def end_file(self) -> None:
        pass

    def finish(self) -> None:
        pass


class _TextReporter(_Reporter):
    def __init__(self, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        self.schemas: set[str] = set()

    def start_file(self, path: Path) -> None:
        super().start_file(path)
        self.schemas = set()

    def document(self, report: Any) -> None:
        super().document(report)
        if report.schema:
            self.schemas.add(report.schema)
        if report.valid:
            return
        where = f"{report.source}"
        if report.error is not None:
            click.secho(f"✗ {report.error}", fg="red")
            return
        line = f":{report.line}" if report.line is not None else ""
        schema = f" ({report.schema})" if report.schema else ""
        click.secho(f"✗ {where}{line}{schema}", fg="red")
        for issue in report.issues:
            position = f"line {issue.line}, " if issue.line is not None else ""
            pointer = issue.pointer or "(document)"
            click.echo(f"    {position}{pointer}: {issue.message} [{issue.keyword}]")

    def end_file(self) -> None:
        if self.file_invalid or self.quiet:
            if self.file_documents > 1:
                click.echo(
                    f"  {self.file}: {self.file_documents - self.file_invalid:,} valid, "
                    f"{self.file_invalid:,} invalid of {self.file_documents:,} documents"
                )
            return
        schemas = ", ".join(sorted(self.schemas))
        count = f"{self.file_documents:,} documents, " if self.file_documents > 1 else ""
        click.secho(f"✓ {self.file} ({count}{schemas})", fg="green")

    def finish(self) -> None:
        valid = self.documents - self.invalid
        verdict = "all valid" if self.all_valid else f"{self.invalid:,} invalid"
        click.secho(
            f"{self.files:,} file{'s' if self.files != 1 else ''}, "
            f"{self.documents:,} document{'s' if self.documents != 1 else ''}: "
            f"{valid:,} valid, {verdict}",
            bold=True,
            fg="green" if self.all_valid else "red",
        )


class _JsonReporter(_Reporter):
    """Streams one JSON object so that memory stays flat on huge NDJSON files.

    Shape: ``{"files": [{"source", "problems": [...], "documents", "valid",
    "invalid"}], "summary": {...}, "valid": bool}``; only documents with
    problems are listed.
    """

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self.out = out
        self.first_file = True
        self.first_problem = True
        self.out.write(b'{"files":[')

    def start_file(self, path: Path) -> None:
        super().start_file(path)
        if not self.first_file:
            self.out.write(b",")
        self.first_file = False
        self.first_problem = True
        self.out.write(b'{"source":' + orjson.dumps(str(path)) + b',"problems":[')

    def document(self, report: Any) -> None:
        super().document(report)
        if report.valid:
            return
        if not self.first_problem:
            self.out.write(b",")
        self.first_problem = False
        self.out.write(orjson.dumps(report.to_json()))

    def end_file(self) -> None:
        counts = {
            "documents": self.file_documents,
            "valid": self.file_documents - self.file_invalid,
            "invalid": self.file_invalid,
        }
        self.out.write(b"]," + orjson.dumps(counts)[1:])

    def finish(self) -> None:
        summary = {
            "files": self.files,
            "documents": self.documents,
            "valid": self.documents - self.invalid,
            "invalid": self.invalid,
        }
        self.out.write(
            b'],"summary":'
            + orjson.dumps(summary)
            + b',"valid":'
            + (b"true" if self.all_valid else b"false")
            + b"}\n"
        )
        self.out.flush()


@click.command("schemas")
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
def list_schemas(output_format: str) -> None:
    """List the document schemas and versions this trdcore knows."""
    from trdcore.schemas import SchemaRef, available_schemas

    available = available_schemas()
    if output_format == "json":
        listing = {
            name: [{"version": v, "id": SchemaRef(name, v).uri} for v in versions]
            for name, versions in available.items()
        }
        click.echo(orjson.dumps(listing, option=orjson.OPT_INDENT_2).decode())
        return
    for name, versions in available.items():
        click.echo(f"{name:<20} {', '.join(versions)}")


@click.command("plugins")
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
def list_plugins(output_format: str) -> None:
    """List plugins: name, distribution and version, hooks, and whether each works.

    A broken plugin (failed to import, misspelled a hook, raised inside one)
    is listed with the reason; the rest keep working. See
    TRDCORE_STRICT_PLUGINS, TRDCORE_PLUGINS, TRDCORE_BLOCK_PLUGINS and
    TRDCORE_TRACE_PLUGINS in the plugin docs.
    """
    from trdcore.plugins import plugins

    infos = plugins()
    if output_format == "json":
        click.echo(orjson.dumps([info.to_json() for info in infos], option=orjson.OPT_INDENT_2))
        return
    for info in infos:
        origin = "built-in" if info.builtin else (info.distribution or "?")
        version = f" {info.version}" if info.version and not info.builtin else ""
        mark = (
            click.style("ok", fg="green")
            if info.status == "ok"
            else click.style("broken", fg="red")
        )
        click.echo(f"{info.name:<22} {mark:<6} {origin}{version}")
        if info.hooks:
            click.echo(f"    hooks: {', '.join(info.hooks)}")
        if info.reason:
            click.echo(f"    reason: {info.reason}")
        for note in info.warnings:
            click.echo(f"    warning: {note}")


def _options(values: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--option")
        options[key] = setting
    return options


_EXPORT_OUT = click.Option(
    ["--out", "out"],
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (created if missing).",
)
_EXPORT_LOCALE = click.Option(
    ["--locale"], default=None, help="Language of the content to export (BCP 47)."
)
_EXPORT_OPTION = click.Option(
    ["--option", "options"],
    multiple=True,
    metavar="KEY=VALUE",
    help="A free-form exporter setting; may be repeated.",
)
_EXPORT_FORCE = click.Option(
    ["--force"],
    is_flag=True,
    help="Export even when content rules find blocking problems (recorded in the manifest).",
)
_EXPORT_AS_OF = click.Option(
    ["--as-of", "as_of"],
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge content review freshness on this date (default: today).",
)


def _click_option(option: Any) -> click.Option:
    """The click option for an exporter's declared ExportOption."""
    flag = f"--{option.name}"
    dest = option.name.replace("-", "_")
    choice = click.Choice(list(option.choices)) if option.choices else None
    if option.kind == "flag":
        return click.Option([flag, dest], is_flag=True, default=False, help=option.help)
    return click.Option(
        [flag, dest],
        multiple=option.kind == "multiple",
        type=choice,
        default=option.default,
        metavar=option.metavar,
        help=option.help,
        show_default=option.default is not None,
    )


class ExportGroup(click.Group):
    """``trdcore export TARGET``: one subcommand per installed exporter.

    Each subcommand has the common options (--out, --locale, --option) plus
    the options its exporter declares, so ``trdcore export TARGET --help``
    documents them and a misspelt option is a usage error.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        from trdcore.plugins import exporters, plugin_manager

        return sorted(exporters(plugin_manager()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from trdcore.exporting import export_options
        from trdcore.plugins import exporters, plugin_manager

        manager = plugin_manager()
        exporter = exporters(manager).get(cmd_name)
        if exporter is None:
            return None
        declared = export_options(
            exporter, target=cmd_name, plugin=manager.owners.get(("exporter", cmd_name), "?")
        )

        def run(
            out: Path,
            locale: str | None,
            options: tuple[str, ...],
            force: bool,
            as_of: Any,
            **own: Any,
        ) -> None:
            settings: dict[str, Any] = dict(_options(options))
            for option in declared:
                value = own[option.name.replace("-", "_")]
                if option.kind == "multiple":
                    value = tuple(value)
                    if not value and option.default is None:
                        continue
                elif value is None:
                    continue
                settings[option.name] = value
            _export(cmd_name, out, locale, settings, force=force, as_of=as_of)

        params: list[click.Parameter] = [
            _EXPORT_OUT,
            _EXPORT_LOCALE,
            _EXPORT_OPTION,
            _EXPORT_FORCE,
            _EXPORT_AS_OF,
        ]
        params += [_click_option(option) for option in declared]
        return click.Command(
            cmd_name,
            callback=run,
            params=params,
            help=f"{exporter.description}\n\nWrites the files under --out and a manifest, "
            "trdcore-export.json, listing them with the exporter's metadata.",
            short_help=exporter.description,
        )

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            if name.startswith("-"):
                return super().resolve_command(ctx, args)
            raise click.UsageError(
                f"unknown exporter {name!r}; available: "
                + (", ".join(self.list_commands(ctx)) or "none installed"),
                ctx,
            )
        return name, command, args[1:]


@click.group("export", cls=ExportGroup, subcommand_metavar="TARGET [OPTIONS]")
def export() -> None:
    """Export the catalog with an exporter (see `trdcore plugins`).

    Run `trdcore export TARGET --help` for a target's own options.
    """


def _export(
    target: str,
    out: Path,
    locale: str | None,
    options: dict[str, Any],
    *,
    force: bool = False,
    as_of: Any = None,
) -> None:
    import datetime

    from trdcore.catalog import load_catalog
    from trdcore.exporting import run_export, write_export

    catalog = load_catalog()
    for problem in catalog.problems:
        click.echo(f"warning: content not exported: {problem}", err=True)
    day = as_of.date() if as_of else datetime.date.today()  # "today" is read only here
    result = run_export(
        target, catalog=catalog, options=options, locale=locale, force=force, as_of=day
    )
    if result.lint and result.lint.get("forced"):
        click.echo(
            f"warning: exported despite {result.lint['counts']['block']} blocking content "
            "finding(s) (--force); the manifest records them",
            err=True,
        )
    written = write_export(result, out, target=target)
    click.echo(f"{target}: wrote {len(written):,} file{'s' if len(written) != 1 else ''} to {out}")


@click.command("import")
@click.argument("source")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="NDJSON file to write (default: standard output).",
)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An importer-specific setting; may be repeated.",
)
def import_(source: str, path: Path, out: Path | None, options: tuple[str, ...]) -> None:
    """Read PATH with the importer SOURCE into treatment histories (NDJSON).

    Every history is validated; what the importer could not map is printed
    as a warning on standard error, never dropped silently.
    """
    from trdcore.exporting import run_import

    outcome = run_import(source, path, options=_options(options))
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    stream = out.open("wb") if out else sys.stdout.buffer
    try:
        for document in outcome.documents:
            stream.write(orjson.dumps(document) + b"\n")
    finally:
        if out:
            stream.close()
        else:
            stream.flush()
    if outcome.invalid:
        for problem in outcome.invalid:
            click.echo(f"invalid: {problem}", err=True)
        sys.exit(EXIT_INVALID)


def _catalog() -> Any:
    from trdcore.catalog import load_catalog

    catalog = load_catalog()
    for problem in catalog.problems:
        click.echo(f"warning: {problem}", err=True)
    return catalog


def _emit_json(data: object) -> None:
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def _verification_mark(verification: str) -> str:
    return "" if verification == "verified" else f" [{verification}]"


@click.group("definitions", invoke_without_command=True)
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
@click.pass_context
def definitions(context: click.Context, output_format: str) -> None:
    """List the TRD definitions in the catalog, with ids and versions.

    `trdcore definitions show ID[@VERSION]` explains one in words.
    """
    if context.invoked_subcommand is not None:
        return
    from trdcore.explain import summarise_definition

    entries = _catalog().items("trd-definition")
    if output_format == "json":
        _emit_json(
            [
                {
                    "id": e.id,
                    "version": e.version,
                    "title": e.model.title,
                    "status": e.model.status,
                    "summary": summarise_definition(e.model),
                    "sources": list(e.model.sources),
                }
                for e in entries
            ]
        )
        return
    for entry in entries:
        click.echo(f"{entry.ref:<36} {entry.model.title}")
        click.echo(f"{'':<36} {summarise_definition(entry.model)}")


@definitions.command("show")
@click.argument("reference", metavar="ID[@VERSION]")
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
def show_definition(reference: str, output_format: str) -> None:
    """Explain one definition's parameters in words, with their sources."""
    from trdcore.explain import explain_definition, source_titles

    catalog = _catalog()
    entry = catalog.get("trd-definition", reference)
    if entry is None:
        known = ", ".join(e.ref for e in catalog.items("trd-definition")) or "none"
        raise click.BadParameter(
            f"no definition {reference!r}; available: {known}", param_hint="ID"
        )
    explanations = explain_definition(entry.model)
    if output_format == "json":
        _emit_json(
            {
                "id": entry.id,
                "version": entry.version,
                "title": entry.model.title,
                "summary": entry.model.summary,
                "parameters": [item.to_json() for item in explanations],
                "sources": list(entry.model.sources),
            }
        )
        return
    click.secho(f"{entry.model.title} ({entry.ref})", bold=True)
    click.echo(entry.model.summary)
    click.echo()
    for item in explanations:
        click.echo(f"- {item.text}{_verification_mark(item.verification)}")
        if item.sources:
            click.echo(f"    sources: {', '.join(item.sources)}")
        if item.note:
            click.echo(f"    note: {item.note}")
    click.echo()
    click.echo("Sources:")
    for line in source_titles(catalog, entry.model.sources):
        click.echo(f"  {line}")


@click.command("drugs")
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
def drugs(output_format: str) -> None:
    """List the drugs in the catalog: classes, codes and minimum adequate doses."""
    entries = _catalog().items("drug")
    if output_format == "json":
        _emit_json([entry.model.to_json() | {"id": entry.id} for entry in entries])
        return
    for entry in entries:
        drug = entry.model
        classes = ", ".join(f"{c.taxonomy}:{c.code}" for c in drug.classes)
        codes = ", ".join(c.code for c in drug.codings or ())
        doses = ", ".join(
            f"{d.scheme} >={d.minimum_daily.value:g} {d.minimum_daily.unit}"
            f"{_verification_mark(d.verification)}"
            for d in drug.adequate_doses or ()
        )
        click.echo(f"{entry.ref:<30} {classes}")
        if codes or doses:
            click.echo(f"{'':<30} {'; '.join(part for part in (codes, doses) if part)}")


@click.command("treatments")
@click.option("--format", "output_format", type=_FORMATS, default="text", show_default=True)
def treatments(output_format: str) -> None:
    """List the treatment options in the catalog with their category and US status."""
    entries = _catalog().items("treatment")
    if output_format == "json":
        _emit_json([entry.model.to_json() | {"id": entry.id} for entry in entries])
        return
    for entry in entries:
        treatment = entry.model
        statuses = ", ".join(
            f"{r.region} {r.status}{_verification_mark(r.verification)}"
            for r in treatment.regulatory or ()
        )
        click.echo(f"{entry.ref:<36} {treatment.category:<18} {treatment.name}")
        if statuses:
            click.echo(f"{'':<36} {statuses}")


_MARKS = {True: "✓", False: "✗", None: "?"}


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--definition",
    "definitions_",
    multiple=True,
    metavar="ID[@VERSION]",
    help="A definition to apply; may be repeated. Default: all (as --all).",
)
@click.option("--all", "all_definitions", is_flag=True, help="Apply every active definition.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date to evaluate as of (ongoing trials run to it). Default: today.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "ndjson"]),
    default="text",
    show_default=True,
    help="text for people; json: a list of evaluation-result documents; ndjson: one "
    "evaluation-summary line per history (with --explain: one evaluation-result line per "
    "history and definition).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="With --format ndjson: write the full evaluation-result documents (criteria, "
    "thresholds, sources, missing data) instead of one summary line per history.",
)
@click.option(
    "--stages/--no-stages",
    default=None,
    help="Compute the staging models. Default: on, except for NDJSON summaries.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Default: every core for --format ndjson, else 1.",
)
def evaluate_command(
    path: Path,
    definitions_: tuple[str, ...],
    all_definitions: bool,
    as_of: Any,
    output_format: str,
    explain: bool,
    stages: bool | None,
    jobs: int | None,
) -> None:
    """Evaluate treatment histories (JSON, YAML or NDJSON) against TRD definitions.

    Prints, per history and definition, whether the definition is met, not
    met or indeterminate, and each trial's verdict with the reason, and the
    stages. NDJSON output streams in constant memory on every core, for
    files of any size. Exit code 1 if any history could not be evaluated
    (each is named on standard error; the others are still evaluated).
    """
    import datetime

    catalog = _catalog()
    active = [e.ref for e in catalog.items("trd-definition") if e.model.status == "active"]
    chosen: list[str] = []
    for reference in definitions_:
        entry = catalog.get("trd-definition", reference)
        if entry is None:
            raise click.BadParameter(
                f"no definition {reference!r}; available: {', '.join(active) or 'none'}",
                param_hint="--definition",
            )
        chosen.append(entry.ref)
    if all_definitions or not chosen:
        chosen = sorted(set(chosen) | set(active))
    if explain and output_format != "ndjson":
        raise click.BadParameter(
            "--explain applies to --format ndjson (text and json always explain)",
            param_hint="--explain",
        )
    day = as_of.date() if as_of is not None else datetime.date.today()
    if output_format == "ndjson":
        with_stages = bool(explain) if stages is None else stages
        failures = _evaluate_ndjson(path, tuple(chosen), day, jobs, explain, with_stages)
    else:
        failures = _evaluate_documents(path, tuple(chosen), day, jobs or 1, output_format)
    if failures:
        sys.exit(EXIT_INVALID)


def _evaluate_ndjson(
    path: Path,
    definitions: tuple[str, ...],
    day: Any,
    jobs: int | None,
    explain: bool,
    stages: bool,
) -> int:
    """Stream NDJSON evaluations to standard output; return how many histories failed."""
    from trdcore.batch import CHUNK, evaluate_to_ndjson
    from trdcore.documents import (
        _has_content,
        _no_lines,
        detect_format,
        read_documents,
        read_ndjson_blocks,
    )

    source = str(path)
    records: Iterable[tuple[str, Any]]
    if detect_format(path) == "ndjson":
        # Blocks of whole lines go to the workers unsplit: about 1 MB (some 1,800 histories)
        # for summaries; smaller when each history's output is much larger, so that the
        # blocks in flight stay small in memory.
        stream = path.open("rb")
        if not _has_content(stream):
            stream.close()
            click.echo(f"✗ {source}: the file is empty", err=True)
            return 1
        block_bytes = 1 << 16 if explain else 1 << 18 if stages else 1 << 20
        records = ((source, block) for block in read_ndjson_blocks(stream, block_bytes=block_bytes))
        chunk = 1
    else:
        stream = None
        records = (
            (document.source, document._replace(line_of=_no_lines))
            for document in read_documents(path)
        )
        chunk = CHUNK
    parts = evaluate_to_ndjson(
        records,
        definitions,
        as_of=day,
        jobs=jobs,
        explain=explain,
        stages=stages,
        chunk_size=chunk,
    )
    if sys.stderr.isatty():
        parts = _with_progress(parts, lambda part: part.histories)
    failures = 0
    out = sys.stdout.buffer
    try:
        for part in parts:
            out.write(part.output)
            for where, problem in part.problems:
                failures += 1
                click.echo(f"✗ {where}: {problem}", err=True)
        out.flush()
    finally:
        if stream is not None:
            stream.close()
    return failures


def _evaluate_documents(
    path: Path, definitions: tuple[str, ...], day: Any, jobs: int, output_format: str
) -> int:
    """Print explained evaluations as text or one JSON list; return how many histories failed."""
    from trdcore.batch import evaluate_documents
    from trdcore.documents import read_documents

    failures = 0
    collected: list[dict[str, Any]] = []
    for outcome in evaluate_documents(read_documents(path), definitions, as_of=day, jobs=jobs):
        if outcome.problem is not None:
            failures += 1
            where = f"{outcome.source}:{outcome.line}" if outcome.line else outcome.source
            click.echo(f"✗ {where}: {outcome.problem}", err=True)
            continue
        if output_format == "json":
            collected.extend(outcome.results)
        else:
            _print_outcome(outcome)
    if output_format == "json":
        click.echo(orjson.dumps(collected, option=orjson.OPT_INDENT_2).decode())
    return failures


def _with_progress(parts: Any, histories: Any) -> Any:
    """Count histories on standard error while NDJSON goes to standard output."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed:,} histories"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("evaluating")
        for part in parts:
            yield part
            progress.advance(task, histories(part))


def _print_outcome(outcome: Any) -> None:
    title = outcome.history_id or f"{outcome.source}" + (f":{outcome.line}" if outcome.line else "")
    click.secho(f"History {title}", bold=True)
    labels = {
        "met": ("MET", "green"),
        "not_met": ("NOT MET", "red"),
        "indeterminate": ("INDETERMINATE", "yellow"),
    }
    for number, result in enumerate(outcome.results, start=1):
        label, colour = labels[result["status"]]
        click.echo(
            f"  {number} {result['definition']:<34} "
            + click.style(label, fg=colour, bold=True)
            + f"  {result.get('explanation', '')}"
        )
    if outcome.results:
        columns = " ".join(str(number) for number in range(1, len(outcome.results) + 1))
        click.echo(f"  {'Trials (✓ counts, ✗ does not, ? cannot tell)':<46} {columns}")
        if not outcome.results[0]["trials"]:
            click.echo("    (none recorded)")
        for index, trial in enumerate(outcome.results[0]["trials"]):
            name = trial.get("drug_input") or trial["kind"]
            judged = [result["trials"][index] for result in outcome.results]
            marks = " ".join(_MARKS[item["counted"]] for item in judged)
            click.echo(f"    {trial['pointer']:<13} {name[:30]:<30} {marks}")
            reasons: dict[str, list[str]] = {}
            for number, item in enumerate(judged, start=1):
                reasons.setdefault(item["reason"], []).append(str(number))
            for reason, numbers in reasons.items():
                which = "" if len(reasons) == 1 else f"({', '.join(numbers)}) "
                click.echo(f"        {which}{reason}")
        for missing in outcome.results[0]["missing"]:
            click.echo(f"    missing: {missing['pointer']} {missing['what']}")
        warnings = {
            (w["code"], w.get("pointer"), w["message"])
            for r in outcome.results
            for w in r["warnings"]
        }
        for _, pointer, message in sorted(warnings, key=str):
            click.echo(f"    warning: {pointer or ''} {message}")
    for sentence in outcome.differences:
        click.echo(f"  - {sentence}")
    if outcome.results and outcome.results[0].get("stages"):
        click.echo("  Stages:")
        for staged in outcome.results[0]["stages"]:
            if staged["status"] == "staged":
                label = staged.get("stage")
                parts = [f"stage {label}" if label and len(label) <= 4 else label] if label else []
                if "score" in staged:
                    parts.append(f"score {staged['score']:g}")
                click.echo(f"    {staged['model']:<28} {', '.join(parts)}")
            else:
                missing = "; ".join(staged.get("missing", ())) or "missing data"
                click.echo(f"    {staged['model']:<28} indeterminate: {missing}")
    click.echo()


def build_cli(*, load_entry_points: bool = True) -> click.Group:
    """The root group with every plugin's commands added, built-in ones included."""
    from trdcore.plugins import get_plugin_manager, plugin_manager, register_commands

    manager = plugin_manager() if load_entry_points else get_plugin_manager(load_entry_points=False)
    group = new_root_group()
    register_commands(group, manager)
    return group


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and turn every failure into a clear exit code."""
    try:
        build_cli().main(args=argv, prog_name="trdcore", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE if isinstance(error, click.UsageError) else EXIT_INVALID)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except (UnknownSchemaError, UnknownTargetError) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except TrdcoreError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except BrokenPipeError:
        # The reader went away (``| head``); not an error of ours.
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("TRDCORE_DEBUG"):
            raise
        click.echo(
            f"Internal error in trdcore: {type(error).__name__}: {error}\n"
            "This is a bug; please report it. Set TRDCORE_DEBUG=1 to see the traceback.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
