"""Building blocks shared by every document: codes, doses, durations, scores, review, sources.

These mirror the ``common`` schema. Two conventions run through all models: a field that is
``None`` was not recorded (left out of the document), while the literal ``"unknown"`` means it
was asked about and is not known; and every list is a tuple, so models stay hashable values.
"""

from __future__ import annotations

import datetime
from typing import Generic, Literal, TypeAlias, TypeVar

import attrs

from trdcore.models._json import JsonModel

__all__ = [
    "ClearCommunicationReview",
    "Coding",
    "DailyDose",
    "DateOrUnknown",
    "DoseUnit",
    "Duration",
    "GlossaryEntry",
    "HumanReviews",
    "LocalizedText",
    "PematReview",
    "Review",
    "RuleSuppression",
    "Scale",
    "ScaleScore",
    "Sourced",
    "Status",
    "Unknown",
    "Verification",
]

Unknown: TypeAlias = Literal["unknown"]
DateOrUnknown: TypeAlias = datetime.date | Unknown
DoseUnit: TypeAlias = Literal["mg", "g", "mcg", "mg/24h"]
Scale: TypeAlias = Literal[
    "PHQ-9", "MADRS", "HAM-D-17", "HAM-D-21", "QIDS-SR-16", "QIDS-C-16", "BDI-II", "CGI-S"
]
Status: TypeAlias = Literal["draft", "active", "retired"]
Verification: TypeAlias = Literal["verified", "provisional", "unverified"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Coding(JsonModel):
    """A code in a named code system (RxNorm, ATC, ICD-10-CM, SNOMED CT...), as in HL7 FHIR."""

    system: str
    code: str
    display: str | None = None
    version: str | None = None


@attrs.frozen(kw_only=True)
class Duration(JsonModel):
    """How long something lasted, for when the start and end dates were never recorded."""

    value: float
    unit: Literal["day", "week", "month"]


@attrs.frozen(kw_only=True)
class DailyDose(JsonModel):
    """A total daily dose with its unit; mg/24h is a patch's delivery rate, not an amount."""

    value: float
    unit: DoseUnit


@attrs.frozen(kw_only=True)
class ScaleScore(JsonModel):
    """A total on a depression rating scale (PHQ-9, MADRS, HAM-D...), dated when known."""

    scale: Scale
    value: float
    date: datetime.date | None = None


@attrs.frozen(kw_only=True)
class Review(JsonModel):
    """Who last reviewed a content item and when it is due again: content must not go stale."""

    reviewed_by: str
    last_reviewed: datetime.date
    next_review: datetime.date | None = None


@attrs.frozen(kw_only=True)
class Sourced(JsonModel, Generic[T]):
    """A clinical value with the sources it rests on and how well it is established.

    ``T`` is the kind of value: a number of weeks, a count of trials, a yes/no rule or a
    choice such as the episode scope.
    """

    value: T
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class RuleSuppression(JsonModel):
    """A content rule switched off for one text, with the reason shown in every lint report."""

    rule: str
    reason: str


@attrs.frozen(kw_only=True)
class LocalizedText(JsonModel):
    """Markdown text for one audience in one language (a BCP 47 tag such as en or es-MX)."""

    text: str
    language: str | None = None
    suppressions: tuple[RuleSuppression, ...] | None = None


@attrs.frozen(kw_only=True)
class GlossaryEntry(JsonModel):
    """A term the text has to use, explained in plain words, with sources for clinical facts."""

    term: str
    definition: str
    sources: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class PematReview(JsonModel):
    """One scoring of a text with AHRQ's PEMAT: understandability and actionability, in percent."""

    form: Literal["PEMAT-P", "PEMAT-A/V"]
    instrument_version: str | None = None
    understandability_percent: float
    actionability_percent: float
    reviewed_by: str
    date: datetime.date


@attrs.frozen(kw_only=True)
class ClearCommunicationReview(JsonModel):
    """One scoring of a text with the CDC Clear Communication Index (out of 100)."""

    score: float
    score_sheet: Literal["standard", "modified"] | None = None
    reviewed_by: str
    date: datetime.date


@attrs.frozen(kw_only=True)
class HumanReviews(JsonModel):
    """Stored human review scores of a patient text; software never fills these in."""

    pemat: tuple[PematReview, ...] | None = None
    clear_communication_index: tuple[ClearCommunicationReview, ...] | None = None
