"""Publishable pages and handouts: ordered sections for one audience in one language."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import (
    ClearCommunicationReview,
    GlossaryEntry,
    HumanReviews,
    PematReview,
    Review,
    RuleSuppression,
    Status,
)

__all__ = [
    "ClearCommunicationReview",
    "ContentModule",
    "GlossaryEntry",
    "HumanReviews",
    "PematReview",
    "RuleSuppression",
    "Section",
]


@attrs.frozen(kw_only=True)
class Section(JsonModel):
    """One section of a module in Markdown, with the sources of its clinical claims."""

    id: str
    heading: str
    body: str
    sources: tuple[str, ...] | None = None
    suppressions: tuple[RuleSuppression, ...] | None = None


@attrs.frozen(kw_only=True)
class ContentModule(DocumentModel):
    """A page or handout for patients or clinicians; a translation names its original."""

    SCHEMA_NAME: ClassVar[str] = "content-module"

    schema: Literal["content-module@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    title: str
    description: str | None = None
    audience: Literal["patient", "clinician"]
    language: str
    topics: tuple[str, ...] | None = None
    sections: tuple[Section, ...]
    glossary: tuple[GlossaryEntry, ...] | None = None
    translation_of: str | None = None
    human_reviews: HumanReviews | None = None
    review: Review
    sources: tuple[str, ...] | None = None
