"""``trdcore export TARGET``: one subcommand per installed exporter, with its own options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from trdcore.cli.options import (
    PluginGroup,
    as_of_parameter,
    click_option,
    declared_settings,
    key_value_settings,
)

__all__ = ["ExportGroup", "export"]

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
_EXPORT_AS_OF = as_of_parameter("Judge content review freshness on this date (default: today).")


class ExportGroup(PluginGroup):
    """``trdcore export TARGET``: one subcommand per installed exporter.

    Each subcommand has the common options (--out, --locale, --option) plus
    the options its exporter declares, so ``trdcore export TARGET --help``
    documents them and a misspelt option is a usage error.
    """

    kind = "exporter"

    def list_commands(self, ctx: click.Context) -> list[str]:
        from trdcore.plugins import exporters, plugin_manager

        return sorted(exporters(plugin_manager()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from trdcore.exporting import declared_options
        from trdcore.plugins import exporters, plugin_manager

        manager = plugin_manager()
        exporter = exporters(manager).get(cmd_name)
        if exporter is None:
            return None
        declared = declared_options(
            exporter,
            kind="exporter",
            name=cmd_name,
            plugin=manager.owners.get(("exporter", cmd_name), "?"),
        )

        def run(
            out: Path,
            locale: str | None,
            options: tuple[str, ...],
            force: bool,
            as_of: Any,
            **own: Any,
        ) -> None:
            settings = dict(key_value_settings(options)) | declared_settings(declared, own)
            _export(cmd_name, out, locale, settings, force=force, as_of=as_of)

        params: list[click.Parameter] = [
            _EXPORT_OUT,
            _EXPORT_LOCALE,
            _EXPORT_OPTION,
            _EXPORT_FORCE,
            _EXPORT_AS_OF,
        ]
        params += [click_option(option) for option in declared]
        return click.Command(
            cmd_name,
            callback=run,
            params=params,
            help=f"{exporter.description}\n\nWrites the files under --out and a manifest, "
            "trdcore-export.json, listing them with the exporter's metadata.",
            short_help=exporter.description,
        )


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

    from trdcore.app import load_catalog
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
