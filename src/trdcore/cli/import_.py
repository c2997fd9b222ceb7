"""``trdcore import SOURCE PATH``: read other formats into treatment histories (NDJSON).

The module is named ``import_`` because ``import`` is a Python keyword.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from trdcore.cli.exit_codes import EXIT_INVALID
from trdcore.cli.options import key_value_settings

__all__ = ["import_"]


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
    import gc

    from trdcore.exporting import run_import

    # An import builds many small containers and frees none of them until the end, so the
    # cyclic collector would only rescan a growing heap (half the time on 10,000 FHIR
    # Bundles). This command's own process pauses it; library code never touches it.
    gc.disable()
    try:
        outcome = run_import(source, path, options=key_value_settings(options))
    finally:
        gc.enable()
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
