"""{{ cookiecutter.description }}

A trdcore plugin. It adds the exporter ``{{ cookiecutter.plugin_name }}-text``::

    trdcore export {{ cookiecutter.plugin_name }}-text --out build/{{ cookiecutter.plugin_name }}
"""

from __future__ import annotations

from collections.abc import Callable

from trdcore import hookimpl
from trdcore.extensions import ExportContext, Exporter, ExportResult

__all__ = ["CatalogTextExporter", "trdcore_register_exporters"]

#: The whole of ``catalog.txt`` when there is nothing to list.
EMPTY_CATALOG = "The catalog is empty."


class CatalogTextExporter:
    """Writes ``catalog.txt``: one line ``KIND ID@VERSION`` per catalog entry.

    Lines are sorted, so the file depends only on what the catalog holds,
    not on the order in which plugins contributed it.
    """

    name = "{{ cookiecutter.plugin_name }}-text"
    description = "The catalog as a plain-text list, one entry a line (catalog.txt)"

    def export(self, context: ExportContext) -> ExportResult:
        lines = sorted(
            f"{entry.kind} {entry.id}@{entry.version}" for entry in context.catalog.entries
        )
        text = "\n".join(lines or [EMPTY_CATALOG]) + "\n"
        return ExportResult(files={"catalog.txt": text}, metadata={"entries": len(lines)})


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(CatalogTextExporter())
