"""Publishable pages and handouts: ordered sections for one audience in one language."""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import Review, Status

__all__ = ["ContentModule", "GlossaryEntry", "HumanReview", "RuleSuppression", "Section"]

ReviewInstrument: TypeAlias = Literal[
    "pemat-understandability", "pemat-actionability", "cdc-clear-communication-index"
]


@attrs.frozen(kw_only=True)
class RuleSuppression(JsonModel):
    """A content rule switched off for one section, with the reason shown in lint output."""

    rule: str
    reason: str


@attrs.frozen(kw_only=True)
class Section(JsonModel):
    """One section of a module in Markdown, with the sources of its clinical claims."""

    id: str
    heading: str
    body: str
    sources: tuple[str, ...] | None = None
    suppressions: tuple[RuleSuppression, ...] | None = None


@attrs.frozen(kw_only=True)
class GlossaryEntry(JsonModel):
    """A term the text has to use, explained in plain words."""

    term: str
    definition: str


@attrs.frozen(kw_only=True)
class HumanReview(JsonModel):
    """A stored result of a human readability instrument (PEMAT, CDC Clear Communication Index)."""

    instrument: ReviewInstrument
    score_percent: float
    reviewed_by: str
    date: datetime.date


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
    human_reviews: tuple[HumanReview, ...] | None = None
    review: Review
    sources: tuple[str, ...] | None = None
