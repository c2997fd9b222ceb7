"""Handouts to HTML (Jinja2, autoescaped) and to tagged PDF/UA-1 (WeasyPrint).

Content is Markdown from the catalog. It is rendered with raw HTML switched
off, so ``<img src="file:///etc/passwd">`` in content prints as text, and
with Markdown images switched off. The only resources a render may load are
the packaged font files: :class:`PackagedAssetFetcher` refuses every other
URL (local files, http, data), and a refused URL fails the export. A
WeasyPrint log record at ERROR level (an image without alt text, say) fails
the export too; warnings are returned so callers can show them.

PDF metadata dates come from the content's review date and the file
identifier from the content version, never from the clock, so one catalog
always gives byte-identical PDFs.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs
import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from trdcore.exceptions import ExportError
from trdcore_print.handouts import Handout

__all__ = [
    "FONT_FAMILY",
    "FONT_FILES",
    "PackagedAssetFetcher",
    "RenderedPdf",
    "font_licence",
    "font_path",
    "handout_html",
    "pdf_from_html",
    "render_markdown",
]

FONT_PACKAGE = "fontpkg_atkinson_hyperlegible"
FONT_FAMILY = "Atkinson Hyperlegible"
#: (file name, CSS font-weight, CSS font-style) of each face that is embedded.
FONT_FILES: tuple[tuple[str, int, str], ...] = (
    ("AtkinsonHyperlegible-Regular.ttf", 400, "normal"),
    ("AtkinsonHyperlegible-Bold.ttf", 700, "normal"),
    ("AtkinsonHyperlegible-Italic.ttf", 400, "italic"),
    ("AtkinsonHyperlegible-BoldItalic.ttf", 700, "italic"),
)
PDF_VARIANT = "pdf/ua-1"

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_KICKER = {"patient": "For patients and families", "clinician": "For clinicians"}

_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .disable("image")
)

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("trdcore_print", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def font_path(name: str) -> Path:
    """The installed file of one font face (from the font package, never from the system)."""
    return Path(str(resources.files(FONT_PACKAGE).joinpath("files", name)))


def font_licence() -> str:
    """The SIL Open Font License text shipped with the font; it travels with the font files."""
    return resources.files(FONT_PACKAGE).joinpath("LICENSE").read_text("utf-8")


def _stylesheet() -> str:
    return resources.files("trdcore_print").joinpath("assets", "handout.css").read_text("utf-8")


def long_date(day: datetime.date) -> str:
    """``November 27, 2026``: spelled out, the same on every machine (no locale)."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = []
    for character in text:
        if character.isalnum() or character in " .,:;@()-_/·":
            escaped.append(character)
        else:
            escaped.append(f"\\{ord(character):06x}")
    return '"' + "".join(escaped) + '"'


def render_markdown(text: str, *, top_level: int, drop_heading: str | None = None) -> Markup:
    """Markdown as HTML whose biggest heading is ``h<top_level>``.

    Raw HTML in ``text`` is escaped, not passed through. A first heading
    equal to ``drop_heading`` (the handout title) is left out.
    """
    tokens = _markdown.parse(text)
    if drop_heading is not None and _first_heading_is(tokens, drop_heading):
        tokens = tokens[3:]
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_level - min(levels) if levels and min(levels) < top_level else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return Markup(_markdown.renderer.render(tokens, _markdown.options, {}))


def _first_heading_is(tokens: list[Token], title: str) -> bool:
    return (
        len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[1].content.strip().casefold() == title.strip().casefold()
    )


def handout_html(
    handout: Handout, *, large_print: bool, fonts: Literal["files", "relative"]
) -> str:
    """The handout as one HTML document with its stylesheet inlined.

    ``fonts="files"`` points ``@font-face`` at the installed font files (for
    WeasyPrint); ``"relative"`` at ``fonts/<file>`` beside the HTML (for a
    browser, with the fonts copied next to it).
    """
    faces = []
    for name, weight, style in FONT_FILES:
        url = font_path(name).as_uri() if fonts == "files" else f"fonts/{name}"
        faces.append(
            f"@font-face {{ font-family: {css_string(FONT_FAMILY)}; src: url({css_string(url)}); "
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    footer = f"{handout.content} · Reviewed {long_date(handout.reviewed)}"
    faces.append(f"@page {{ @bottom-left {{ content: {css_string(footer)}; }} }}")
    sections = [
        {
            "heading": section.heading,
            "html": render_markdown(
                section.body,
                top_level=3 if section.heading else 2,
                drop_heading=handout.title if handout.skip_title_heading else None,
            ),
        }
        for section in handout.sections
    ]
    template = _templates.get_template("handout.html.j2")
    return template.render(
        handout=handout,
        kicker=_KICKER[handout.audience],
        sections=sections,
        crisis={
            "heading": handout.crisis.heading,
            "html": render_markdown(handout.crisis.body, top_level=3),
        },
        large_print=large_print,
        reviewed=long_date(handout.review.last_reviewed),
        next_review=long_date(handout.review.next_review) if handout.review.next_review else None,
        iso_date=handout.reviewed.isoformat(),
        styles=Markup("\n".join(faces) + "\n" + _stylesheet()),
    )


class _Refused(ValueError):
    """A URL the handout renderer will not load."""


class PackagedAssetFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher that serves the packaged font files and nothing else.

    Every other URL (another local file, http, https, data) is refused and
    remembered in :attr:`refused`; nothing is opened or requested for it.
    """

    def __init__(self, allowed: Mapping[str, Path]) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self._allowed = dict(allowed)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        path = self._allowed.get(url)
        if path is None:
            self.refused.append(url)
            raise _Refused(f"not a packaged asset: {url}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})


def _packaged_fonts() -> dict[str, Path]:
    return {font_path(name).as_uri(): font_path(name) for name, _weight, _style in FONT_FILES}


@attrs.frozen
class RenderedPdf:
    """A rendered PDF, its page count and the WeasyPrint warnings seen while rendering it."""

    data: bytes
    pages: int
    warnings: tuple[str, ...]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log() -> Iterator[_Records]:
    logger = logging.getLogger("weasyprint")
    handler = _Records()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def pdf_from_html(html: str, *, name: str, identity: str, created: datetime.date) -> RenderedPdf:
    """Render ``html`` to a tagged PDF/UA-1 document.

    ``identity`` (the content version and settings) becomes the PDF file
    identifier; ``created`` is written into the HTML's dcterms metadata by
    the template and checked here. Raises :class:`ExportError` naming
    ``name`` when a URL was refused or WeasyPrint logged an error.
    """
    if f'content="{created.isoformat()}"' not in html:
        raise ExportError(f"{name}: the HTML carries no dcterms date {created.isoformat()}")
    fetcher = PackagedAssetFetcher(_packaged_fonts())
    with _weasyprint_log() as log:
        document = HTML(string=html, url_fetcher=fetcher).render()
        data = document.write_pdf(
            pdf_variant=PDF_VARIANT,
            pdf_identifier=hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32].encode(),
        )
    if fetcher.refused:
        raise ExportError(
            f"{name}: refused to load {', '.join(sorted(set(fetcher.refused)))} "
            "(handouts load packaged fonts only)"
        )
    errors = [record.getMessage() for record in log.records if record.levelno >= logging.ERROR]
    if errors:
        raise ExportError(f"{name}: WeasyPrint reported an error: {'; '.join(errors)}")
    warnings = tuple(record.getMessage() for record in log.records)
    return RenderedPdf(bytes(data), len(document.pages), warnings)
