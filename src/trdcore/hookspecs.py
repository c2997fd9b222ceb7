"""The hooks a trdcore plugin can implement.

Every hook is called with keyword arguments only; an implementation may
accept fewer parameters than the spec lists, never more, and never with
defaults (pluggy does not pass them; trdcore warns). Each ``register``
callback checks what it is given at once and refuses a name another plugin
already took, naming both plugins.

Plugin authors import the markers from the package root::

    from trdcore import hookimpl

    @hookimpl
    def trdcore_register_exporters(register):
        register(MyExporter())
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from trdcore.extensions import ContentRule, Exporter, Importer

__all__ = [
    "hookimpl",
    "hookspec",
    "trdcore_register_commands",
    "trdcore_register_content",
    "trdcore_register_exporters",
    "trdcore_register_importers",
    "trdcore_register_rules",
]

PROJECT = "trdcore"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Contribute exporters: targets for ``trdcore export TARGET``.

    :param register: call it once per :class:`trdcore.extensions.Exporter`.
        Raises :class:`trdcore.exceptions.PluginError` when the object is not
        an exporter or its name is taken.
    """


@hookspec
def trdcore_register_importers(register: Callable[[Importer], None]) -> None:
    """Contribute importers: sources for ``trdcore import SOURCE PATH``.

    :param register: call it once per :class:`trdcore.extensions.Importer`.
        Raises :class:`trdcore.exceptions.PluginError` when the object is not
        an importer or its name is taken.
    """


@hookspec
def trdcore_register_content(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Contribute catalog content: definitions, drugs, staging models, treatments,
    sources and content modules (translations are content modules with
    ``translation_of``).

    :param register: call it once per document, a mapping whose ``schema``
        field names its schema (for example ``"trd-definition@1.0.0"``). The
        document is validated when the catalog loads; an invalid one, or a
        second document with the same ``id@version``, is reported against the
        plugin that registered it.
    """


@hookspec
def trdcore_register_rules(register: Callable[[ContentRule], None]) -> None:
    """Contribute content rules, the checks ``trdcore lint`` runs over content.

    :param register: call it once per :class:`trdcore.extensions.ContentRule`.
        Raises :class:`trdcore.exceptions.PluginError` when the object is not
        a rule or its id is taken.
    """


@hookspec
def trdcore_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``trdcore`` command line.

    :param cli: the root :class:`click.Group`; add commands with
        ``@cli.command()`` or ``cli.add_command(...)``. A command whose name
        is already taken is refused and the plugin reported.
    """
