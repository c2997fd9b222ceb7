"""``trdcore schemas``: list the document schemas and their versions."""

from __future__ import annotations

import click

from trdcore.cli.options import format_option
from trdcore.cli.output import emit_json

__all__ = ["list_schemas"]


@click.command("schemas")
@format_option()
def list_schemas(output_format: str) -> None:
    """List the document schemas and versions this trdcore knows."""
    from trdcore.schemas import SchemaRef, available_schemas

    available = available_schemas()
    if output_format == "json":
        listing = {
            name: [{"version": v, "id": SchemaRef(name, v).uri} for v in versions]
            for name, versions in available.items()
        }
        emit_json(listing)
        return
    for name, versions in available.items():
        click.echo(f"{name:<20} {', '.join(versions)}")
