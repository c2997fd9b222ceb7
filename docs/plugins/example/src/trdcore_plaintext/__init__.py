"""trdcore-plaintext: the trdcore catalog as one plain-text file.

The plugin built step by step in the trdcore tutorial (docs/plugins/tutorial.md).
It implements two hooks: ``trdcore_register_exporters`` adds the export
target ``plain-text``, and ``trdcore_register_content`` adds one citation to
the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trdcore import hookimpl
from trdcore.exceptions import ExportError
from trdcore.extensions import ExportContext, Exporter, ExportResult

#: The catalog kinds in the order they are listed: heading, and the field that names an entry.
SECTIONS = {
    "trd-definition": ("Definitions", "title"),
    "staging-model": ("Staging models", "title"),
    "drug": ("Drugs", "name"),
    "treatment": ("Treatments", "name"),
    "content-module": ("Content modules", "title"),
    "source": ("Sources", "title"),
}

#: A review of how TRD has been defined, as a ``source@1.0.0`` document.
DEFINING_TRD_REVIEW = {
    "schema": "source@1.0.0",
    "id": "gaynes-2020-defining-trd",
    "version": "1.0.0",
    "title": "Defining treatment-resistant depression",
    "authors": [
        "Gaynes BN",
        "Lux L",
        "Gartlehner G",
        "Asher G",
        "Forman-Hoffman V",
        "Green J",
        "Boland E",
        "Weber RP",
        "Randolph C",
        "Bann C",
        "Coker-Schwimmer E",
        "Viswanathan M",
        "Lohr KN",
    ],
    "container": "Depression and Anxiety",
    "year": 2020,
    "kind": "review",
    "reliability": "secondary",
    "doi": "10.1002/da.22968",
    "pmid": "31638723",
    "url": "https://doi.org/10.1002/da.22968",
    "note": (
        "Volume 37, issue 2, pages 134-145. Found no consensus definition of TRD; the most "
        "common one for major depressive disorder required at least two prior treatment "
        "failures with adequate dose and duration confirmed."
    ),
}


class PlainTextExporter:
    """Writes ``catalog.txt``: every catalog entry, grouped by kind, one line each.

    Option ``kinds``: a comma-separated list of kinds to include (default: all).
    """

    name = "plain-text"
    description = "The catalog as one plain-text file, one line per entry"

    def export(self, context: ExportContext) -> ExportResult:
        kinds = _kinds(context.options.get("kinds"))
        lines = ["trdcore catalog", "==============="]
        listed = 0
        for kind in kinds:
            heading, label = SECTIONS[kind]
            entries = sorted(context.catalog.items(kind), key=lambda entry: entry.ref)
            if not entries:
                continue
            lines += ["", f"{heading} ({len(entries)})"]
            lines += [f"  {entry.ref}  {getattr(entry.model, label)}" for entry in entries]
            listed += len(entries)
        if not listed:
            lines += ["", "(nothing to list)"]
        return ExportResult(
            files={"catalog.txt": "\n".join(lines) + "\n"},
            metadata={"entries": listed, "kinds": kinds},
        )


def _kinds(option: str | None) -> list[str]:
    """The kinds named in the ``kinds`` option, in catalog order; all of them if unset."""
    if option is None:
        return list(SECTIONS)
    wanted = {kind.strip() for kind in option.split(",") if kind.strip()}
    unknown = sorted(wanted - SECTIONS.keys())
    if unknown:
        raise ExportError(
            f"plain-text: unknown kind {', '.join(unknown)} in --option kinds=...; "
            f"choose from {', '.join(SECTIONS)}"
        )
    return [kind for kind in SECTIONS if kind in wanted]


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(PlainTextExporter())


@hookimpl
def trdcore_register_content(register: Callable[[Mapping[str, Any]], None]) -> None:
    register(DEFINING_TRD_REVIEW)
