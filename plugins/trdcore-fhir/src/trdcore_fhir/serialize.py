"""Resources to bytes and back: deterministic JSON, NDJSON per type, Bundles, narrative."""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import orjson

from trdcore_fhir.terminology import DEFAULT_BASE

__all__ = [
    "EXTENSION_BASE",
    "Resource",
    "canonical",
    "dumps",
    "narrative",
    "ndjson_by_type",
    "stable_id",
    "table_div",
    "table_narrative",
    "transaction_bundle",
    "without_empty",
]

Resource = dict[str, Any]

#: trdcore's own extensions: ``{EXTENSION_BASE}/<name>`` (named in docs/plugins/fhir.md).
EXTENSION_BASE: Final = f"{DEFAULT_BASE}/StructureDefinition"
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, DEFAULT_BASE).bytes
#: SHA-1 of the namespace, to be copied and continued with each name.
_NAMESPACE_SHA1: Final = hashlib.sha1(_NAMESPACE)


def dumps(resource: object, *, indent: bool = False) -> bytes:
    """JSON with sorted keys: the same resource always gives the same bytes."""
    option = orjson.OPT_SORT_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(resource, option=option)


def canonical(resource_type: str, identifier: str) -> str:
    """The canonical URL (without version) of one of trdcore's definitional resources."""
    return f"{DEFAULT_BASE}/{resource_type}/{identifier}"


def stable_id(*parts: str) -> str:
    """A resource id derived from ``parts`` (a UUID 5), the same on every run.

    The text of ``uuid.uuid5(namespace, name)``, built without the UUID object: results
    make several per patient.
    """
    hashed = _NAMESPACE_SHA1.copy()
    hashed.update("\x1f".join(parts).encode())
    digest = bytearray(hashed.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def transaction_bundle(resources: Iterable[Resource], *, bundle_id: str) -> Resource:
    """A transaction Bundle that PUTs every resource at ``Type/id``, so posting it twice
    leaves a server as it was after the first time."""
    entries = [
        {
            "fullUrl": f"{DEFAULT_BASE}/{resource['resourceType']}/{resource['id']}",
            "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
            "resource": resource,
        }
        for resource in resources
    ]
    return {"resourceType": "Bundle", "id": bundle_id, "type": "transaction", "entry": entries}


def ndjson_by_type(resources: Iterable[Resource]) -> dict[str, bytes]:
    """Bulk-data style files: ``<ResourceType>.ndjson`` with one resource a line."""
    lines: dict[str, list[bytes]] = {}
    for resource in resources:
        lines.setdefault(resource["resourceType"], []).append(dumps(resource))
    return {f"{kind}.ndjson": b"\n".join(found) + b"\n" for kind, found in sorted(lines.items())}


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _LINK.sub(r"\1", escaped)


def narrative(title: str | None, markdown: str, *, status: str = "generated") -> Resource:
    """A Narrative whose div renders simple Markdown (headings, lists, bold, paragraphs).

    Everything else is escaped, so the XHTML stays inside what FHIR allows (no scripts,
    no attributes beyond the namespace).
    """
    parts: list[str] = []
    if title:
        parts.append(f"<h2>{_inline(title)}</h2>")
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:].strip())}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        elif lines[0].startswith("#"):
            heading = lines[0].lstrip("#").strip()
            parts.append(f"<h3>{_inline(heading)}</h3>")
            if lines[1:]:
                parts.append(f"<p>{_inline(' '.join(line.strip() for line in lines[1:]))}</p>")
        else:
            parts.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    div = '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(parts) + "</div>"
    return {"status": status, "div": div}


def table_narrative(title: str, rows: Sequence[tuple[str, str]]) -> Resource:
    """A Narrative with a heading and a two-column table (label, value)."""
    return {"status": "generated", "div": table_div(title, rows)}


def table_div(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """The XHTML div of :func:`table_narrative`."""
    body = "".join(f"<tr><td>{_inline(k)}</td><td>{_inline(v)}</td></tr>" for k, v in rows)
    return (
        '<div xmlns="http://www.w3.org/1999/xhtml">'
        f"<h2>{_inline(title)}</h2><table>{body}</table></div>"
    )


def without_empty(data: Mapping[str, Any]) -> Resource:
    """``data`` without keys whose value is None or empty (FHIR forbids empty elements)."""
    return {key: value for key, value in data.items() if value not in (None, [], {}, "")}
