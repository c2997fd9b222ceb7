"""Is one trial an adequate, failed trial under one definition? Criterion by criterion.

A definition's parameters are compiled once into :class:`AdequacyRules`
(thresholds with their sources, each drug's minimum dose under the
definition's dosing scheme), which then judges any number of trials. Each
criterion is one method that either returns a :class:`Criterion` (``pass``,
``fail``, ``unknown`` when the data cannot decide, or ``not-applicable``,
with a sentence saying why and the threshold used) or, on the verdict-only
path, just the result word: the same decision serves both, so an
explanation can never disagree with a verdict.

A trial counts when no criterion fails and none is unknown; it cannot count
when one fails; otherwise it is undecided (``None``), which is what makes a
verdict indeterminate.

The thresholds come from the definition's parameters and the drug catalog;
their sources are cited there (see ``trdcore definitions show ID``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import attrs

__all__ = [
    "AdequacyPanel",
    "AdequacyRules",
    "Criterion",
    "Dose",
    "TrialFacts",
]

Result = Literal["pass", "fail", "unknown", "not-applicable"]
#: Average weeks in a month (365.25 / 12 / 7), for durations given in months.
WEEKS_PER_MONTH = 365.25 / 12 / 7
_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
_WEEKS_PER_UNIT = {"day": 1 / 7, "week": 1.0, "month": WEEKS_PER_MONTH}
_DRUG_KINDS = frozenset({"antidepressant", "augmentation"})
_PASS: Result = "pass"
_FAIL: Result = "fail"
_UNKNOWN: Result = "unknown"
_NA: Result = "not-applicable"


class Criterion(NamedTuple):
    """One criterion's result for one trial, with the threshold it used (if any)."""

    criterion: str
    result: Result
    detail: str
    threshold: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "criterion": self.criterion,
            "result": self.result,
            "detail": self.detail,
        }
        if self.threshold is not None:
            data["threshold"] = self.threshold
        return data


class Dose(NamedTuple):
    """A daily dose as the engine compares it: the amount and its unit (mg, g, mcg, mg/24h)."""

    value: float
    unit: str


class TrialFacts(NamedTuple):
    """What the engine knows about one trial or course after normalisation.

    Everything that does not depend on the definition is worked out once per
    history (as of one date), however many definitions and staging models
    then judge it: the matched drug, the length in weeks, the improvement,
    and the recorded dose, outcome and adherence. Made from a model
    (:meth:`from_model`) or straight from schema-valid JSON (:meth:`from_json`,
    the batch path, which never builds the model); both give equal facts.
    """

    pointer: str
    kind: str  # antidepressant | augmentation | psychotherapy | ect | other-neurostimulation
    drug: Any = None  # CatalogEntry of the matched drug, None if unknown or not a drug
    drug_input: str | None = None
    weeks: float | None = None
    improvement: tuple[float, str] | None = None
    identity: str = ""
    dose: Dose | Literal["unknown"] | None = None  # trials only
    outcome: str | None = None
    adherence: str | None = None  # trials only
    #: First and last day taken (an ongoing one: up to the as-of date), when both are known.
    span: tuple[datetime.date, datetime.date] | None = None
    trial_id: str | None = None
    augmented: bool = False  # an augmenting agent was recorded with the trial

    @classmethod
    def from_model(
        cls,
        pointer: str,
        kind: str,
        item: Any,
        drug: Any,
        drug_input: str | None,
        as_of: datetime.date,
    ) -> TrialFacts:
        """Normalise one Trial or Course model as of a date (ongoing treatments run to it)."""
        span = _span(item.start_date, item.end_date, item.ongoing, as_of)
        if span is not None:
            weeks: float | None = (span[1] - span[0]).days / 7
        else:
            duration = item.duration
            weeks = (
                None if duration is None else float(duration.value) * _WEEKS_PER_UNIT[duration.unit]
            )
        improvement = None
        baseline, end = item.baseline_score, item.end_score
        if baseline is not None and end is not None:
            improvement = _improvement(baseline.scale, baseline.value, end.scale, end.value)
        if kind in _DRUG_KINDS:  # a Trial
            dose, adherence, augmented = item.daily_dose, item.adherence, bool(item.augmentation)
            if dose is not None and dose.__class__ is not str:  # not "unknown"
                dose = _new_tuple(Dose, (dose.value, dose.unit))
        else:  # a Course
            dose = adherence = None
            augmented = False
        return _new_tuple(
            cls,
            (
                pointer,
                kind,
                drug,
                drug_input,
                weeks,
                improvement,
                drug.id if drug is not None else f"{kind}:{drug_input}",
                dose,
                item.outcome,
                adherence,
                span,
                item.id,
                augmented,
            ),
        )

    @classmethod
    def from_json(
        cls,
        pointer: str,
        kind: str,
        data: Mapping[str, Any],
        drug: Any,
        drug_input: str | None,
        as_of: datetime.date,
    ) -> TrialFacts:
        """:meth:`from_model` for the JSON of a trial or course that passed its schema check.

        The batch path: the same rules as :meth:`from_model`, read from the JSON (a property
        test holds the two equal for every schema-valid history).
        """
        get = data.get
        start, end = get("start_date"), get("end_date")
        span = _span(
            start if start is None or start == "unknown" else _date(start),
            end if end is None or end == "unknown" else _date(end),
            get("ongoing"),
            as_of,
        )
        if span is not None:
            weeks: float | None = (span[1] - span[0]).days / 7
        else:
            duration = get("duration")
            weeks = (
                None
                if duration is None
                else float(duration["value"]) * _WEEKS_PER_UNIT[duration["unit"]]
            )
        improvement = None
        baseline = get("baseline_score")
        if baseline is not None:
            last = get("end_score")
            if last is not None:
                improvement = _improvement(
                    baseline["scale"], baseline["value"], last["scale"], last["value"]
                )
        dose = get("daily_dose")
        if dose is not None and dose != "unknown":
            dose = _new_tuple(Dose, (dose["value"], dose["unit"]))
        return _new_tuple(
            cls,
            (
                pointer,
                kind,
                drug,
                drug_input,
                weeks,
                improvement,
                drug.id if drug is not None else f"{kind}:{drug_input}",
                dose,
                get("outcome"),
                get("adherence"),
                span,
                get("id"),
                bool(get("augmentation")),
            ),
        )


_date = datetime.date.fromisoformat
_new_tuple = tuple.__new__


def _span(
    start: Any, end: Any, ongoing: bool | None, as_of: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """First and last day, when both are dates; an ongoing treatment without an end runs to
    ``as_of`` (or no further than its start, if that is later). ``"unknown"`` is not a date."""
    if start is None or start.__class__ is str:
        return None
    if end is None:
        if not ongoing:
            return None
        return start, as_of if as_of > start else start
    if end.__class__ is str:
        return None
    return start, end


def _improvement(
    scale: str, baseline: float, end_scale: str, end: float
) -> tuple[float, str] | None:
    """Percent improvement from baseline to end score on one scale (None: not comparable)."""
    if scale != end_scale or baseline <= 0:
        return None
    return (baseline - end) / baseline * 100, scale


def _threshold(parameter: str, value: Any, rule: Any, unit: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "parameter": parameter,
        "value": value,
        "sources": list(rule.sources),
        "verification": rule.verification,
    }
    if unit:
        data["unit"] = unit
    return data


def _comparable(dose: Any, unit: str) -> float | None:
    if dose.unit == unit:
        return float(dose.value)
    if dose.unit in _TO_MG and unit in _TO_MG:
        return float(dose.value) * _TO_MG[dose.unit] / _TO_MG[unit]
    return None


class AdequacyRules:
    """One definition's adequacy criteria, compiled from its parameters.

    Built once per definition and catalog by :class:`~trdcore.evaluation.Evaluator`.

    Threshold documents are built once and shared by every trial's result
    (treat them as read-only); each drug's minimum dose is looked up once.
    """

    def __init__(self, parameters: Any) -> None:
        self.parameters = parameters
        counts = parameters.counts_as_trial
        self._kinds = {
            kind: (allowed, _threshold(f"{kind} counts as a trial", allowed, counts))
            for kind, allowed in (
                ("antidepressant", counts.antidepressant),
                ("augmentation", counts.augmentation),
                ("psychotherapy", counts.psychotherapy),
                ("ect", counts.ect),
                ("other-neurostimulation", counts.other_neurostimulation),
            )
        }
        dose = parameters.adequate_dose
        self._judge_dose = dose.method != "clinician-judgment"
        self._scheme = dose.scheme
        self._minimums: dict[str, tuple[float, str, dict[str, Any]] | None] = {}
        weeks = parameters.min_trial_weeks
        self._min_weeks = weeks.value
        self._weeks_threshold = _threshold("minimum trial duration", weeks.value, weeks, "week")
        rule = parameters.non_response
        self._by_improvement = rule.method == "percent-improvement"
        self._inclusive = bool(rule.inclusive)
        self._limit = rule.max_improvement_percent if self._by_improvement else None
        self._scales = frozenset(rule.scales) if rule.scales else None
        self._response_threshold = (
            _threshold(
                "non-response: improvement " + ("at most" if self._inclusive else "less than"),
                self._limit,
                rule,
                "%",
            )
            if self._by_improvement
            else None
        )
        partial = rule.partial_response_counts
        if partial is None and self._limit is not None and self._limit >= 50:
            partial = True  # a partial response is by definition less than a 50% improvement
        self._partial_counts: bool | None = partial
        adherence = parameters.adherence_required
        self._adherence_required = bool(adherence.value)
        self._adherence_threshold = _threshold("adherence required", True, adherence)
        intolerance = parameters.intolerance_counts_as_failure
        self._intolerance_counts = bool(intolerance.value)
        self._intolerance_threshold = _threshold(
            "intolerance counts as failure", intolerance.value, intolerance
        )
        self._ect_counted: AdequacyRules | None = None
        # In the order results are reported.
        self._criteria = (
            self._kind,
            self._dose,
            self._duration,
            self._non_response,
            self._adherence,
            self._intolerance,
        )
        #: What each criterion's decision depends on: two rules with equal keys for a
        #: criterion decide it alike for every trial (see :class:`AdequacyPanel`).
        self.decision_keys: dict[str, Any] = {
            "adherence": self._adherence_required,
            "intolerance": self._intolerance_counts,
            "non-response": (
                self._by_improvement,
                self._limit,
                self._inclusive,
                self._scales,
                self._partial_counts,
            ),
            "kind": tuple(allowed for allowed, _ in self._kinds.values()),
            "duration": self._min_weeks,
            "dose": (self._judge_dose, self._scheme),
        }
        # The verdict alone stops at the first failure: the cheapest checks go first, and a
        # criterion that can neither fail nor be unknown under these parameters is left out.
        self.quick_criteria: dict[str, Any] = {
            name: check
            for name, check in (
                ("adherence", self._adherence),
                ("intolerance", self._intolerance),
                ("non-response", self._non_response),
                ("kind", self._kind),
                ("duration", self._duration),
                ("dose", self._dose),
            )
            if self._can_decide(name)
        }
        self._quick_order = tuple(self.quick_criteria.values())

    def _can_decide(self, criterion: str) -> bool:
        """Whether a criterion can fail or be unknown under these parameters (else: skip it)."""
        if criterion == "adherence":
            return self._adherence_required  # otherwise always not-applicable
        if criterion == "intolerance":
            return not self._intolerance_counts  # otherwise pass or not-applicable
        if criterion == "dose":
            return bool(self._judge_dose)  # otherwise left to clinician judgment
        return True

    def with_ect_counted(self) -> AdequacyRules:
        """The same rules with ECT counted as a trial (how staging judges ECT courses)."""
        if self._ect_counted is None:
            counts = self.parameters.counts_as_trial
            self._ect_counted = (
                self
                if counts.ect
                else AdequacyRules(
                    attrs.evolve(self.parameters, counts_as_trial=attrs.evolve(counts, ect=True))
                )
            )
        return self._ect_counted

    # --- the two ways to ask -----------------------------------------------------------------

    def counts(self, facts: TrialFacts) -> bool | None:
        """Whether the trial is an adequate failed trial (None: the data cannot tell).

        Stops at the first failed criterion: the verdict-only path.
        """
        undecided = False
        for criterion in self._quick_order:
            result = criterion(facts, False)
            if result == _FAIL:
                return False
            if result == _UNKNOWN:
                undecided = True
        return None if undecided else True

    def assess(self, facts: TrialFacts) -> tuple[bool | None, list[Criterion]]:
        """Every criterion for one trial, and whether it counts (None: the data cannot tell)."""
        criteria: list[Criterion] = [criterion(facts, True) for criterion in self._criteria]
        results = {criterion.result for criterion in criteria}
        if _FAIL in results:
            return False, criteria
        if _UNKNOWN in results:
            return None, criteria
        return True, criteria

    # --- one method per criterion: a result word, or with explain=True a Criterion -----------

    def _kind(self, facts: TrialFacts, explain: bool) -> Any:
        allowed, threshold = self._kinds[facts.kind]
        if facts.kind == "antidepressant" and facts.drug is None:
            detail = f"{facts.drug_input!r} is not a drug trdcore knows" if explain else ""
            return Criterion("kind", _UNKNOWN, detail, threshold) if explain else _UNKNOWN
        result = _PASS if allowed else _FAIL
        if not explain:
            return result
        verb = "counts" if allowed else "does not count"
        return Criterion("kind", result, f"{facts.kind} {verb} as a trial", threshold)

    def _minimum(self, drug: Any) -> tuple[float, str, dict[str, Any]] | None:
        key = drug.ref
        if key not in self._minimums:
            found = next(
                (d for d in drug.model.adequate_doses or () if d.scheme == self._scheme), None
            )
            self._minimums[key] = (
                None
                if found is None
                else (
                    found.minimum_daily.value,
                    found.minimum_daily.unit,
                    {
                        "parameter": f"{self._scheme} minimum daily dose of {drug.id}",
                        "value": found.minimum_daily.value,
                        "unit": found.minimum_daily.unit,
                        "sources": list(found.sources),
                        "verification": found.verification,
                    },
                )
            )
        return self._minimums[key]

    def _dose(self, facts: TrialFacts, explain: bool) -> Any:
        if facts.kind not in _DRUG_KINDS:
            return Criterion("dose", _NA, "not a drug treatment") if explain else _NA
        if not self._judge_dose:
            detail = "dose adequacy is left to clinician judgment"
            return Criterion("dose", _NA, detail) if explain else _NA
        if facts.drug is None:
            detail = "the drug is not in the catalog, so its minimum dose is unknown"
            return Criterion("dose", _UNKNOWN, detail) if explain else _UNKNOWN
        minimum = self._minimum(facts.drug)
        if minimum is None:
            detail = f"no {self._scheme} minimum dose is recorded for {facts.drug.id}"
            return Criterion("dose", _UNKNOWN, detail) if explain else _UNKNOWN
        needed, unit, threshold = minimum
        dose = facts.dose
        if dose is None or dose == "unknown":
            if not explain:
                return _UNKNOWN
            what = "not recorded" if dose is None else "recorded as unknown"
            return Criterion("dose", _UNKNOWN, f"the daily dose is {what}", threshold)
        given = _comparable(dose, unit)
        if given is None:
            if not explain:
                return _UNKNOWN
            detail = f"a dose in {dose.unit} cannot be compared with {unit}"
            return Criterion("dose", _UNKNOWN, detail, threshold)
        if given >= needed:
            if not explain:
                return _PASS
            return Criterion(
                "dose", _PASS, f"{given:g} {unit}/day is at least {needed:g}", threshold
            )
        if not explain:
            return _FAIL
        detail = f"{given:g} {unit}/day is below the minimum of {needed:g}"
        return Criterion("dose", _FAIL, detail, threshold)

    def _duration(self, facts: TrialFacts, explain: bool) -> Any:
        if facts.kind not in _DRUG_KINDS:
            detail = "no minimum duration for this kind of treatment"
            return Criterion("duration", _NA, detail) if explain else _NA
        weeks, needed, threshold = facts.weeks, self._min_weeks, self._weeks_threshold
        if weeks is None:
            detail = "neither dates nor a duration are recorded"
            return Criterion("duration", _UNKNOWN, detail, threshold) if explain else _UNKNOWN
        if weeks >= needed:
            if not explain:
                return _PASS
            detail = f"{weeks:.1f} weeks is at least {needed:g}"
            return Criterion("duration", _PASS, detail, threshold)
        if not explain:
            return _FAIL
        return Criterion(
            "duration", _FAIL, f"{weeks:.1f} weeks is shorter than {needed:g}", threshold
        )

    def _non_response(self, facts: TrialFacts, explain: bool) -> Any:
        outcome = facts.outcome
        if outcome == "intolerance":
            detail = "stopped for side effects (see intolerance)"
            return Criterion("non-response", _NA, detail) if explain else _NA
        threshold = self._response_threshold
        measured = facts.improvement
        if (
            self._limit is not None
            and measured is not None
            and (self._scales is None or measured[1] in self._scales)
        ):
            value, scale = measured
            failed = value <= self._limit if self._inclusive else value < self._limit
            result = _PASS if failed else _FAIL
            if not explain:
                return result
            return Criterion(
                "non-response", result, f"{value:.0f}% improvement on {scale}", threshold
            )
        if outcome == "non-response":
            detail = "recorded as no response"
            return Criterion("non-response", _PASS, detail, threshold) if explain else _PASS
        if outcome in ("response", "remission"):
            detail = f"recorded as {outcome}"
            return Criterion("non-response", _FAIL, detail, threshold) if explain else _FAIL
        if outcome == "partial-response":
            counts = self._partial_counts
            if counts is None:
                if not explain:
                    return _UNKNOWN
                detail = (
                    "recorded as a partial response; the definition's threshold needs scale scores"
                )
                return Criterion("non-response", _UNKNOWN, detail, threshold)
            result = _PASS if counts else _FAIL
            if not explain:
                return result
            detail = "recorded as a partial response, which " + (
                "counts" if counts else "does not count"
            )
            return Criterion("non-response", result, detail, threshold)
        if not explain:
            return _UNKNOWN
        what = "not recorded" if outcome is None else "recorded as unknown"
        return Criterion("non-response", _UNKNOWN, f"the outcome is {what}", threshold)

    def _adherence(self, facts: TrialFacts, explain: bool) -> Any:
        if not self._adherence_required or facts.kind not in _DRUG_KINDS:
            return Criterion("adherence", _NA, "adherence is not required") if explain else _NA
        threshold = self._adherence_threshold
        adherence = facts.adherence
        if adherence == "full":
            detail = "taken as prescribed"
            return Criterion("adherence", _PASS, detail, threshold) if explain else _PASS
        if adherence in ("partial", "poor"):
            detail = f"adherence was {adherence}"
            return Criterion("adherence", _FAIL, detail, threshold) if explain else _FAIL
        if not explain:
            return _UNKNOWN
        what = "not recorded" if adherence is None else "recorded as unknown"
        return Criterion("adherence", _UNKNOWN, f"adherence is {what}", threshold)

    def _intolerance(self, facts: TrialFacts, explain: bool) -> Any:
        if facts.outcome != "intolerance":
            detail = "not stopped for side effects"
            return Criterion("intolerance", _NA, detail) if explain else _NA
        threshold = self._intolerance_threshold
        if self._intolerance_counts:
            detail = "stopped for side effects, which counts"
            return Criterion("intolerance", _PASS, detail, threshold) if explain else _PASS
        if not explain:
            return _FAIL
        detail = "stopped for side effects, which does not count"
        return Criterion("intolerance", _FAIL, detail, threshold)


class AdequacyPanel:
    """Several definitions' adequacy rules judging the same trials, sharing what they share.

    A criterion whose parameters are equal in every rule (all five built-in
    definitions require adherence and none counts intolerance, say) is
    decided once per trial for all of them, and a trial that fails it is not
    judged further by any; rules that decide every criterion alike are
    judged once between them. The verdicts are the same as each rule's
    :meth:`AdequacyRules.counts`.
    """

    def __init__(self, rules: tuple[AdequacyRules, ...]) -> None:
        self.rules = rules
        first = rules[0] if rules else None
        shared = (
            [
                name
                for name in first.quick_criteria
                if all(
                    name in other.quick_criteria
                    and other.decision_keys[name] == first.decision_keys[name]
                    for other in rules
                )
            ]
            if first is not None
            else []
        )
        self._shared = tuple(first.quick_criteria[name] for name in shared) if first else ()
        # Rules alike in every criterion are judged once: each rule reads its group's verdict.
        groups: dict[Any, int] = {}
        own: list[tuple[Any, ...]] = []
        group_of: list[int] = []
        for rule in rules:
            key = tuple(sorted(rule.decision_keys.items()))  # every value is hashable
            if key not in groups:
                groups[key] = len(own)
                own.append(
                    tuple(
                        check for name, check in rule.quick_criteria.items() if name not in shared
                    )
                )
            group_of.append(groups[key])
        self._own = tuple(own)
        self._group_of = tuple(group_of)
        self._identity = self._group_of == tuple(range(len(rules)))
        self._all_fail = (False,) * len(rules)

    def counts(self, facts: TrialFacts) -> tuple[bool | None, ...]:
        """Each rule's :meth:`AdequacyRules.counts` of one trial, in the order of the rules."""
        undecided = False
        for check in self._shared:
            result = check(facts, False)
            if result == _FAIL:
                return self._all_fail
            if result == _UNKNOWN:
                undecided = True
        verdicts: list[bool | None] = []
        for checks in self._own:
            maybe = undecided
            for check in checks:
                result = check(facts, False)
                if result == _FAIL:
                    verdicts.append(False)
                    break
                if result == _UNKNOWN:
                    maybe = True
            else:
                verdicts.append(None if maybe else True)
        if self._identity:
            return tuple(verdicts)
        return tuple([verdicts[group] for group in self._group_of])
