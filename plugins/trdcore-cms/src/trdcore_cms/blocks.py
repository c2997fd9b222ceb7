"""Markdown to WordPress block markup (the Gutenberg editor's serialized format).

A block is HTML between two comments: ``<!-- wp:paragraph -->`` ...
``<!-- /wp:paragraph -->`` (the ``core/`` prefix is dropped, attributes are a
JSON object after the name). The Markdown is rendered by markdown-it-py in
CommonMark mode with raw HTML off, so any HTML in the text arrives as
escaped text; the top-level tokens then map one-to-one onto core blocks:
heading, paragraph, list (with list-item), table, separator, quote and code.

Grammar: https://developer.wordpress.org/block-editor/reference-guides/packages/packages-block-serialization-default-parser/
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["block", "markdown_blocks"]

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def block(name: str, html: str, attributes: dict[str, Any] | None = None) -> str:
    """One serialized block; ``html`` is its inner HTML (inner blocks included)."""
    attrs = ""
    if attributes:
        attrs = " " + json.dumps(attributes, ensure_ascii=False, sort_keys=True)
    return f"<!-- wp:{name}{attrs} -->\n{html}\n<!-- /wp:{name} -->"


def _render(tokens: Sequence[Token]) -> str:
    return str(_MARKDOWN.renderer.render(list(tokens), _MARKDOWN.options, {})).strip()


def _top_level(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split a token stream into its top-level blocks (an opening token through its close)."""
    groups: list[list[Token]] = []
    depth = 0
    current: list[Token] = []
    for token in tokens:
        current.append(token)
        depth += token.nesting
        if depth == 0:
            groups.append(current)
            current = []
    return groups


def _list_block(tokens: list[Token]) -> str:
    ordered = tokens[0].type == "ordered_list_open"
    items = []
    for item in _top_level(tokens[1:-1]):
        items.append(block("list-item", _render(item)))
    tag = "ol" if ordered else "ul"
    html = f'<{tag} class="wp-block-list">' + "\n".join(items) + f"</{tag}>"
    return block("list", html, {"ordered": True} if ordered else None)


def _blocks(tokens: Sequence[Token]) -> list[str]:
    found = []
    for group in _top_level(tokens):
        first = group[0]
        if first.type == "heading_open":
            level = int(first.tag[1])
            inner = _render(group[1:-1])
            html = f'<{first.tag} class="wp-block-heading">{inner}</{first.tag}>'
            found.append(block("heading", html, None if level == 2 else {"level": level}))
        elif first.type == "paragraph_open":
            found.append(block("paragraph", _render(group)))
        elif first.type in ("bullet_list_open", "ordered_list_open"):
            found.append(_list_block(group))
        elif first.type == "table_open":
            found.append(
                block("table", f'<figure class="wp-block-table">{_render(group)}</figure>')
            )
        elif first.type == "hr":
            found.append(
                block("separator", '<hr class="wp-block-separator has-alpha-channel-opacity"/>')
            )
        elif first.type == "blockquote_open":
            inner = "\n".join(_blocks(group[1:-1]))
            found.append(block("quote", f'<blockquote class="wp-block-quote">{inner}</blockquote>'))
        elif first.type in ("fence", "code_block"):
            code = _render(group).removeprefix("<pre>").removesuffix("</pre>")
            found.append(block("code", f'<pre class="wp-block-code">{code}</pre>'))
        else:  # pragma: no cover - markdown-it's CommonMark preset has no other block tokens
            raise ValueError(f"no WordPress block for Markdown token {first.type!r}")
    return found


def markdown_blocks(markdown: str) -> list[str]:
    """The Markdown as a list of serialized blocks, in order."""
    return _blocks(_MARKDOWN.parse(markdown))
