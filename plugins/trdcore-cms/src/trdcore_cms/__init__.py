"""trdcore-cms: publish trdcore's content to Hugo (Jekyll, Astro, Decap CMS) and WordPress.

Two exporters, both with schema.org JSON-LD on every page::

    trdcore export hugo --out site/             # a Hugo site that builds with no theme
    trdcore export hugo --out site/ --profile jekyll
    trdcore export wordpress --out wp/          # WXR 1.2 import file + REST API payloads

See docs/plugins/cms.md for the page layout, front matter and checks.
"""

from __future__ import annotations

from collections.abc import Callable

from trdcore import hookimpl
from trdcore.extensions import Exporter
from trdcore_cms.static_site import HugoExporter
from trdcore_cms.wordpress import WordPressExporter

__all__ = ["HugoExporter", "WordPressExporter", "trdcore_register_exporters"]


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(HugoExporter())
    register(WordPressExporter())
