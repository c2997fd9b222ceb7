"""``trdcore definitions`` and ``trdcore definitions show``: the TRD definitions in the catalog."""

from __future__ import annotations

import click

from trdcore.cli.inputs import load_catalog_with_warnings
from trdcore.cli.options import format_option
from trdcore.cli.output import emit_json, verification_mark

__all__ = ["definitions", "show_definition"]


@click.group("definitions", invoke_without_command=True)
@format_option()
@click.pass_context
def definitions(context: click.Context, output_format: str) -> None:
    """List the TRD definitions in the catalog, with ids and versions.

    `trdcore definitions show ID[@VERSION]` explains one in words.
    """
    if context.invoked_subcommand is not None:
        return
    from trdcore.explain import summarise_definition

    entries = load_catalog_with_warnings().items("trd-definition")
    if output_format == "json":
        emit_json(
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
@format_option()
def show_definition(reference: str, output_format: str) -> None:
    """Explain one definition's parameters in words, with their sources."""
    from trdcore.explain import explain_definition, source_titles

    catalog = load_catalog_with_warnings()
    entry = catalog.get("trd-definition", reference)
    if entry is None:
        known = ", ".join(e.ref for e in catalog.items("trd-definition")) or "none"
        raise click.BadParameter(
            f"no definition {reference!r}; available: {known}", param_hint="ID"
        )
    explanations = explain_definition(entry.model)
    if output_format == "json":
        emit_json(
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
        click.echo(f"- {item.text}{verification_mark(item.verification)}")
        if item.sources:
            click.echo(f"    sources: {', '.join(item.sources)}")
        if item.note:
            click.echo(f"    note: {item.note}")
    click.echo()
    click.echo("Sources:")
    for line in source_titles(catalog, entry.model.sources):
        click.echo(f"  {line}")
