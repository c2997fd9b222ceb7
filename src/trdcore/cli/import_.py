"""``trdcore import SOURCE LOCATION``: read other formats into treatment histories (NDJSON).

One subcommand per installed importer, with the options it declares, as ``trdcore
export`` has one per exporter. The module is named ``import_`` because ``import`` is a
Python keyword.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from trdcore.cli.exit_codes import EXIT_INVALID
from trdcore.cli.options import PluginGroup, click_option, declared_settings, key_value_settings

__all__ = ["ImportGroup", "import_"]

_IMPORT_OUT = click.Option(
    ["--out", "out"],
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="NDJSON file to write (default: standard output).",
)
_IMPORT_OPTION = click.Option(
    ["--option", "options"],
    multiple=True,
    metavar="KEY=VALUE",
    help="A free-form importer setting; may be repeated.",
)


class ImportGroup(PluginGroup):
    """``trdcore import SOURCE``: one subcommand per installed importer.

    Each has the common options (--out, --option) and those its importer declares. Its
    argument is a file, or for an importer that accepts URLs (a database) a file or URL.
    """

    kind = "importer"

    def list_commands(self, ctx: click.Context) -> list[str]:
        from trdcore.plugins import importers, plugin_manager

        return sorted(importers(plugin_manager()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from trdcore.exporting import declared_options
        from trdcore.plugins import importers, plugin_manager

        manager = plugin_manager()
        importer = importers(manager).get(cmd_name)
        if importer is None:
            return None
        declared = declared_options(
            importer,
            kind="importer",
            name=cmd_name,
            plugin=manager.owners.get(("importer", cmd_name), "?"),
        )
        urls = getattr(importer, "accepts_urls", False) is True
        location = click.Argument(
            ["location"],
            metavar="LOCATION" if urls else "PATH",
            type=str if urls else click.Path(exists=True, dir_okay=False, path_type=Path),
        )

        def run(
            location: str | Path, out: Path | None, options: tuple[str, ...], **own: Any
        ) -> None:
            settings = dict(key_value_settings(options)) | declared_settings(declared, own)
            _import(cmd_name, location, out, settings)

        what = "a file or database URL" if urls else "a file"
        return click.Command(
            cmd_name,
            callback=run,
            params=[location, _IMPORT_OUT, _IMPORT_OPTION]
            + [click_option(option) for option in declared],
            help=f"{importer.description}\n\nReads {what} and writes one document per line "
            "(NDJSON), each checked against its schema; warnings go to standard error.",
            short_help=importer.description,
        )


@click.group("import", cls=ImportGroup, subcommand_metavar="SOURCE LOCATION [OPTIONS]")
def import_() -> None:
    """Read other formats into treatment histories with an importer (see `trdcore plugins`).

    Every document is validated; what the importer could not map is printed as a
    warning on standard error, never dropped silently. Run `trdcore import SOURCE
    --help` for an importer's own options.
    """


def _import(source: str, location: str | Path, out: Path | None, settings: dict[str, Any]) -> None:
    import gc

    from trdcore.exporting import stream_import

    # An import builds many small containers and frees few of them until the end, so the
    # cyclic collector would only rescan a growing heap (half the time on 10,000 FHIR
    # Bundles). This command's own process pauses it; library code never touches it.
    gc.disable()
    stream = out.open("wb", buffering=1 << 20) if out else sys.stdout.buffer
    try:
        imported = stream_import(source, location, options=settings)
        for document in imported:
            stream.write(orjson.dumps(document) + b"\n")
    finally:
        gc.enable()
        if out:
            stream.close()
        else:
            stream.flush()
    for warning in imported.warnings:
        click.echo(f"warning: {warning}", err=True)
    if imported.invalid:
        for problem in imported.invalid:
            click.echo(f"invalid: {problem}", err=True)
        sys.exit(EXIT_INVALID)
