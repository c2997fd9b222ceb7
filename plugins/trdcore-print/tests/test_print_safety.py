"""Rendering never reads local files or the network; content is text, never markup; bad input
and unpublishable content give clear errors."""

from __future__ import annotations

import datetime
import socket
import tempfile
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from print_fixtures import builtin_catalog, catalog_where, export, tool
from trdcore_print.handouts import Settings, build_handouts
from trdcore_print.rendering import (
    FONT_FILES,
    PackagedAssetFetcher,
    font_path,
    handout_html,
    pdf_from_html,
    render_markdown,
)

from trdcore.exceptions import ExportError, UnknownTargetError

QUESTIONS = "questions-for-your-psychiatrist-patient"
PASSWD = "file:///etc/passwd"


class LoopbackServer:
    """A TCP listener on 127.0.0.1 that counts connections: proof that nothing was requested."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.close()


def hostile(port: int) -> str:
    """Markdown a careless or hostile editor might write: raw HTML, images, local and web URLs."""
    return (
        f'Before <img src="{PASSWD}" alt="x"> and <script>alert(1)</script>.\n\n'
        f'<img src="http://127.0.0.1:{port}/raw.png" alt="raw">\n\n'
        f"![a picture](http://127.0.0.1:{port}/markdown.png) and ![secret]({PASSWD})\n\n"
        f"[a local link]({PASSWD}) and <a href='javascript:alert(1)'>click</a>\n"
    )


def with_hostile_questions(port: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        if document.get("id") == QUESTIONS:
            document["sections"][0]["body"] = hostile(port)

    return change


class Elements(HTMLParser):
    """The start tags and attributes of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_content_html_is_escaped_in_the_html_handout(loopback: LoopbackServer) -> None:
    catalog = catalog_where(with_hostile_questions(loopback.port))
    result = export("handout-html", catalog=catalog, force=True, treatment=("cbt",))
    html = str(result.files["questions-for-your-psychiatrist.html"])
    tags = Elements(html).tags
    assert [tag for tag, _ in tags if tag in ("img", "script", "iframe", "object")] == []
    # Links are not fetched; content may link to web pages, never to files or scripts.
    links = [str(attrs.get("href")) for tag, attrs in tags if tag == "a"]
    assert links
    assert all(link.startswith(("https://", "http://")) for link in links), links
    assert "&lt;img src=&quot;file:///etc/passwd&quot; alt=&quot;x&quot;&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[a local link](file:///etc/passwd)" in html, "a file: link stays text"
    values = [str(value) for _, attrs in tags for value in attrs.values()]
    assert not [value for value in values if "file:" in value or "javascript:" in value]
    assert loopback.connections == 0


def test_hostile_content_prints_as_text_and_nothing_is_fetched(loopback: LoopbackServer) -> None:
    catalog = catalog_where(with_hostile_questions(loopback.port))
    handouts = build_handouts(catalog, Settings(treatments=("cbt",))).handouts
    questions = next(h for h in handouts if h.slug == "questions-for-your-psychiatrist")
    html = handout_html(questions, large_print=False, fonts="files")
    rendered = pdf_from_html(html, name="test", identity="test", created=questions.reviewed)
    assert loopback.connections == 0
    assert b"root:" not in rendered.data
    text = _pdftotext(rendered.data)
    assert '<img src="file:///etc/passwd" alt="x">' in text
    assert "<script>alert(1)</script>" in text


def _pdftotext(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "handout.pdf"
        path.write_bytes(data)
        return " ".join(tool("pdftotext", "-raw", path, "-").split())


def test_the_renderer_refuses_local_files_and_web_addresses(loopback: LoopbackServer) -> None:
    web = f"http://127.0.0.1:{loopback.port}/picture.png"
    css = f"http://127.0.0.1:{loopback.port}/style.css"
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title>'
        '<meta name="dcterms.created" content="2026-11-27">'
        f'<link rel="stylesheet" href="{css}"></head><body><p>Text</p>'
        f'<img src="{PASSWD}" alt="a file"><img src="{web}" alt="a web picture"></body></html>'
    )
    with pytest.raises(ExportError) as refused:
        pdf_from_html(html, name="probe.pdf", identity="probe", created=_day())
    message = str(refused.value)
    assert "probe.pdf: refused to load" in message
    for url in (PASSWD, web, css):
        assert url in message
    assert loopback.connections == 0


def _day() -> datetime.date:
    return datetime.date(2026, 11, 27)


def test_the_fetcher_serves_exactly_the_packaged_font_files() -> None:
    regular = font_path(FONT_FILES[0][0])
    fetcher = PackagedAssetFetcher({regular.as_uri(): regular})
    assert fetcher.fetch(regular.as_uri()).read() == regular.read_bytes()
    for url in (
        PASSWD,
        regular.as_uri() + "/../../LICENSE",
        regular.parent.as_uri() + "/../LICENSE",
        regular.as_uri() + "?x=1",
        "http://127.0.0.1:9/font.ttf",
        "data:text/plain,hello",
    ):
        with pytest.raises(ValueError, match="not a packaged asset"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_a_weasyprint_error_record_fails_the_render() -> None:
    handouts = build_handouts(builtin_catalog(), Settings(treatments=("cbt",))).handouts
    html = handout_html(handouts[1], large_print=False, fonts="files")
    # PDF/UA needs the document language; without it WeasyPrint logs an ERROR and carries on.
    without_language = html.replace('<html lang="en">', "<html>", 1)
    assert without_language != html
    with pytest.raises(ExportError, match=r"cbt\.pdf: WeasyPrint reported an error: .*lang"):
        pdf_from_html(
            without_language,
            name="treatment-cbt.pdf",
            identity="x",
            created=handouts[1].reviewed,
        )


def test_export_is_refused_on_a_block_level_content_finding() -> None:
    def change(document: dict[str, Any]) -> None:
        if document.get("id") == QUESTIONS:
            document["sections"][0]["body"] += "\n\nHer brother committed suicide."

    with pytest.raises(ExportError, match=r"(?s)refused.*committed suicide.*\[safe-messaging\]"):
        export("handout-pdf", catalog=catalog_where(change), treatment=("cbt",))


def test_an_unknown_treatment_is_named_with_the_ones_that_exist() -> None:
    with pytest.raises(UnknownTargetError) as unknown:
        export("handout-html", treatment=("ect", "electroshock"))
    assert "unknown treatment 'electroshock'" in str(unknown.value)
    assert "ect" in unknown.value.available
    assert "rtms" in unknown.value.available


def test_a_draft_treatment_is_not_printed() -> None:
    def change(document: dict[str, Any]) -> None:
        if document.get("id") == "dbs":
            document["status"] = "draft"

    catalog = catalog_where(change)
    with pytest.raises(ExportError, match=r"treatment dbs@1\.0\.0 has status draft"):
        export("handout-html", catalog=catalog, treatment=("dbs",))
    result = export("handout-html", catalog=catalog)
    assert "treatment-dbs.html" not in result.files
    assert result.metadata["skipped"] == [
        "treatment dbs@1.0.0: status draft, only active content is printed"
    ]


def test_without_the_crisis_module_no_handout_is_printed() -> None:
    catalog = catalog_where(drop=("crisis-resources-patient",))
    with pytest.raises(ExportError, match=r"crisis-resources-patient.*crisis block"):
        build_handouts(catalog, Settings())


def test_a_source_missing_from_the_catalog_is_named() -> None:
    def change(document: dict[str, Any]) -> None:
        if document.get("id") == "cbt":
            document["sources"] = [*document["sources"], "no-such-source"]

    with pytest.raises(ExportError, match=r"treatment cbt@1\.0\.0 cites source 'no-such-source'"):
        build_handouts(catalog_where(change), Settings(treatments=("cbt",)))


def test_a_treatment_without_review_cannot_be_printed() -> None:
    def change(document: dict[str, Any]) -> None:
        if document.get("id") == "cbt":
            del document["review"]

    with pytest.raises(ExportError, match=r"treatment cbt@1\.0\.0 has no review"):
        build_handouts(catalog_where(change), Settings(treatments=("cbt",)))


def test_a_locale_without_content_is_an_error() -> None:
    with pytest.raises(ExportError, match="no active 'es' module crisis-resources-patient"):
        export("handout-html", locale="es")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"audience": "nurse"}, "--audience must be one of patient, clinician"),
        ({"large-print": "yes"}, "--large-print is a flag"),
        ({"treatment": ("ect", 3)}, "--treatment takes treatment ids"),
    ],
)
def test_option_values_of_the_wrong_kind_are_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        Settings.from_options(options, None)


def test_markdown_headings_sit_below_the_handout_headings() -> None:
    html = render_markdown(
        "## Electroconvulsive therapy (ECT)\n\nText.\n\n## How often\n\n### Later\n",
        top_level=2,
        drop_heading="Electroconvulsive Therapy (ECT)",
    )
    assert "Electroconvulsive" not in html, "a first heading equal to the title is not repeated"
    assert "<h2>How often</h2>" in html
    assert "<h3>Later</h3>" in html
    section = render_markdown("# Big\n\n<b>bold</b>", top_level=3)
    assert "<h3>Big</h3>" in section
    assert "&lt;b&gt;bold&lt;/b&gt;" in section
