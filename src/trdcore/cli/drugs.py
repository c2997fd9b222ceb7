"""``trdcore drugs``: the drugs in the catalog."""

from __future__ import annotations

import click

from trdcore.cli.inputs import load_catalog_with_warnings
from trdcore.cli.options import format_option
from trdcore.cli.output import emit_json, verification_mark

__all__ = ["drugs"]


@click.command("drugs")
@format_option()
def drugs(output_format: str) -> None:
    """List the drugs in the catalog: classes, codes and minimum adequate doses."""
    entries = load_catalog_with_warnings().items("drug")
    if output_format == "json":
        emit_json([entry.model.to_json() | {"id": entry.id} for entry in entries])
        return
    for entry in entries:
        drug = entry.model
        classes = ", ".join(f"{c.taxonomy}:{c.code}" for c in drug.classes)
        codes = ", ".join(c.code for c in drug.codings or ())
        doses = ", ".join(
            f"{d.scheme} >={d.minimum_daily.value:g} {d.minimum_daily.unit}"
            f"{verification_mark(d.verification)}"
            for d in drug.adequate_doses or ()
        )
        click.echo(f"{entry.ref:<30} {classes}")
        if codes or doses:
            click.echo(f"{'':<30} {'; '.join(part for part in (codes, doses) if part)}")
