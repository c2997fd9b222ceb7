"""What the content rules read: the text fields of an item and the pages it publishes.

A **page** is one publishable unit of text for one audience, the thing a reader
holds or opens, and the unit the page-level rules (reading grade, crisis
resource, jargon, PEMAT/CDC records) judge:

- a ``content-module`` is one page (web page or printed handout) for its
  ``audience``; its body is every section's body, in order;
- a ``treatment`` publishes two pages: ``/text/patient`` (the patient page or
  handout about the treatment) and ``/text/clinician``; its ``glossary`` serves
  both and is read as patient text, its ``human_reviews`` score the patient page.

Every other string in an item (a drug's notes, a definition's summary, a
treatment's sourced statements) is clinician-facing text: it is checked by the
word-list rules but is not a page. Citation records (``source``) are other
people's titles and are not linted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, Literal

import attrs

from trdcore.models._json import DocumentModel
from trdcore.models.common import GlossaryEntry, HumanReviews

__all__ = ["LintContext", "Page", "TextField", "item_kind", "pages", "text_fields"]

Audience = Literal["patient", "clinician"]

#: Keys whose values are identifiers, codes, links or dates, never prose a reader sees.
_NOT_PROSE = frozenset(
    {
        "schema",
        "id",
        "version",
        "status",
        "sources",
        "system",
        "code",
        "url",
        "doi",
        "pmid",
        "pmcid",
        "language",
        "topics",
        "drugs",
        "codes",  # a code list's published codes and displays, the terminology's own words
        "taxonomy",
        "translation_of",
        "region",
        "verification",
        "category",
        "method",
        "instrument",
        "reviewed_by",
        "rule",
        "reason",
        "scale",
        "unit",
        "roles",
        "human_reviews",  # scores and reviewer names, not text a reader sees
    }
)
_HEADING_KEYS = frozenset({"title", "heading", "name", "term", "label"})


@attrs.frozen
class TextField:
    """One string of an item a reader sees, where it is, and who reads it."""

    pointer: str
    text: str
    audience: Audience
    heading: bool = False


@attrs.frozen
class Page:
    """One publishable text for one audience (see the module docstring)."""

    pointer: str
    audience: Audience
    language: str
    bodies: tuple[TextField, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    human_reviews: HumanReviews | None = None

    @property
    def markdown(self) -> str:
        return "\n\n".join(field.text for field in self.bodies)

    @property
    def primary_language(self) -> str:
        """The language subtag of the page's BCP 47 tag, lower case: ``es`` for ``es-MX``."""
        return self.language.split("-", 1)[0].lower()

    @property
    def english(self) -> bool:
        return self.primary_language == "en"


def item_kind(item: object) -> str:
    """The schema name of a content model (``"drug"``, ``"content-module"`` ...)."""
    return str(getattr(type(item), "SCHEMA_NAME", type(item).__name__))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _walk(value: Any, pointer: str, key: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, str):
        yield pointer, key, value
    elif isinstance(value, dict):
        for child, inner in value.items():
            if child not in _NOT_PROSE:
                yield from _walk(inner, f"{pointer}/{_escape(child)}", child)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, f"{pointer}/{index}", key)


def text_fields(item: DocumentModel) -> tuple[TextField, ...]:
    """Every prose string of ``item`` with its JSON pointer and audience."""
    kind = item_kind(item)
    if kind == "source":
        return ()
    module_audience: Audience = getattr(item, "audience", "clinician")
    found = []
    for pointer, key, text in _walk(item.to_json(), "", ""):
        audience: Audience = "clinician"
        if kind == "content-module":
            audience = module_audience
        elif kind == "treatment" and pointer.startswith(("/text/patient/", "/glossary/")):
            audience = "patient"
        found.append(TextField(pointer, text, audience, heading=key in _HEADING_KEYS))
    return tuple(found)


def pages(item: DocumentModel) -> tuple[Page, ...]:
    """The pages ``item`` publishes (none for drugs, definitions, staging models, sources)."""
    kind = item_kind(item)
    if kind == "content-module":
        module: Any = item
        bodies = tuple(
            TextField(f"/sections/{index}/body", section.body, module.audience)
            for index, section in enumerate(module.sections)
        )
        return (
            Page(
                "",
                module.audience,
                module.language,
                bodies,
                tuple(module.glossary or ()),
                module.human_reviews,
            ),
        )
    if kind == "treatment":
        treatment: Any = item
        found = []
        for audience in ("patient", "clinician"):
            text = getattr(treatment.text, audience)
            found.append(
                Page(
                    f"/text/{audience}",
                    audience,
                    text.language or "en",
                    (TextField(f"/text/{audience}/text", text.text, audience),),
                    tuple(treatment.glossary or ()),
                    treatment.human_reviews if audience == "patient" else None,
                )
            )
        return tuple(found)
    return ()


@attrs.frozen
class LintContext:
    """What a rule may need beyond the item: the date to judge freshness by and the catalog.

    ``as_of`` is None when the caller gave no date: the freshness rule then
    checks nothing (library code never reads the clock). ``catalog`` is the
    whole catalog the item belongs to, for rules that look items up (sources,
    translation originals); None when linting an item on its own.
    """

    kind: str
    ref: str
    fields: tuple[TextField, ...]
    pages: tuple[Page, ...]
    as_of: datetime.date | None = None
    catalog: Any = None

    @classmethod
    def of(
        cls,
        item: DocumentModel,
        *,
        as_of: datetime.date | None = None,
        catalog: Any = None,
    ) -> LintContext:
        ref = f"{getattr(item, 'id', '?')}@{getattr(item, 'version', '?')}"
        return cls(item_kind(item), ref, text_fields(item), pages(item), as_of, catalog)
