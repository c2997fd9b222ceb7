"""The built-in subcommands of ``trdcore``, added through ``trdcore_register_commands``."""

from __future__ import annotations

from typing import Any

from trdcore.hookspecs import hookimpl


@hookimpl
def trdcore_register_commands(cli: Any) -> None:
    from trdcore import cli as commands
    from trdcore.default_plugins.lint_command import lint_command

    for command in (
        commands.validate,
        commands.list_schemas,
        commands.list_plugins,
        commands.export,
        commands.import_,
        commands.definitions,
        commands.drugs,
        commands.treatments,
        commands.evaluate_command,
        lint_command,
    ):
        cli.add_command(command)
