"""The adequacy criteria: one function per criterion, for the verdict and the explanation alike.

Each criterion is a small frozen object compiled from a definition's
parameters; calling it on a trial's :class:`~trdcore.facts.TrialFacts` gives
one :data:`Finding`: the result word (``pass``, ``fail``, ``unknown`` when the
data cannot decide, ``not-applicable``), a sentence template with its values
and the threshold used. The verdict reads only the result word and stops at
the first ``fail``; the explanation formats every finding. Both come from the
same call, so an explanation can never disagree with a verdict (the pattern of
python-jsonschema's ``iter_errors`` / ``is_valid``).

A criterion reads nothing but its own fields, so what it decides depends on
exactly those fields: :func:`decision_key` derives from them which criteria
decide alike (for sharing work between definitions), leaving out only fields
marked :func:`explains` (the threshold documents with their sources, which
change the wording of an explanation and never a verdict). A new parameter
is part of the key unless someone marks it otherwise, so two definitions that
differ in it are never merged.

The thresholds come from the definition's parameters and the drug catalog;
their sources are cited there (see ``trdcore definitions show ID``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, NamedTuple

import attrs

from trdcore.facts import DRUG_KINDS, TrialFacts

__all__ = [
    "Adherence",
    "Criterion",
    "Dose",
    "Duration",
    "Episode",
    "Finding",
    "Intolerance",
    "Kind",
    "NonResponse",
    "Result",
    "Window",
    "decision_key",
    "explains",
    "threshold",
]

Result = Literal["pass", "fail", "unknown", "not-applicable"]
PASS: Result = "pass"
FAIL: Result = "fail"
UNKNOWN: Result = "unknown"
NOT_APPLICABLE: Result = "not-applicable"
#: What one criterion says about one trial: (result, sentence template, the template's values,
#: threshold or None). A plain tuple: made for every trial and definition, it must be cheap
#: (the criteria spell the result words out, so a finding without a threshold is a constant).
Finding = tuple[Result, str, tuple[Any, ...], "Mapping[str, Any] | None"]
_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
_EXPLAINS = "trdcore.explains"


class Criterion(NamedTuple):
    """One criterion's explained result for one trial, with the threshold it used (if any)."""

    criterion: str
    result: Result
    detail: str
    threshold: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, name: str, finding: Finding) -> Criterion:
        """The explained form of a finding."""
        result, template, values, used = finding
        return cls(name, result, template.format(*values) if values else template, used)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "criterion": self.criterion,
            "result": self.result,
            "detail": self.detail,
        }
        if self.threshold is not None:
            data["threshold"] = self.threshold
        return data


def explains(**options: Any) -> Any:
    """A criterion field that only words the explanation (left out of :func:`decision_key`)."""
    return attrs.field(metadata={_EXPLAINS: True}, eq=False, **options)


def decision_key(criterion: Any) -> tuple[Any, ...]:
    """Everything a criterion's decisions depend on: its class and every field but those
    marked :func:`explains`. Two criteria with equal keys decide every trial alike."""
    values = [
        _hashable(getattr(criterion, field.name))
        for field in attrs.fields(type(criterion))
        if not field.metadata.get(_EXPLAINS)
    ]
    return (type(criterion).__qualname__, *values)


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, list | tuple | frozenset | set):
        items = [_hashable(item) for item in value]
        return tuple(sorted(items) if isinstance(value, frozenset | set) else items)
    if attrs.has(type(value)):
        return decision_key(value)
    return value


def threshold(parameter: str, value: Any, rule: Any, unit: str | None = None) -> dict[str, Any]:
    """The threshold document a criterion reports: the parameter, its value and sources."""
    data: dict[str, Any] = {
        "parameter": parameter,
        "value": value,
        "sources": list(rule.sources),
        "verification": rule.verification,
    }
    if unit:
        data["unit"] = unit
    return data


@attrs.frozen
class Kind:
    """Whether this kind of treatment counts as a trial at all (and whether the drug is known)."""

    name: ClassVar[str] = "kind"
    allowed: Mapping[str, bool]
    thresholds: Mapping[str, Mapping[str, Any]] = explains()
    #: The definition's trial drugs (``trial_drugs``) as drug refs; None: every drug counts.
    listed: frozenset[str] | None = None
    listed_by: Mapping[str, Any] | None = explains(default=None)
    #: The finding for each kind (the same for every trial of it), made once.
    by_kind: Mapping[str, Finding] = explains(init=False, repr=False)

    @by_kind.default
    def _by_kind(self) -> Mapping[str, Finding]:
        return {
            kind: ("pass", "{} counts as a trial", (kind,), self.thresholds[kind])
            if allowed
            else ("fail", "{} does not count as a trial", (kind,), self.thresholds[kind])
            for kind, allowed in self.allowed.items()
        }

    @property
    def decides(self) -> bool:
        return True

    def __call__(self, facts: TrialFacts) -> Finding:
        kind = facts.kind
        if kind == "antidepressant" and facts.drug is None:
            used = self.thresholds[kind]
            return "unknown", "{!r} is not a drug trdcore knows", (facts.drug_input,), used
        listed = self.listed
        drug = facts.drug
        if listed is not None and drug is not None and drug.ref not in listed:
            detail = "{} is not one of the definition's trial drugs"
            return "fail", detail, (drug.id,), self.listed_by
        return self.by_kind[kind]


@attrs.frozen
class Dose:
    """At least the minimum daily dose of the drug under the definition's dosing scheme."""

    name: ClassVar[str] = "dose"
    judged: bool
    scheme: str | None
    #: By drug ``id@version``: (minimum daily dose, unit) under the scheme.
    minimums: Mapping[str, tuple[float, str]]
    thresholds: Mapping[str, Mapping[str, Any]] = explains()
    #: When doses are not judged: left to the clinician (True) or not part of the
    #: definition at all (False, the not-checked method of a phenotype).
    left_to_clinician: bool = explains(default=True)

    @property
    def decides(self) -> bool:
        return self.judged  # otherwise always left to clinician judgment or not checked

    def __call__(self, facts: TrialFacts) -> Finding:
        if facts.kind not in DRUG_KINDS:
            return "not-applicable", "not a drug treatment", (), None
        if not self.judged:
            if self.left_to_clinician:
                return "not-applicable", "dose adequacy is left to clinician judgment", (), None
            return "not-applicable", "the definition does not check dose", (), None
        drug = facts.drug
        if drug is None:
            detail = "the drug is not in the catalog, so its minimum dose is unknown"
            return "unknown", detail, (), None
        minimum = self.minimums.get(drug.ref)
        if minimum is None:
            return "unknown", "no {} minimum dose is recorded for {}", (self.scheme, drug.id), None
        needed, unit = minimum
        used = self.thresholds[drug.ref]
        dose = facts.dose
        scheme = self.scheme
        if dose is None:
            return "unknown", "the daily dose is not recorded", (), used
        if dose == "unknown":
            return "unknown", "the daily dose is recorded as unknown", (), used
        given = _comparable(dose, unit)
        if given is None:
            return "unknown", "a dose in {} cannot be compared with {}", (dose.unit, unit), used
        values = (given, unit, scheme, needed)
        if given >= needed:
            return "pass", "{:g} {}/day is at least the {} minimum of {:g}", values, used
        return "fail", "{:g} {}/day is below the {} minimum of {:g}", values, used


def _comparable(dose: Any, unit: str) -> float | None:
    if dose.unit == unit:
        return float(dose.value)
    if dose.unit in _TO_MG and unit in _TO_MG:
        return float(dose.value) * _TO_MG[dose.unit] / _TO_MG[unit]
    return None


@attrs.frozen
class Window:
    """Which part of the history a definition counts trials in (its ``episode_scope``).

    ``current-episode``: from the episode's start; ``lookback-days``: from ``days`` days
    before the evaluation date; ``lifetime``: everything. A trial that ended before the
    window is not counted (:class:`Episode`); one that began before it counts only its weeks
    inside it (:class:`Duration`), since the definitions judge a trial of this episode.
    """

    scope: str
    days: int | None = None
    #: The window's start in words, for explanations.
    what: str = explains(init=False, repr=False)

    @what.default
    def _what(self) -> str:
        if self.scope == "current-episode":
            return "the episode began"
        return f"the {self.days}-day look-back window began"

    def weeks_inside(self, facts: TrialFacts) -> float | None:
        """The trial's weeks inside the window (all of them when it began inside it)."""
        span = facts.span
        if span is not None and self.scope != "lifetime":
            start = self.start(facts)
            if start is not None and span[0] < start:
                return max((span[1] - start).days, 0) / 7
        return facts.weeks

    def start(self, facts: TrialFacts) -> datetime.date | None:
        """The first day that counts for this trial's history (None: no limit is known)."""
        if self.scope == "current-episode":
            return facts.episode_start
        if self.scope == "lookback-days" and facts.as_of is not None and self.days:
            return facts.as_of - datetime.timedelta(days=self.days)
        return None


_UNDATED = "no dates are recorded; taken to be in the episode it is listed in"
_NO_START = "the episode's start is not recorded; taken to be in the episode it is listed in"


@attrs.frozen
class Episode:
    """The trial belongs to the window the definition counts (the current episode by default).

    A trial with dates that ended before the window began is not counted, and the reason
    names both dates. A trial without dates, or a history whose episode start is unknown,
    is taken to be in the current episode as the history lists it (the treatment-history
    schema records the current episode's trials). Dates go into the findings as dates: they
    are formatted only when a finding is explained.
    """

    name: ClassVar[str] = "episode"
    window: Window
    used: Mapping[str, Any] = explains()
    _current: bool = explains(init=False, repr=False)

    @_current.default
    def _is_current(self) -> bool:
        return self.window.scope == "current-episode"

    @property
    def decides(self) -> bool:
        return self.window.scope != "lifetime"

    def __call__(self, facts: TrialFacts) -> Finding:
        if self.window.scope == "lifetime":
            return "not-applicable", "trials from any time count", (), None
        span = facts.span
        if span is None:
            return "pass", _UNDATED, (), self.used
        start = facts.episode_start if self._current else self.window.start(facts)
        if start is None:
            return "pass", _NO_START, (), self.used
        last = span[1]
        if last < start:
            values = (last, self.window.what, start)
            return "fail", "it ended on {}, before {} on {}", values, self.used
        if span[0] < start:
            values = (last, self.window.what, start)
            detail = "it began before {1} on {2}; only its weeks from then count"
            return "pass", detail, values, self.used
        return "pass", "in the counted period", (), self.used


@attrs.frozen
class Duration:
    """At least the definition's minimum number of weeks (drug trials only), counting only the
    weeks inside the definition's window (:class:`Window`) when the trial began before it."""

    name: ClassVar[str] = "duration"
    min_weeks: float
    window: Window
    used: Mapping[str, Any] = explains()
    _limited: bool = explains(init=False, repr=False)

    @_limited.default
    def _is_limited(self) -> bool:
        return self.window.scope != "lifetime"

    @property
    def decides(self) -> bool:
        return True

    def __call__(self, facts: TrialFacts) -> Finding:
        if facts.kind not in DRUG_KINDS:
            return "not-applicable", "no minimum duration for this kind of treatment", (), None
        weeks, needed = facts.weeks, self.min_weeks
        if weeks is None:
            return "unknown", "neither dates nor a duration are recorded", (), self.used
        span = facts.span
        if span is not None and self._limited:
            start = self.window.start(facts)
            if start is not None and span[0] < start:
                return self._inside(span[1], start, weeks)
        if weeks >= needed:
            return "pass", "{:.1f} weeks is at least {:g}", (weeks, needed), self.used
        return "fail", "{:.1f} weeks is shorter than {:g}", (weeks, needed), self.used

    def _inside(self, last: datetime.date, start: datetime.date, weeks: float) -> Finding:
        """A trial that began before the window: only its weeks inside it count."""
        if last < start:
            return "not-applicable", "no weeks inside the counted period", (), None
        inside, needed = (last - start).days / 7, self.min_weeks
        values = (inside, start, weeks, needed)
        if inside >= needed:
            template = "{:.1f} weeks from {} (of {:.1f} in all) is at least {:g}"
            return "pass", template, values, self.used
        template = "{:.1f} weeks from {} (of {:.1f} in all) is shorter than {:g}"
        return "fail", template, values, self.used


@attrs.frozen
class NonResponse:
    """No response: improvement within the definition's limit, or recorded as no response."""

    name: ClassVar[str] = "non-response"
    by_improvement: bool
    limit: float | None
    inclusive: bool
    scales: frozenset[str] | None
    #: Whether a recorded partial response counts (None: only scale scores can tell).
    partial_counts: bool | None
    #: The next-treatment method: only a failure the whole-history rule inferred counts
    #: (:mod:`trdcore.rules.whole_history`); recorded outcomes and scores are not read.
    by_next_treatment: bool
    used: Mapping[str, Any] | None = explains()
    _no_response: Finding = explains(init=False, repr=False)  # noqa: RUF009 (an attrs field)

    @_no_response.default
    def _recorded_no_response(self) -> Finding:
        return "pass", "recorded as no response", (), self.used

    @property
    def decides(self) -> bool:
        return True

    def __call__(self, facts: TrialFacts) -> Finding:
        outcome = facts.outcome
        inferred = facts.inferred
        used = self.used
        if self.by_next_treatment:
            if inferred is not None and inferred["method"] == "next-treatment":
                values = (inferred.get("next_drug", "a listed treatment"), inferred["next_start"])
                return "pass", "failure inferred: {} started on {}", values, used
            return "fail", "no listed treatment started after it to mark it failed", (), used
        if outcome == "intolerance":
            return "not-applicable", "stopped for side effects (see intolerance)", (), None
        measured = facts.improvement
        if (
            self.limit is not None
            and measured is not None
            and (self.scales is None or measured[1] in self.scales)
        ):
            value, scale = measured
            failed = value <= self.limit if self.inclusive else value < self.limit
            return "pass" if failed else "fail", "{:.0f}% improvement on {}", (value, scale), used
        if outcome == "non-response":
            if inferred is not None:
                detail = "no response inferred, not recorded: {} started on {} (within {} days)"
                found = (
                    inferred.get("next_drug", "another treatment"),
                    inferred["next_start"],
                    inferred["within_days"],
                )
                return "pass", detail, found, used
            return self._no_response
        if outcome in ("response", "remission"):
            return "fail", "recorded as {}", (outcome,), used
        if outcome == "partial-response":
            counts = self.partial_counts
            if counts is None:
                detail = (
                    "recorded as a partial response; the definition's threshold needs scale scores"
                )
                return "unknown", detail, (), used
            if counts:
                return "pass", "recorded as a partial response, which counts", (), used
            return "fail", "recorded as a partial response, which does not count", (), used
        if outcome is None:
            return "unknown", "the outcome is not recorded", (), used
        return "unknown", "the outcome is recorded as unknown", (), used


@attrs.frozen
class Adherence:
    """Taken as prescribed, when the definition requires it (drug trials only)."""

    name: ClassVar[str] = "adherence"
    required: bool
    used: Mapping[str, Any] = explains()
    _taken: Finding = explains(init=False, repr=False)  # noqa: RUF009 (an attrs field)

    @_taken.default
    def _taken_as_prescribed(self) -> Finding:
        return "pass", "taken as prescribed", (), self.used

    @property
    def decides(self) -> bool:
        return self.required  # otherwise always not applicable

    def __call__(self, facts: TrialFacts) -> Finding:
        if not self.required or facts.kind not in DRUG_KINDS:
            return "not-applicable", "adherence is not required", (), None
        adherence = facts.adherence
        if adherence == "full":
            return self._taken
        if adherence in ("partial", "poor"):
            return "fail", "adherence was {}", (adherence,), self.used
        if adherence is None:
            return "unknown", "adherence is not recorded", (), self.used
        return "unknown", "adherence is recorded as unknown", (), self.used


@attrs.frozen
class Intolerance:
    """Whether a trial stopped for side effects counts as a failed trial."""

    name: ClassVar[str] = "intolerance"
    counts: bool
    used: Mapping[str, Any] = explains()

    @property
    def decides(self) -> bool:
        return not self.counts  # otherwise it can only pass or not apply

    def __call__(self, facts: TrialFacts) -> Finding:
        if facts.outcome != "intolerance":
            return "not-applicable", "not stopped for side effects", (), None
        if self.counts:
            return "pass", "stopped for side effects, which counts", (), self.used
        return "fail", "stopped for side effects, which does not count", (), self.used
