"""``trdcore plugins``: list the installed plugins and whether each works."""

from __future__ import annotations

import click
import orjson

from trdcore.cli.options import format_option

__all__ = ["list_plugins"]


@click.command("plugins")
@format_option()
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
