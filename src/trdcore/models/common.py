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
    "Coding",
    "DailyDose",
    "DateOrUnknown",
    "DoseUnit",
    "Duration",
    "LocalizedText",
    "Review",
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
class LocalizedText(JsonModel):
    """Markdown text for one audience in one language (a BCP 47 tag such as en or es-MX)."""

    text: str
    language: str | None = None
