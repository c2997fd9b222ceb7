"""Treatment options for treatment-resistant depression, with sourced statements and texts."""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import (
    Coding,
    GlossaryEntry,
    HumanReviews,
    LocalizedText,
    Review,
    Status,
    Verification,
)

__all__ = ["RegulatoryStatus", "SourcedStatement", "Treatment", "TreatmentText"]

TreatmentCategory: TypeAlias = Literal[
    "medication-change",
    "augmentation",
    "psychotherapy",
    "neurostimulation",
    "rapid-acting",
    "investigational",
]
ApprovalStatus: TypeAlias = Literal[
    "approved", "cleared", "off-label", "investigational", "not-approved"
]


@attrs.frozen(kw_only=True)
class RegulatoryStatus(JsonModel):
    """Whether a regulator (FDA, EMA...) approved or cleared the treatment in one region."""

    region: str
    authority: str
    status: ApprovalStatus
    indication: str | None = None
    date: datetime.date | None = None
    sources: tuple[str, ...]
    verification: Verification


@attrs.frozen(kw_only=True)
class SourcedStatement(JsonModel):
    """A clinical statement about evidence, safety, course, access or monitoring, with sources."""

    topic: Literal["evidence", "safety", "course", "access", "monitoring"]
    text: str
    sources: tuple[str, ...]
    verification: Verification


@attrs.frozen(kw_only=True)
class TreatmentText(JsonModel):
    """The same treatment explained twice: in plain language for patients, and for clinicians."""

    patient: LocalizedText
    clinician: LocalizedText


@attrs.frozen(kw_only=True)
class Treatment(DocumentModel):
    """A treatment option a clinician may consider next, and what is known about it."""

    SCHEMA_NAME: ClassVar[str] = "treatment"

    schema: Literal["treatment@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    name: str
    category: TreatmentCategory
    drugs: tuple[str, ...] | None = None
    regulatory: tuple[RegulatoryStatus, ...] | None = None
    statements: tuple[SourcedStatement, ...] | None = None
    codings: tuple[Coding, ...] | None = None
    text: TreatmentText
    glossary: tuple[GlossaryEntry, ...] | None = None
    human_reviews: HumanReviews | None = None
    review: Review | None = None
    sources: tuple[str, ...]
