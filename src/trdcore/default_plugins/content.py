"""Built-in catalog content: the YAML documents under ``trdcore/content/``, contributed
through ``trdcore_register_content`` like any plugin's content.

Each file may hold several documents (YAML ``---`` separators). A file that
cannot be read raises :class:`~trdcore.exceptions.PluginError` naming it; the
documents are validated by the catalog, which reports any problem against
this plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from trdcore.exceptions import PluginError
from trdcore.hookspecs import hookimpl

PLUGIN_NAME = "trdcore-content"


def content_files() -> Iterator[Path]:
    """Every built-in content file, in a stable order."""
    with as_file(files("trdcore") / "content") as root:
        yield from sorted(Path(root).rglob("*.yaml"))


@hookimpl
def trdcore_register_content(register: Callable[[Mapping[str, Any]], None]) -> None:
    from trdcore.documents import read_documents

    for path in content_files():
        for document in read_documents(path):
            if document.error is not None:
                raise PluginError(str(document.error), plugin=PLUGIN_NAME)
            register(document.data)
