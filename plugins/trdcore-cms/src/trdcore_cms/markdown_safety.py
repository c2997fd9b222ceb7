"""Make content Markdown safe to publish: raw HTML and script links become visible text.

Content is written by people and may be pasted from anywhere. Whatever it
holds, a published page must never run it: a ``<script>`` tag, an
``onerror=`` attribute or a ``javascript:`` link has to reach the reader as
the characters typed, not as markup. Site generators differ in how they
treat raw HTML (Hugo drops it silently, Jekyll and WordPress keep it), so the
text is neutralised once, here, before any of them sees it:

- outside code, ``<`` becomes the entity ``&lt;``, which every CommonMark
  renderer shows as a literal ``<`` (so no tag, attribute or autolink is
  ever formed);
- a link or image whose destination has a scheme other than http, https,
  mailto or tel is broken up so that it renders as plain text;
- code spans and fenced code are left alone: renderers escape them anyway.
"""

from __future__ import annotations

import html
import re

__all__ = ["SAFE_SCHEMES", "has_shortcode_in_code", "neutralise_markdown", "unsafe_destination"]

#: URL schemes a published link may use; anything else (javascript:, data:, vbscript:) is refused.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# An inline link or image destination: "](" then the destination up to whitespace or ")".
_INLINE_LINK = re.compile(r"\]\(([^)\s]*)")
# A reference definition: "[label]: destination".
_REFERENCE = re.compile(r"^( {0,3})\[([^\]]+)\]:\s*(\S+)", re.MULTILINE)
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_destination(destination: str) -> bool:
    """Whether a link destination names a scheme outside :data:`SAFE_SCHEMES`.

    Entities and backslash escapes are decoded and control characters and
    spaces removed first, as browsers do, so ``jav&#97;script:`` and
    ``java\\tscript:`` are caught too.
    """
    decoded = html.unescape(destination).replace("\\", "").strip("<>")
    decoded = _CONTROL_OR_SPACE.sub("", decoded).lower()
    match = _SCHEME.match(decoded)
    return bool(match) and match.group(1) not in SAFE_SCHEMES  # type: ignore[union-attr]


def _neutralise_prose(text: str) -> str:
    """Neutralise one stretch of Markdown that holds no code."""

    def inline(match: re.Match[str]) -> str:
        if unsafe_destination(match.group(1)):
            return "]\\(" + match.group(1)
        return match.group(0)

    def reference(match: re.Match[str]) -> str:
        if unsafe_destination(match.group(3)):
            return f"{match.group(1)}\\[{match.group(2)}]: {match.group(3)}"
        return match.group(0)

    text = _INLINE_LINK.sub(inline, text)
    text = _REFERENCE.sub(reference, text)
    return text.replace("<", "&lt;")


def _split_code_spans(text: str) -> list[tuple[bool, str]]:
    """Split a paragraph of Markdown into (is_code, text) pieces at CommonMark code spans."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    start = 0
    while True:
        opening = re.compile(r"(?<!`)(`+)(?!`)").search(text, position)
        if opening is None:
            break
        ticks = opening.group(1)
        closing = re.compile(rf"(?<!`){ticks}(?!`)").search(text, opening.end())
        if closing is None:
            position = opening.end()
            continue
        pieces.append((False, text[start : opening.start()]))
        pieces.append((True, text[opening.start() : closing.end()]))
        start = position = closing.end()
    pieces.append((False, text[start:]))
    return pieces


def _pieces(markdown: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces of a Markdown document: fenced blocks, code spans and prose."""
    pieces: list[tuple[bool, str]] = []
    prose: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        marker = _FENCE.match(line)
        if fence is None and marker:
            pieces.extend(_split_code_spans("".join(prose)))
            prose = []
            fence = marker.group(1)
            pieces.append((True, line))
        elif fence is not None:
            pieces.append((True, line))
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
        else:
            prose.append(line)
    pieces.extend(_split_code_spans("".join(prose)))
    return [piece for piece in pieces if piece[1]]


def neutralise_markdown(markdown: str) -> str:
    """The Markdown with raw HTML and unsafe links turned into text (see the module docstring)."""
    return "".join(text if code else _neutralise_prose(text) for code, text in _pieces(markdown))


def has_shortcode_in_code(markdown: str) -> bool:
    """Whether code in the Markdown holds ``{{<`` or ``{{%`` (Hugo would run it as a shortcode)."""
    return any(code and ("{{<" in text or "{{%" in text) for code, text in _pieces(markdown))
