"""``trdcore treatments``: the treatment options in the catalog."""

from __future__ import annotations

import click

from trdcore.cli.inputs import load_catalog_with_warnings
from trdcore.cli.options import format_option
from trdcore.cli.output import emit_json, verification_mark

__all__ = ["treatments"]


@click.command("treatments")
@format_option()
def treatments(output_format: str) -> None:
    """List the treatment options in the catalog with their category and US status."""
    entries = load_catalog_with_warnings().items("treatment")
    if output_format == "json":
        emit_json([entry.model.to_json() | {"id": entry.id} for entry in entries])
        return
    for entry in entries:
        treatment = entry.model
        statuses = ", ".join(
            f"{r.region} {r.status}{verification_mark(r.verification)}"
            for r in treatment.regulatory or ()
        )
        click.echo(f"{entry.ref:<36} {treatment.category:<18} {treatment.name}")
        if statuses:
            click.echo(f"{'':<36} {statuses}")
