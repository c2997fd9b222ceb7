"""The built-in subcommands of ``trdcore``, added through ``trdcore_register_commands``.

Each command lives in the :mod:`trdcore.cli` module named after it; this
plugin only registers them, by the same hook a third-party plugin uses.
"""

from __future__ import annotations

from typing import Any

from trdcore.hookspecs import hookimpl


@hookimpl
def trdcore_register_commands(cli: Any) -> None:
    # Imported here, not at the top, so that loading the plugins for library use
    # does not import the command line.
    from trdcore.cli.definitions import definitions
    from trdcore.cli.drugs import drugs
    from trdcore.cli.evaluate import evaluate_command
    from trdcore.cli.export import export
    from trdcore.cli.import_ import import_
    from trdcore.cli.lint import lint_command
    from trdcore.cli.plugins import list_plugins
    from trdcore.cli.schemas import list_schemas
    from trdcore.cli.treatments import treatments
    from trdcore.cli.validate import validate

    for command in (
        validate,
        list_schemas,
        list_plugins,
        export,
        import_,
        definitions,
        drugs,
        treatments,
        evaluate_command,
        lint_command,
    ):
        cli.add_command(command)
