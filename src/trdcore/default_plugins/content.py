"""Built-in catalog content: the YAML documents under ``trdcore/content/``, contributed
through ``trdcore_register_content`` like any plugin's content.

Each file may hold several documents (YAML ``---`` separators). A file that
cannot be read raises :class:`~trdcore.exceptions.PluginError` naming it; the
documents are validated by the catalog, which reports any problem against
this plugin.

Reading some 250 YAML documents with the strict reader (duplicate keys
refused, line numbers kept) takes about a second, which every command that
needs the catalog would pay. So the parsed documents are kept as JSON in a
cache file named after a hash of every content file's name and bytes and of
trdcore's version: any change to the content is a new name, read strictly
again. The cache lives in ``$TRDCORE_CACHE_DIR``, else
``$XDG_CACHE_HOME/trdcore`` or ``~/.cache/trdcore``; ``TRDCORE_CACHE_DIR=off``
turns it off, and a folder that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from trdcore.exceptions import PluginError
from trdcore.hookspecs import hookimpl
from trdcore.release import VERSION

PLUGIN_NAME = "trdcore-content"


def content_files() -> Iterator[Path]:
    """Every built-in content file, in a stable order."""
    with as_file(files("trdcore") / "content") as root:
        yield from sorted(Path(root).rglob("*.yaml"))


@hookimpl
def trdcore_register_content(register: Callable[[Mapping[str, Any]], None]) -> None:
    for document in builtin_documents():
        register(document)


def builtin_documents() -> list[Any]:
    """Every built-in content document, from the cache when the content is unchanged."""
    import orjson

    paths = list(content_files())
    digest = hashlib.sha256(VERSION.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    cache = _cache_dir()
    target = cache / f"content-{digest.hexdigest()[:40]}.json" if cache else None
    if target is not None:
        try:
            cached = orjson.loads(target.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            pass
        else:
            if isinstance(cached, list):
                return cached
    documents = _read_strictly(paths)
    if target is not None:
        _write_quietly(target, orjson.dumps(documents))
    return documents


def _read_strictly(paths: list[Path]) -> list[Any]:
    from trdcore.documents import read_documents

    documents = []
    for path in paths:
        for document in read_documents(path):
            if document.error is not None:
                raise PluginError(str(document.error), plugin=PLUGIN_NAME)
            documents.append(document.data)
    return documents


def _cache_dir() -> Path | None:
    setting = os.environ.get("TRDCORE_CACHE_DIR")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trdcore"


def _write_quietly(target: Path, data: bytes) -> None:
    """Write the cache file atomically; a folder that cannot be written is not an error."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    except OSError:
        return
