"""The ``trdcore`` command line: thin click commands over the library API.

Exit codes are a contract: 0 when everything is valid, 1 when any data is
invalid or unreadable, 2 for usage errors (unknown option, schema or
version, missing file). A failure inside trdcore itself prints one line
naming the problem (and the traceback only with ``TRDCORE_DEBUG=1``) and
exits 3; a bare traceback is never the interface.

Where things are: this module holds the root group and :func:`main`; each
built-in command has a module named after it (``trdcore.cli.validate``,
``trdcore.cli.evaluate`` ...); options shared by several commands are in
:mod:`trdcore.cli.options`, printing helpers in :mod:`trdcore.cli.output`,
reading paths and the catalog in :mod:`trdcore.cli.inputs` and the exit codes
in :mod:`trdcore.cli.exit_codes`. No command is added here: the built-in ones
are registered by :mod:`trdcore.default_plugins.commands` through
``trdcore_register_commands``, the same hook a third-party plugin uses.
"""

from __future__ import annotations

import os
import sys

import click

from trdcore.cli.exit_codes import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from trdcore.exceptions import TrdcoreError, UnknownSchemaError, UnknownTargetError, UsageError
from trdcore.release import VERSION as __version__

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_cli",
    "main",
    "new_root_group",
]


def new_root_group() -> click.Group:
    """An empty ``trdcore`` group; commands, built-in ones included, come from plugins."""

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="trdcore")
    def cli() -> None:
        """trdcore: treatment-resistant depression made computable and publishable.

        Validate treatment histories and catalog documents against trdcore's
        versioned JSON Schemas, and export or import through plugins.
        Exit codes: 0 ok, 1 invalid data, 2 usage error, 3 internal error.
        """

    return cli


def build_cli(*, load_entry_points: bool = True) -> click.Group:
    """The root group with every plugin's commands added, built-in ones included."""
    from trdcore.plugins import get_plugin_manager, plugin_manager, register_commands

    manager = plugin_manager() if load_entry_points else get_plugin_manager(load_entry_points=False)
    group = new_root_group()
    register_commands(group, manager)
    return group


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and turn every failure into a clear exit code."""
    try:
        build_cli().main(args=argv, prog_name="trdcore", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE if isinstance(error, click.UsageError) else EXIT_INVALID)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except (UnknownSchemaError, UnknownTargetError, UsageError) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except TrdcoreError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except BrokenPipeError:
        # The reader went away (``| head``); not an error of ours.
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("TRDCORE_DEBUG"):
            raise
        click.echo(
            f"Internal error in trdcore: {type(error).__name__}: {error}\n"
            "This is a bug; please report it. Set TRDCORE_DEBUG=1 to see the traceback.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
