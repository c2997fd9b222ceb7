"""Options that several commands share: ``--format``, ``--as-of``, ``--jobs``, ``--option``.

Each is declared once here so that the same option reads and behaves the
same on every command; a command passes only its own help text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

__all__ = [
    "DATE",
    "PluginGroup",
    "as_of_option",
    "as_of_parameter",
    "click_option",
    "declared_settings",
    "format_option",
    "jobs_option",
    "key_value_settings",
]

Decorated = TypeVar("Decorated", bound=Callable[..., Any])

DATE = click.DateTime(formats=["%Y-%m-%d"])
"""A calendar day on the command line, YYYY-MM-DD (click gives a datetime at midnight)."""

_AS_OF = ("--as-of", "as_of")


def format_option(
    choices: tuple[str, ...] = ("text", "json"), *, help: str | None = None
) -> Callable[[Decorated], Decorated]:
    """``--format``, passed to the command as ``output_format``; ``text`` is the default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
        help=help,
    )


def as_of_option(
    help: str, *, metavar: str | None = "YYYY-MM-DD"
) -> Callable[[Decorated], Decorated]:
    """``--as-of``, passed as ``as_of``: a datetime, or None when the command should read today."""
    return click.option(*_AS_OF, type=DATE, default=None, metavar=metavar, help=help)


def as_of_parameter(help: str, *, metavar: str | None = "YYYY-MM-DD") -> click.Option:
    """The ``--as-of`` option as an object, for commands built at run time (``trdcore export``)."""
    return click.Option(list(_AS_OF), type=DATE, default=None, metavar=metavar, help=help)


def jobs_option(help: str) -> Callable[[Decorated], Decorated]:
    """``--jobs N``, passed as ``jobs``: worker processes, at least 1, or None for the default."""
    return click.option("--jobs", type=click.IntRange(min=1), default=None, help=help)


def key_value_settings(values: tuple[str, ...]) -> dict[str, str]:
    """The settings given as repeated ``--option KEY=VALUE``; a value without ``=`` is refused."""
    options = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--option")
        options[key] = setting
    return options


def click_option(option: Any) -> click.Option:
    """The click option for a plugin's declared :class:`~trdcore.extensions.PluginOption`."""
    flag = f"--{option.name}"
    dest = option.name.replace("-", "_")
    choice = click.Choice(list(option.choices)) if option.choices else None
    if option.kind == "flag":
        return click.Option([flag, dest], is_flag=True, default=False, help=option.help)
    return click.Option(
        [flag, dest],
        multiple=option.kind == "multiple",
        type=choice,
        default=option.default,
        metavar=option.metavar,
        help=option.help,
        show_default=option.default is not None,
    )


def declared_settings(declared: Sequence[Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a plugin's declared options as click parsed them, by option name.

    An option left out (no value, no default) is absent, so the plugin sees only
    what the user or the declaration set.
    """
    settings: dict[str, Any] = {}
    for option in declared:
        value = given[option.name.replace("-", "_")]
        if option.kind == "multiple":
            value = tuple(value)
            if not value and option.default is None:
                continue
        elif value is None:
            continue
        settings[option.name] = value
    return settings


class PluginGroup(click.Group):
    """A group whose subcommands are plugins' exporters or importers, made at run time.

    Subclasses say what a subcommand is (``kind``, "exporter" or "importer") and build it in
    ``get_command``; an unknown name is a usage error that lists what is installed.
    """

    kind = "plugin"

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            if name.startswith("-"):
                return super().resolve_command(ctx, args)
            raise click.UsageError(
                f"unknown {self.kind} {name!r}; available: "
                + (", ".join(self.list_commands(ctx)) or "none installed"),
                ctx,
            )
        return name, command, args[1:]
