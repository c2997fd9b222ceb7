"""``trdcore validate``: check documents against trdcore's schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trdcore.cli.exit_codes import EXIT_INVALID, EXIT_OK
from trdcore.cli.inputs import expand_paths
from trdcore.cli.options import format_option
from trdcore.cli.output import JsonReporter, Reporter, TextReporter
from trdcore.exceptions import UnknownSchemaError

__all__ = ["validate"]


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
@format_option(help="Report format.")
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
    files = list(expand_paths(paths))
    if not files:
        raise click.UsageError(
            "no .json, .yaml, .yml, .ndjson or .jsonl files found in " + ", ".join(map(str, paths))
        )
    reporter: Reporter = (
        JsonReporter(sys.stdout.buffer) if output_format == "json" else TextReporter(quiet)
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
