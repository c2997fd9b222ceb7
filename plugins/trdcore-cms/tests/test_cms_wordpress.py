"""The wordpress exporter: a well-formed WXR 1.2 file, block markup bodies, REST payloads."""

from __future__ import annotations

import json

import pytest
from cms_fixtures import block_names, builtin_catalog, export, parse_blocks
from lxml import etree
from trdcore_cms.blocks import markdown_blocks
from trdcore_cms.wordpress import META_KEYS, WXR_NAMESPACES

WXR = "wordpress/trdcore-pages.wxr.xml"
NS = {**WXR_NAMESPACES}


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return export("wordpress")


@pytest.fixture(scope="module")
def items(files: dict[str, str]) -> list[etree._Element]:
    root = etree.fromstring(files[WXR].encode("utf-8"))
    return root.findall("channel/item")


def meta(item: etree._Element) -> dict[str, str]:
    return {
        entry.findtext("wp:meta_key", namespaces=NS): entry.findtext("wp:meta_value", namespaces=NS)
        for entry in item.findall("wp:postmeta", namespaces=NS)
    }


def test_wxr_is_well_formed_rss_with_wordpress_namespaces(files: dict[str, str]) -> None:
    root = etree.fromstring(files[WXR].encode("utf-8"))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    for prefix, uri in WXR_NAMESPACES.items():
        assert root.nsmap[prefix] == uri
    channel = root.find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:author/wp:author_login", namespaces=NS) == "trdcore"


def test_every_page_is_an_item_with_review_meta(files: dict[str, str], items) -> None:
    payloads = {name: json.loads(text) for name, text in files.items() if name.endswith(".json")}
    assert len(items) == len(payloads)
    catalog = builtin_catalog()
    assert len(items) == 2 * len(catalog.items("treatment")) + 2 + len(
        catalog.items("content-module")
    )
    slugs = set()
    for item in items:
        assert item.findtext("wp:post_type", namespaces=NS) == "page"
        assert item.findtext("wp:status", namespaces=NS) == "draft"
        values = meta(item)
        assert tuple(values) == META_KEYS
        assert values["trdcore_content_version"]
        assert values["trdcore_last_reviewed"] == item.findtext("wp:post_date", namespaces=NS)[:10]
        slugs.add(item.findtext("wp:post_name", namespaces=NS))
    assert len(slugs) == len(items), "page slugs must be unique"
    ect = next(item for item in items if item.findtext("wp:post_name", namespaces=NS) == "ect")
    treatment = catalog.get("treatment", "ect").model
    assert meta(ect)["trdcore_content_version"] == treatment.version
    assert meta(ect)["trdcore_last_reviewed"] == treatment.review.last_reviewed.isoformat()


def test_every_body_parses_as_block_markup(files: dict[str, str], items) -> None:
    for item in items:
        slug = item.findtext("wp:post_name", namespaces=NS)
        content = item.findtext("content:encoded", namespaces=NS)
        blocks = parse_blocks(content)
        names = block_names(blocks)
        assert names[0] == "html", slug  # the JSON-LD
        assert "paragraph" in names, slug
        payload = json.loads(files[f"wordpress/rest/{slug}.json"])
        assert payload["content"] == content
        assert payload["title"] == item.findtext("title")
        assert payload["meta"] == meta(item)
        jsonld = blocks[0]["html"].strip()
        data = json.loads(
            jsonld.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
        )
        assert data["name"] == payload["title"]
        if payload["meta"]["trdcore_audience"] == "patient":
            crisis = [node for node in blocks if node["name"] == "group"]
            assert len(crisis) == 1, slug
            assert "988" in crisis[0]["html"] + json.dumps(crisis[0]["inner"])


def test_markdown_maps_onto_core_blocks() -> None:
    markdown = (
        "## Heading\n\n### Smaller\n\nA paragraph with **bold**.\n\n- one\n- two\n\n1. first\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n> quoted\n\n```\ncode <x>\n```\n"
    )
    blocks = parse_blocks("\n".join(markdown_blocks(markdown)))
    assert [(node["name"], node["attrs"]) for node in blocks] == [
        ("heading", {}),
        ("heading", {"level": 3}),
        ("paragraph", {}),
        ("list", {}),
        ("list", {"ordered": True}),
        ("table", {}),
        ("separator", {}),
        ("quote", {}),
        ("code", {}),
    ]
    assert [node["name"] for node in blocks[3]["inner"]] == ["list-item", "list-item"]
    assert "code &lt;x&gt;" in blocks[-1]["html"]


def test_block_parser_rejects_broken_markup() -> None:
    with pytest.raises(ValueError, match="unclosed"):
        parse_blocks("<!-- wp:paragraph --><p>x</p>")
    with pytest.raises(ValueError, match="outside any block"):
        parse_blocks("<p>loose</p>")
    with pytest.raises(ValueError, match="closes"):
        parse_blocks("<!-- wp:list --><!-- /wp:paragraph -->")


def test_status_option_publishes(files: dict[str, str]) -> None:
    published = export("wordpress", status="publish")
    assert json.loads(published["wordpress/rest/ect.json"])["status"] == "publish"
    assert "<wp:status><![CDATA[publish]]></wp:status>" in published[WXR]


def test_meta_plugin_registers_every_key(files: dict[str, str]) -> None:
    php = files["wordpress/trdcore-meta.php"]
    for key in META_KEYS:
        assert f"'{key}'" in php
    assert "register_post_meta( 'page'" in php


def test_cdata_end_in_content_is_split() -> None:
    from trdcore_cms.wordpress import _cdata

    wrapped = _cdata("a ]]> b")
    root = etree.fromstring(f"<x>{wrapped}</x>".encode())
    assert root.text == "a ]]> b"
