"""trdcore-cms: publish trdcore's content to Hugo (Jekyll, Astro, Decap CMS) and WordPress.

Two exporters, both with schema.org JSON-LD on every page::

    trdcore export hugo --out site/             # a Hugo site that builds with no theme
    trdcore export hugo --out site/ --profile jekyll
    trdcore export wordpress --out wp/          # WXR 1.2 import file + REST API payloads

See docs/plugins/cms.md for the page layout, front matter and checks.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from trdcore import hookimpl

if TYPE_CHECKING:
    from trdcore.extensions import Exporter
    from trdcore_cms.static_site import HugoExporter
    from trdcore_cms.wordpress import WordPressExporter

# Imported on first use, so that loading the plugin (which every trdcore command does)
# costs nothing until an export asks for it.
_LAZY = {"HugoExporter": "trdcore_cms.static_site", "WordPressExporter": "trdcore_cms.wordpress"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trdcore_cms' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["HugoExporter", "WordPressExporter", "trdcore_register_exporters"]


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    from trdcore_cms.static_site import HugoExporter
    from trdcore_cms.wordpress import WordPressExporter

    register(HugoExporter())
    register(WordPressExporter())
