"""What commands read: the document files under the paths given, and the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

__all__ = ["DOCUMENT_SUFFIXES", "expand_paths", "load_catalog_with_warnings"]

DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml", ".ndjson", ".jsonl")
"""The file name endings trdcore reads documents from, in any case."""


def expand_paths(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Each file given, and the document files inside each folder given (sorted, recursively)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                found
                for found in path.rglob("*")
                if found.is_file() and found.suffix.lower() in DOCUMENT_SUFFIXES
            )
        else:
            yield path


def load_catalog_with_warnings() -> Any:
    """The catalog; content that could not be loaded is named on standard error."""
    from trdcore.app import load_catalog

    catalog = load_catalog()
    for problem in catalog.problems:
        click.echo(f"warning: {problem}", err=True)
    return catalog
