"""Render the ``trdcore`` click command tree as Markdown.

The help text comes from click itself, so the page shows exactly what
``trdcore <command> --help`` prints and cannot drift from the code. The
caller passes the root group (``trdcore.cli.build_cli(load_entry_points=False)``,
whose commands, built-in ones included, are added by plugins); the walk asks
each group for its commands rather than reading a fixed list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # click comes with trdcore; the docs build must load without either
    import click

__all__ = ["render_cli_reference"]

# Fixed widths so the page does not change with the terminal that builds it.
_WIDTH = 88


def render_cli_reference(command: click.Command, name: str = "trdcore") -> str:
    """One heading and one fenced help block per command, depth first."""
    sections = []
    for path, context in _walk(command, name, None):
        help_text = context.command.get_help(context)
        sections.append(f"## {path}\n\n```text\n{help_text}\n```\n")
    return "\n".join(sections)


def _walk(
    command: click.Command, name: str, parent: click.Context | None
) -> Iterator[tuple[str, click.Context]]:
    import click

    # The command's own context_settings (such as -h for help) shape its help text.
    settings = {**command.context_settings, "terminal_width": _WIDTH, "max_content_width": _WIDTH}
    context = click.Context(command, info_name=name, parent=parent, **settings)
    yield context.command_path, context
    if isinstance(command, click.Group):
        # list_commands/get_command also see lazily loaded and plugin commands.
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, sub_name, context)
