"""Accessible patient handouts from the trdcore catalog: tagged PDF/UA-1 and printable HTML.

A trdcore plugin with two exporters::

    trdcore export handout-pdf --out handouts [--large-print] [--audience patient|clinician]
                                [--treatment ID]...
    trdcore export handout-html --out handouts-html (same options)

Each run prints a handout on treatment-resistant depression and the
treatment options, one handout per treatment (all active ones, or those
named with ``--treatment``) and a sheet of questions to ask a psychiatrist.
See ``docs/plugins/print.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from trdcore import hookimpl

if TYPE_CHECKING:
    from trdcore.extensions import Exporter
    from trdcore_print.exporters import OPTIONS, HandoutHtmlExporter, HandoutPdfExporter

__all__ = [
    "OPTIONS",
    "HandoutHtmlExporter",
    "HandoutPdfExporter",
    "trdcore_register_exporters",
]

# Imported on first use, so that loading the plugin (which every trdcore command does) costs
# nothing until a handout is asked for.
_LAZY = frozenset({"OPTIONS", "HandoutHtmlExporter", "HandoutPdfExporter"})


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'trdcore_print' has no attribute {name!r}")
    value = getattr(import_module("trdcore_print.exporters"), name)
    globals()[name] = value
    return value


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    from trdcore_print.exporters import HandoutHtmlExporter, HandoutPdfExporter

    register(HandoutPdfExporter())
    register(HandoutHtmlExporter())
