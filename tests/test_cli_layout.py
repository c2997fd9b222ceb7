"""The command line's layout: a newcomer finds each command in the module named after it."""

from __future__ import annotations

import ast
from pathlib import Path

import click

import trdcore.cli
from trdcore.default_plugins.commands import trdcore_register_commands

CLI_PACKAGE = Path(trdcore.cli.__file__).parent


def test_every_built_in_command_is_defined_in_the_module_named_after_it() -> None:
    group = click.Group()
    trdcore_register_commands(group)
    assert group.commands
    for name, command in group.commands.items():
        module = "import_" if name == "import" else name  # `import` is a keyword
        assert command.callback is not None
        assert command.callback.__module__ == f"trdcore.cli.{module}", name


def test_no_cli_module_is_over_300_lines() -> None:
    for path in CLI_PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name


def test_cli_modules_import_no_private_names_from_other_modules() -> None:
    for path in CLI_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("trdcore"):
                private = [
                    alias.name
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.endswith("__")
                ]
                assert not private, f"{path.name} imports {private} from {node.module}"
