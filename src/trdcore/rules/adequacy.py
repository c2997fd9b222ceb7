"""Is one trial an adequate, failed trial under one definition? Criterion by criterion.

Each criterion is a small pure function returning a :class:`Criterion`:
``pass``, ``fail``, ``unknown`` (the data cannot decide) or
``not-applicable``, with a sentence saying why and, where a threshold was
used, the threshold with its sources. A trial counts when no criterion fails
and none is unknown; it cannot count when one fails; otherwise it is
undecided (``None``), which is what makes a verdict indeterminate.

The thresholds come from the definition's parameters and the drug catalog;
their sources are cited there (see ``trdcore definitions show ID``).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

import attrs

__all__ = ["Criterion", "TrialFacts", "assess_trial", "improvement_percent", "trial_weeks"]

Result = Literal["pass", "fail", "unknown", "not-applicable"]
#: Average weeks in a month (365.25 / 12 / 7), for durations given in months.
WEEKS_PER_MONTH = 365.25 / 12 / 7
_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}


@attrs.frozen
class Criterion:
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


@attrs.frozen
class TrialFacts:
    """What the engine knows about one trial or course after normalisation."""

    pointer: str
    kind: str  # antidepressant | augmentation | psychotherapy | ect | other-neurostimulation
    item: Any  # the Trial or Course model
    drug: Any = None  # CatalogEntry of the matched drug, None if unknown or not a drug
    drug_input: str | None = None


def trial_weeks(item: Any, as_of: datetime.date) -> float | None:
    """Length of a trial in weeks: from its dates (ongoing: up to ``as_of``), else its duration."""
    start, end = item.start_date, item.end_date
    if isinstance(start, datetime.date):
        if isinstance(end, datetime.date):
            return (end - start).days / 7
        if end is None and item.ongoing:
            return max((as_of - start).days, 0) / 7
    duration = item.duration
    if duration is not None:
        factor = {"day": 1 / 7, "week": 1.0, "month": WEEKS_PER_MONTH}[duration.unit]
        return float(duration.value) * factor
    return None


def improvement_percent(item: Any) -> tuple[float, str] | None:
    """Percent improvement from baseline to end score on one scale, if both are recorded."""
    baseline, end = item.baseline_score, item.end_score
    if baseline is None or end is None or baseline.scale != end.scale or baseline.value <= 0:
        return None
    return (baseline.value - end.value) / baseline.value * 100, baseline.scale


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


def _dose(facts: TrialFacts, parameters: Any) -> Criterion:
    rule = parameters.adequate_dose
    if facts.kind not in ("antidepressant", "augmentation"):
        return Criterion("dose", "not-applicable", "not a drug treatment")
    if rule.method == "clinician-judgment":
        return Criterion("dose", "not-applicable", "dose adequacy is left to clinician judgment")
    if facts.drug is None:
        return Criterion(
            "dose", "unknown", "the drug is not in the catalog, so its minimum dose is unknown"
        )
    minimum = next(
        (dose for dose in facts.drug.model.adequate_doses or () if dose.scheme == rule.scheme),
        None,
    )
    if minimum is None:
        return Criterion(
            "dose", "unknown", f"no {rule.scheme} minimum dose is recorded for {facts.drug.id}"
        )
    needed = minimum.minimum_daily
    threshold = {
        "parameter": f"{rule.scheme} minimum daily dose of {facts.drug.id}",
        "value": needed.value,
        "unit": needed.unit,
        "sources": list(minimum.sources),
        "verification": minimum.verification,
    }
    dose = facts.item.daily_dose
    if dose is None or dose == "unknown":
        what = "not recorded" if dose is None else "recorded as unknown"
        return Criterion("dose", "unknown", f"the daily dose is {what}", threshold)
    given = _comparable(dose, needed.unit)
    if given is None:
        return Criterion(
            "dose",
            "unknown",
            f"a dose in {dose.unit} cannot be compared with {needed.unit}",
            threshold,
        )
    if given >= needed.value:
        return Criterion(
            "dose", "pass", f"{given:g} {needed.unit}/day is at least {needed.value:g}", threshold
        )
    return Criterion(
        "dose",
        "fail",
        f"{given:g} {needed.unit}/day is below the minimum of {needed.value:g}",
        threshold,
    )


def _comparable(dose: Any, unit: str) -> float | None:
    if dose.unit == unit:
        return float(dose.value)
    if dose.unit in _TO_MG and unit in _TO_MG:
        return float(dose.value) * _TO_MG[dose.unit] / _TO_MG[unit]
    return None


def _duration(facts: TrialFacts, parameters: Any, as_of: datetime.date) -> Criterion:
    if facts.kind not in ("antidepressant", "augmentation"):
        return Criterion(
            "duration", "not-applicable", "no minimum duration for this kind of treatment"
        )
    rule = parameters.min_trial_weeks
    threshold = _threshold("minimum trial duration", rule.value, rule, "week")
    weeks = trial_weeks(facts.item, as_of)
    if weeks is None:
        return Criterion(
            "duration", "unknown", "neither dates nor a duration are recorded", threshold
        )
    if weeks >= rule.value:
        return Criterion(
            "duration", "pass", f"{weeks:.1f} weeks is at least {rule.value:g}", threshold
        )
    return Criterion(
        "duration", "fail", f"{weeks:.1f} weeks is shorter than {rule.value:g}", threshold
    )


def _non_response(facts: TrialFacts, parameters: Any) -> Criterion:
    rule = parameters.non_response
    outcome = facts.item.outcome
    if outcome == "intolerance":
        return Criterion(
            "non-response", "not-applicable", "stopped for side effects (see intolerance)"
        )
    if rule.method == "percent-improvement":
        inclusive = bool(rule.inclusive)
        limit = rule.max_improvement_percent
        threshold = _threshold(
            "non-response: improvement " + ("at most" if inclusive else "less than"),
            limit,
            rule,
            "%",
        )
        measured = improvement_percent(facts.item)
        if measured is not None and (not rule.scales or measured[1] in rule.scales):
            value, scale = measured
            failed = value <= limit if inclusive else value < limit
            detail = f"{value:.0f}% improvement on {scale}"
            return Criterion("non-response", "pass" if failed else "fail", detail, threshold)
        return _from_outcome(outcome, rule, threshold, limit)
    return _from_outcome(outcome, rule, None, None)


def _from_outcome(outcome: str | None, rule: Any, threshold: Any, limit: float | None) -> Criterion:
    if outcome == "non-response":
        return Criterion("non-response", "pass", "recorded as no response", threshold)
    if outcome in ("response", "remission"):
        return Criterion("non-response", "fail", f"recorded as {outcome}", threshold)
    if outcome == "partial-response":
        counts = rule.partial_response_counts
        if counts is None and limit is not None and limit >= 50:
            counts = True  # a partial response is by definition less than a 50% improvement
        if counts is None:
            return Criterion(
                "non-response",
                "unknown",
                "recorded as a partial response; the definition's threshold needs scale scores",
                threshold,
            )
        return Criterion(
            "non-response",
            "pass" if counts else "fail",
            "recorded as a partial response, which " + ("counts" if counts else "does not count"),
            threshold,
        )
    what = "not recorded" if outcome is None else "recorded as unknown"
    return Criterion("non-response", "unknown", f"the outcome is {what}", threshold)


def _adherence(facts: TrialFacts, parameters: Any) -> Criterion:
    rule = parameters.adherence_required
    if not rule.value or facts.kind not in ("antidepressant", "augmentation"):
        return Criterion("adherence", "not-applicable", "adherence is not required")
    threshold = _threshold("adherence required", True, rule)
    adherence = facts.item.adherence
    if adherence == "full":
        return Criterion("adherence", "pass", "taken as prescribed", threshold)
    if adherence in ("partial", "poor"):
        return Criterion("adherence", "fail", f"adherence was {adherence}", threshold)
    what = "not recorded" if adherence is None else "recorded as unknown"
    return Criterion("adherence", "unknown", f"adherence is {what}", threshold)


def _intolerance(facts: TrialFacts, parameters: Any) -> Criterion:
    if facts.item.outcome != "intolerance":
        return Criterion("intolerance", "not-applicable", "not stopped for side effects")
    rule = parameters.intolerance_counts_as_failure
    threshold = _threshold("intolerance counts as failure", rule.value, rule)
    if rule.value:
        return Criterion("intolerance", "pass", "stopped for side effects, which counts", threshold)
    return Criterion(
        "intolerance", "fail", "stopped for side effects, which does not count", threshold
    )


def _kind(facts: TrialFacts, parameters: Any) -> Criterion:
    counts = parameters.counts_as_trial
    allowed = {
        "antidepressant": counts.antidepressant,
        "augmentation": counts.augmentation,
        "psychotherapy": counts.psychotherapy,
        "ect": counts.ect,
        "other-neurostimulation": counts.other_neurostimulation,
    }[facts.kind]
    threshold = _threshold(f"{facts.kind} counts as a trial", allowed, counts)
    if facts.kind == "antidepressant" and facts.drug is None:
        return Criterion(
            "kind", "unknown", f"{facts.drug_input!r} is not a drug trdcore knows", threshold
        )
    if allowed:
        return Criterion("kind", "pass", f"{facts.kind} counts as a trial", threshold)
    return Criterion("kind", "fail", f"{facts.kind} does not count as a trial", threshold)


def assess_trial(
    facts: TrialFacts, parameters: Any, as_of: datetime.date
) -> tuple[bool | None, list[Criterion]]:
    """Every criterion for one trial, and whether it counts (None: the data cannot tell)."""
    criteria = [
        _kind(facts, parameters),
        _dose(facts, parameters),
        _duration(facts, parameters, as_of),
        _non_response(facts, parameters),
        _adherence(facts, parameters),
        _intolerance(facts, parameters),
    ]
    results = {criterion.result for criterion in criteria}
    if "fail" in results:
        return False, criteria
    if "unknown" in results:
        return None, criteria
    return True, criteria
