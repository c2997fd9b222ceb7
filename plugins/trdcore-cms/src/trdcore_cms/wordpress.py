"""The ``wordpress`` exporter: block-markup pages as a WXR 1.2 import file and as REST payloads.

Written files (under ``--out``):

``wordpress/trdcore-pages.wxr.xml``
    One WXR 1.2 file with every page (post type ``page``), for
    Tools > Import > WordPress. Each page has post meta: ``trdcore_content_id``,
    ``trdcore_content_version``, ``trdcore_last_reviewed``, ``trdcore_next_review``,
    ``trdcore_reviewed_by``, ``trdcore_audience``, ``trdcore_language``,
    ``trdcore_sources`` and ``trdcore_jsonld``.
``wordpress/rest/<slug>.json``
    The body of ``POST /wp-json/wp/v2/pages`` for each page: title, slug,
    status, content (the same block markup), excerpt and meta.
``wordpress/trdcore-meta.php``
    A must-use plugin that registers the meta keys, so the REST API
    accepts them and the editor keeps them.

Page bodies: a Custom HTML block with the JSON-LD, a review line, the
content blocks, the crisis block as a group (``trdcore-crisis``) on patient
pages, and the sources. WordPress shows the page title as the H1.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from trdcore.exceptions import ExportError
from trdcore.extensions import ExportContext, ExportResult, PluginOption
from trdcore_cms.blocks import block, markdown_blocks
from trdcore_cms.jsonld import page_jsonld, script_json
from trdcore_cms.markdown_safety import unsafe_destination
from trdcore_cms.pages import CRISIS_SECTION, Page, build_pages, skipped_items

__all__ = ["META_KEYS", "WXR_NAMESPACES", "WordPressExporter", "page_content"]

WXR_NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
META_KEYS = (
    "trdcore_content_id",
    "trdcore_content_version",
    "trdcore_last_reviewed",
    "trdcore_next_review",
    "trdcore_reviewed_by",
    "trdcore_audience",
    "trdcore_language",
    "trdcore_sources",
    "trdcore_jsonld",
)
AUTHOR = "trdcore"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _link(section: str, slug: str) -> str:
    """WordPress pages are flat; the slug rules are those of :attr:`Page.key`."""
    suffix = "-for-clinicians" if section.startswith("clinician") else ""
    return f"/{slug}{suffix}/"


def _sources_blocks(page: Page) -> list[str]:
    if not page.sources:
        return []
    items = []
    for source in page.sources:
        text = html.escape(source.title)
        if source.url and not unsafe_destination(source.url):
            url = html.escape(source.url, quote=True)
            text += f' <a href="{url}">{url}</a>'
        items.append(block("list-item", f'<li id="source-{html.escape(source.id)}">{text}</li>'))
    listing = block(
        "list", '<ol class="wp-block-list">' + "\n".join(items) + "</ol>", {"ordered": True}
    )
    if not page.sources_cut:
        return [block("heading", '<h2 class="wp-block-heading">Sources</h2>'), listing]
    note = (
        f"The {len(page.sources)} main sources of the {page.sources_cited} this page rests on. "
        "The page for clinicians lists them all."
    )
    return [
        block("heading", '<h2 class="wp-block-heading">Key sources</h2>'),
        block("paragraph", f"<p>{html.escape(note)}</p>"),
        listing,
    ]


def page_content(page: Page, jsonld: str) -> str:
    """The page body as block markup."""
    review = (
        f"Last reviewed {page.last_reviewed.isoformat()} by {html.escape(page.reviewed_by)}. "
        f"Content version {html.escape(page.content_version)}."
    )
    blocks = [
        block("html", f'<script type="application/ld+json">{jsonld}</script>'),
        block(
            "paragraph", f'<p class="trdcore-review">{review}</p>', {"className": "trdcore-review"}
        ),
        *markdown_blocks(page.body),
    ]
    if page.crisis:
        inner = "\n".join(markdown_blocks(page.crisis))
        blocks.append(
            block(
                "group",
                f'<div id="{CRISIS_SECTION}" class="wp-block-group trdcore-crisis">{inner}</div>',
                {"className": "trdcore-crisis"},
            )
        )
    blocks.extend(_sources_blocks(page))
    return "\n\n".join(blocks) + "\n"


def _meta(page: Page, jsonld: str) -> dict[str, str]:
    values = (
        page.content_id,
        page.content_version,
        page.last_reviewed.isoformat(),
        page.next_review.isoformat() if page.next_review else "",
        page.reviewed_by,
        page.audience,
        page.language,
        ",".join(source.id for source in page.sources),
        jsonld,
    )
    return dict(zip(META_KEYS, values, strict=True))


def _cdata(text: str) -> str:
    """A CDATA section; ``]]>`` inside the text is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _check_xml(page: Page, text: str) -> str:
    found = _NOT_XML.search(text)
    if found:
        raise ExportError(
            f"{page.content_id}: the text holds the control character U+{ord(found.group()):04X}, "
            "which XML (and so a WXR file) cannot carry; remove it from the content"
        )
    return text


def _item(page: Page, post_id: int, content: str, meta: dict[str, str], status: str) -> str:
    date = f"{page.last_reviewed.isoformat()} 00:00:00"
    lines = [
        "\t<item>",
        f"\t\t<title>{_cdata(page.title)}</title>",
        f"\t\t<dc:creator>{_cdata(AUTHOR)}</dc:creator>",
        f'\t\t<guid isPermaLink="false">trdcore:{html.escape(page.key)}</guid>',
        "\t\t<description></description>",
        f"\t\t<content:encoded>{_cdata(content)}</content:encoded>",
        f"\t\t<excerpt:encoded>{_cdata(page.description)}</excerpt:encoded>",
        f"\t\t<wp:post_id>{post_id}</wp:post_id>",
        f"\t\t<wp:post_date>{_cdata(date)}</wp:post_date>",
        f"\t\t<wp:post_date_gmt>{_cdata(date)}</wp:post_date_gmt>",
        f"\t\t<wp:post_modified>{_cdata(date)}</wp:post_modified>",
        f"\t\t<wp:post_modified_gmt>{_cdata(date)}</wp:post_modified_gmt>",
        f"\t\t<wp:comment_status>{_cdata('closed')}</wp:comment_status>",
        f"\t\t<wp:ping_status>{_cdata('closed')}</wp:ping_status>",
        f"\t\t<wp:post_name>{_cdata(page.key)}</wp:post_name>",
        f"\t\t<wp:status>{_cdata(status)}</wp:status>",
        "\t\t<wp:post_parent>0</wp:post_parent>",
        f"\t\t<wp:menu_order>{page.weight}</wp:menu_order>",
        f"\t\t<wp:post_type>{_cdata('page')}</wp:post_type>",
        f"\t\t<wp:post_password>{_cdata('')}</wp:post_password>",
        "\t\t<wp:is_sticky>0</wp:is_sticky>",
    ]
    for key, value in meta.items():
        lines += [
            "\t\t<wp:postmeta>",
            f"\t\t\t<wp:meta_key>{_cdata(key)}</wp:meta_key>",
            f"\t\t\t<wp:meta_value>{_cdata(value)}</wp:meta_value>",
            "\t\t</wp:postmeta>",
        ]
    lines.append("\t</item>")
    return "\n".join(lines)


def wxr_document(items: list[str], title: str, language: str) -> str:
    """A WXR 1.2 file (RSS 2.0 with WordPress's namespaces) around the given items."""
    namespaces = "".join(f'\n\txmlns:{prefix}="{uri}"' for prefix, uri in WXR_NAMESPACES.items())
    head = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        f'<rss version="2.0"{namespaces}\n>',
        "<channel>",
        f"\t<title>{html.escape(title)}</title>",
        "\t<description>Pages exported by trdcore-cms</description>",
        f"\t<language>{html.escape(language)}</language>",
        "\t<wp:wxr_version>1.2</wp:wxr_version>",
        "\t<wp:author>",
        "\t\t<wp:author_id>1</wp:author_id>",
        f"\t\t<wp:author_login>{_cdata(AUTHOR)}</wp:author_login>",
        f"\t\t<wp:author_email>{_cdata('')}</wp:author_email>",
        f"\t\t<wp:author_display_name>{_cdata(AUTHOR)}</wp:author_display_name>",
        "\t</wp:author>",
        "\t<generator>trdcore-cms</generator>",
    ]
    return "\n".join([*head, *items, "</channel>", "</rss>"]) + "\n"


_META_PLUGIN = """<?php
/**
 * Plugin Name: trdcore page meta
 * Description: Registers the post meta trdcore-cms writes, so the REST API accepts it.
 *
 * Written by `trdcore export wordpress`. Copy to wp-content/mu-plugins/.
 */

add_action( 'init', function () {
\tforeach ( array( __KEYS__ ) as $key ) {
\t\tregister_post_meta( 'page', $key, array(
\t\t\t'type'          => 'string',
\t\t\t'single'        => true,
\t\t\t'show_in_rest'  => true,
\t\t\t'auth_callback' => function () {
\t\t\t\treturn current_user_can( 'edit_pages' );
\t\t\t},
\t\t) );
\t}
} );
"""


class WordPressExporter:
    """Writes the catalog's pages as a WXR 1.2 import file and as WordPress REST payloads."""

    name = "wordpress"
    description = (
        "WordPress pages in block markup with schema.org JSON-LD: a WXR 1.2 import file "
        "and REST API payloads"
    )
    options = (
        PluginOption(
            "status",
            help="Status of the imported pages.",
            choices=("draft", "publish"),
            default="draft",
        ),
        PluginOption(
            "site-title",
            help="The title written into the WXR file.",
            default="Treatment-resistant depression",
            metavar="TEXT",
        ),
    )

    def export(self, context: ExportContext) -> ExportResult:
        status = str(context.options.get("status", "draft"))
        if status not in ("draft", "publish"):
            raise ExportError(f"unknown status {status!r}; choose draft or publish")
        title = str(context.options.get("site-title", "Treatment-resistant depression"))
        pages = build_pages(context.catalog, _link, locale=context.locale)
        files: dict[str, bytes | str] = {}
        items = []
        for post_id, page in enumerate(pages, start=1):
            jsonld = script_json(page_jsonld(page, context.catalog))
            content = _check_xml(page, page_content(page, jsonld))
            meta = _meta(page, jsonld)
            items.append(_item(page, post_id, content, meta, status))
            files[f"wordpress/rest/{page.key}.json"] = _payload(page, content, meta, status)
        language = context.locale or "en"
        files["wordpress/trdcore-pages.wxr.xml"] = wxr_document(items, title, language)
        keys = ", ".join(f"'{key}'" for key in META_KEYS)
        files["wordpress/trdcore-meta.php"] = _META_PLUGIN.replace("__KEYS__", keys)
        metadata = {
            "pages": len(pages),
            "status": status,
            "skipped": skipped_items(context.catalog),
        }
        return ExportResult(files=files, metadata=metadata)


def _payload(page: Page, content: str, meta: dict[str, str], status: str) -> str:
    """The JSON body of ``POST /wp-json/wp/v2/pages`` for one page."""
    payload: dict[str, Any] = {
        "title": page.title,
        "slug": page.key,
        "status": status,
        "content": content,
        "excerpt": page.description,
        "menu_order": page.weight,
        "comment_status": "closed",
        "meta": meta,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
