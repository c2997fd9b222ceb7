"""One person's current depressive episode and every treatment tried in it.

This is the input the TRD definitions are evaluated against. Absent fields are ``None`` (not
recorded); ``"unknown"`` is kept apart from them because a definition may treat "asked, not
known" differently from "never asked".
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Self, TypeAlias

import attrs
import orjson

from trdcore.models._json import JSON_KEY, DocumentModel, JsonModel, json_arguments
from trdcore.models.common import Coding, DailyDose, DateOrUnknown, Duration, ScaleScore, Unknown

__all__ = [
    "Augmentation",
    "Condition",
    "Course",
    "DoseOrUnknown",
    "DrugReference",
    "Episode",
    "OutcomeInferred",
    "SystemIdentifier",
    "TimedTreatment",
    "TreatmentHistory",
    "Trial",
]

DoseOrUnknown: TypeAlias = DailyDose | Unknown
Severity: TypeAlias = Literal[
    "mild",
    "moderate",
    "severe-without-psychotic-features",
    "severe-with-psychotic-features",
    "unknown",
]
Adherence: TypeAlias = Literal["full", "partial", "poor", "unknown"]
Outcome: TypeAlias = Literal[
    "remission", "response", "partial-response", "non-response", "intolerance", "unknown"
]
ReasonStopped: TypeAlias = Literal[
    "not-effective",
    "side-effects",
    "remission",
    "patient-preference",
    "cost-or-access",
    "switched-by-clinician",
    "other",
    "unknown",
]
CourseKind: TypeAlias = Literal["ect", "rtms", "psychotherapy", "vns", "other"]


@attrs.frozen(kw_only=True)
class SystemIdentifier(JsonModel):
    """The person's identifier in another system (a record number), with that system's URI."""

    system: str
    value: str


@attrs.frozen(kw_only=True)
class Episode(JsonModel):
    """The current major depressive episode: only trials within it count for most definitions."""

    start_date: DateOrUnknown
    severity: Severity | None = None
    diagnoses: tuple[Coding, ...] | None = None
    scores: tuple[ScaleScore, ...] | None = None


@attrs.frozen(kw_only=True)
class DrugReference(JsonModel):
    """A drug as the source recorded it: a name, codes (RxNorm, ATC), or both.

    Matching it to a catalog drug is the evaluation's job, so the raw wording is kept.
    """

    name: str | None = None
    codings: tuple[Coding, ...] | None = None


@attrs.frozen(kw_only=True)
class TimedTreatment(JsonModel):
    """When a treatment ran: start and end dates, or a duration when the dates are not known.

    ``ongoing`` true means it had not ended when it was recorded.
    """

    start_date: DateOrUnknown | None = None
    end_date: DateOrUnknown | None = None
    ongoing: bool | None = None
    duration: Duration | None = None


@attrs.frozen(kw_only=True)
class Augmentation(TimedTreatment):
    """An agent added to an antidepressant trial (aripiprazole, lithium...) with its own dose."""

    drug: DrugReference
    daily_dose: DoseOrUnknown | None = None


@attrs.frozen(kw_only=True)
class OutcomeInferred(JsonModel):
    """Why a trial's outcome reads non-response though none was recorded: the treatment that
    followed it (claims-style inference, opt-in; see :mod:`trdcore.rules.inference`)."""

    method: Literal["switch"]
    within_days: int
    next_start: datetime.date
    next_drug: str | None = None
    next_trial: str | None = None


@attrs.frozen(kw_only=True)
class Condition(JsonModel):
    """A recorded condition with its date: what exclusions and required diagnoses read."""

    id: str | None = None
    name: str | None = None
    codings: tuple[Coding, ...] | None = None
    date: datetime.date


@attrs.frozen(kw_only=True)
class Trial(TimedTreatment):
    """One antidepressant trial: a drug at a daily dose for a period, and how it went.

    ``daily_dose`` is the highest dose taken for a sustained period, which is what dose
    adequacy is judged on.
    """

    id: str | None = None
    drug: DrugReference
    daily_dose: DoseOrUnknown | None = None
    adherence: Adherence | None = None
    outcome: Outcome | None = None
    outcome_inferred: OutcomeInferred | None = None
    baseline_score: ScaleScore | None = None
    end_score: ScaleScore | None = None
    reason_stopped: ReasonStopped | None = None
    augmentation: tuple[Augmentation, ...] | None = None
    notes: str | None = None


@attrs.frozen(kw_only=True)
class Course(TimedTreatment):
    """A non-drug treatment course (ECT, rTMS, psychotherapy, VNS), which some definitions count."""

    id: str | None = None
    kind: CourseKind
    name: str | None = None
    codings: tuple[Coding, ...] | None = None
    sessions: int | None = None
    outcome: Outcome | None = None
    baseline_score: ScaleScore | None = None
    end_score: ScaleScore | None = None
    notes: str | None = None


@attrs.frozen(kw_only=True)
class TreatmentHistory(DocumentModel):
    """A treatment-history document: the episode, its antidepressant trials and other courses."""

    SCHEMA_NAME: ClassVar[str] = "treatment-history"

    schema: Literal["treatment-history@1.0.0", "treatment-history@1.1.0"] | None = None
    id: str | None = None
    identifiers: tuple[SystemIdentifier, ...] | None = None
    episode: Episode
    trials: tuple[Trial, ...]
    courses: tuple[Course, ...] | None = None
    conditions: tuple[Condition, ...] | None = None
    notes: str | None = None
    # What from_json read, passed only by from_json. Construction keeps it as _document and
    # empties this field, so attrs.evolve (which passes every init field on) never hands a
    # changed history the old one's JSON.
    _read_from: Mapping[str, Any] | None = attrs.field(
        default=None, alias="_read_from", eq=False, repr=False, metadata={JSON_KEY: None}
    )
    _document: dict[str, Any] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Part of construction, so setting the frozen fields here is allowed.
        read = self._read_from
        # The document read is kept as it is, not copied: a copy costs more than building the
        # model (and doubles what the garbage collector walks). See from_json.
        document = super().to_json() if read is None else read
        object.__setattr__(self, "_document", document)
        object.__setattr__(self, "_read_from", None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build the history from checked JSON, and keep that JSON as its :attr:`document`.

        The document is kept, not copied: do not change it after building the model from it
        (trdcore's readers never do; take :meth:`to_json`, a copy, to make a changed one).
        """
        return cls(**json_arguments(cls, data), _read_from=data)

    @property
    def document(self) -> Mapping[str, Any]:
        """The checked JSON document this history stands for: the one it was read from, or
        (for a model built otherwise) written from its fields once, at construction.

        The evaluation reads trials from JSON only; this hands it the JSON without writing it
        again from the fields (which costs more than the whole verdict). It is shared: read
        it, never change it; :meth:`to_json` gives a copy to change.
        """
        return self._document

    def to_json(self) -> dict[str, Any]:
        """A copy of :attr:`document`: the same JSON that writing the fields out would give."""
        return _private_copy(self._document)


def _private_copy(document: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a checked JSON document, every value exactly as it was (7 and 7.0).

    Through orjson, three times as fast as copy.deepcopy. It would write NaN as null, but a
    checked document holds none; what orjson refuses (integers beyond 64 bits, mappings that
    are not dicts) is copied by copy.deepcopy instead.
    """
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(document))
    except orjson.JSONEncodeError:
        copied = copy.deepcopy(dict(document))
    return copied
