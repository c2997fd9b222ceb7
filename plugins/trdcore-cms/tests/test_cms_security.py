"""Hostile content renders as text, never as markup, and cannot break the front matter."""

from __future__ import annotations

import json

import pytest
from cms_fixtures import (
    HOSTILE_TEXTS,
    HOSTILE_TITLE,
    catalog_with,
    export,
    front_matter,
    hostile_module,
    markup_problems,
    parse_blocks,
    visible_text,
)
from markdown_it import MarkdownIt
from trdcore_cms.markdown_safety import neutralise_markdown, unsafe_destination

BUNDLE = "content/patients/test-hostile/index.md"


@pytest.fixture(scope="module")
def hostile_catalog():
    return catalog_with(hostile_module())


def test_title_with_dashes_and_quotes_cannot_break_the_front_matter(hostile_catalog) -> None:
    for profile, path in (
        ("hugo", BUNDLE),
        ("jekyll", "_patients/test-hostile.md"),
        ("astro", "src/content/patients/en/test-hostile.md"),
    ):
        files = export("hugo", force=True, catalog=hostile_catalog, profile=profile)
        matter, body = front_matter(files[path])
        assert matter["title"] == HOSTILE_TITLE, profile
        assert matter["description"] == '--- "description": with: colons'
        assert "injected" not in matter
        assert body.startswith("## About") or "## Hostile" in body


def test_jsonld_cannot_close_its_script_element(hostile_catalog) -> None:
    files = export("hugo", force=True, catalog=hostile_catalog)
    jsonld = front_matter(files[BUNDLE])[0]["params"]["jsonld"]
    assert "</script" not in jsonld
    assert "<" not in jsonld
    assert json.loads(jsonld)["name"] == HOSTILE_TITLE


def test_markdown_keeps_hostile_html_as_text(hostile_catalog) -> None:
    body = front_matter(export("hugo", force=True, catalog=hostile_catalog)[BUNDLE])[1]
    rendered = MarkdownIt("commonmark", {"html": True}).render(body)  # even a permissive renderer
    assert markup_problems(f"<div>{rendered}</div>") == []
    text = visible_text(f"<div>{rendered}</div>")
    for hostile in HOSTILE_TEXTS:
        assert hostile in text
    assert "<b>heading</b>" in text


def test_wordpress_body_keeps_hostile_html_as_text(hostile_catalog) -> None:
    payload = json.loads(
        export("wordpress", force=True, catalog=hostile_catalog)["wordpress/rest/test-hostile.json"]
    )
    assert payload["title"] == HOSTILE_TITLE
    parse_blocks(payload["content"])
    assert markup_problems(f"<div>{payload['content']}</div>") == []
    text = visible_text(f"<div>{payload['content']}</div>")
    for hostile in HOSTILE_TEXTS:
        assert hostile in text


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "JavaScript:x",
        "jav&#97;script:x",
        "java\tscript:x",
        " data:text/html,x",
        "vbscript:x",
        "<javascript:x>",
        "java\\script:x",
    ],
)
def test_script_urls_are_unsafe(destination: str) -> None:
    assert unsafe_destination(destination)


@pytest.mark.parametrize(
    "destination",
    ["https://988lifeline.org", "mailto:a@b.org", "tel:988", "/treatments/ect/", "#x"],
)
def test_ordinary_urls_are_safe(destination: str) -> None:
    assert not unsafe_destination(destination)


def test_code_is_left_alone() -> None:
    text = "Use `<b>` here.\n\n```\n<script>\n```\n\nBut <i>this</i> is text."
    assert neutralise_markdown(text) == (
        "Use `<b>` here.\n\n```\n<script>\n```\n\nBut &lt;i>this&lt;/i> is text."
    )
