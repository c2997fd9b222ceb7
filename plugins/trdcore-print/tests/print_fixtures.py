"""Helpers for the trdcore-print tests: catalogs, exports rendered once, and the outside PDF tools.

Rendering is the slow part, so each kind of export the tests look at
(the full patient set, large print, clinician) is rendered once per test run
(``functools.cache``) and written under ``test-artifacts/print/`` with PNG
pages, so a person can look at what the tests checked.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import trdcore_print

from trdcore.catalog import Catalog
from trdcore.exporting import run_export, write_export
from trdcore.extensions import ExportResult
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager
from trdcore.testing import builtin_catalog, catalog_with, needs_peer

HERE = Path(__file__).parent
REPOSITORY = HERE.parents[2]
ARTIFACTS = REPOSITORY / "test-artifacts" / "print"

#: The handouts whose pages are kept as PNG (the rest are checked, not pictured).
PICTURED = ("trd-and-options", "questions-for-your-psychiatrist", "treatment-ect")

#: Debian packages that provide the outside tools, for needs_peer's message.
PEERS = {
    "pdfinfo": "pdfinfo (Debian poppler-utils)",
    "pdffonts": "pdffonts (Debian poppler-utils)",
    "pdftotext": "pdftotext (Debian poppler-utils)",
    "pdftoppm": "pdftoppm (Debian poppler-utils)",
    "qpdf": "qpdf (Debian qpdf)",
}


def tool(name: str, *arguments: str | Path) -> str:
    """Run an outside PDF tool and return its standard output; skip (or fail) when it is missing."""
    needs_peer(shutil.which(name) is not None, PEERS[name])
    done = subprocess.run(
        [name, *map(str, arguments)], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, f"{name} {arguments} exited {done.returncode}: {done.stderr}"
    return done.stdout


def manager() -> TrdcorePluginManager:
    """trdcore's built-in behaviour plus this plugin, and nothing installed."""
    pm = get_plugin_manager(load_entry_points=False, environ={}, builtin_content=False)
    pm.add(trdcore_print, "print")
    return pm


def catalog_where(change: Any = None, *, drop: tuple[str, ...] = ()) -> Catalog:
    """The built-in catalog with ``change(document)`` applied to a copy of each document
    and the documents whose id is in ``drop`` left out."""
    return catalog_with(change=change, drop=drop)


def export(
    target: str,
    catalog: Catalog | None = None,
    locale: str | None = None,
    force: bool = False,
    **options: Any,
) -> ExportResult:
    """Run one of this plugin's exporters as ``trdcore export`` does (content gate included)."""
    return run_export(
        target,
        manager=manager(),
        catalog=catalog or builtin_catalog(),
        options={key.replace("_", "-"): value for key, value in options.items()},
        locale=locale,
        force=force,
    )


def _written(name: str, result: ExportResult, target: str) -> Path:
    """Write an export under test-artifacts/print/<name>, with PNG pages when pdftoppm exists."""
    out = ARTIFACTS / name
    shutil.rmtree(out, ignore_errors=True)
    write_export(result, out, target=target)
    if shutil.which("pdftoppm"):
        pages = out / "png"
        pages.mkdir()
        for pdf in sorted(out.glob("*.pdf")):
            if pdf.stem not in PICTURED:
                continue
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", str(pdf), str(pages / pdf.stem)],
                check=True,
                capture_output=True,
                timeout=120,
            )
    return out


@functools.cache
def patient_set() -> tuple[ExportResult, Path]:
    """Every patient handout in standard print (the default export), rendered once."""
    result = export("handout-pdf")
    return result, _written("patient", result, "handout-pdf")


@functools.cache
def large_print_set() -> tuple[ExportResult, Path]:
    """Large-print patient handouts for one treatment, rendered once."""
    result = export("handout-pdf", large_print=True, treatment=("ect",))
    return result, _written("large-print", result, "handout-pdf")


@functools.cache
def clinician_set() -> tuple[ExportResult, Path]:
    """Clinician handouts for one treatment, rendered once."""
    result = export("handout-pdf", audience="clinician", treatment=("ect",))
    return result, _written("clinician", result, "handout-pdf")


def active_treatments() -> list[str]:
    return sorted(
        entry.id for entry in builtin_catalog().items("treatment") if entry.model.status == "active"
    )
