"""Catalog items explained in words: what ``trdcore definitions show`` prints.

Each line says what a parameter requires and which sources it rests on, and
flags anything provisional or unverified, so a reader never mistakes a
working assumption for a published fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from trdcore.catalog import Catalog

__all__ = ["ParameterExplanation", "explain_definition", "summarise_definition"]


@attrs.frozen
class ParameterExplanation:
    """One parameter of a definition in words, with its sources and verification mark."""

    parameter: str
    text: str
    sources: tuple[str, ...]
    verification: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self) | {"sources": list(self.sources)}


def _weeks(value: float) -> str:
    return f"{value:g} week{'s' if value != 1 else ''}"


def _non_response(rule: Any) -> str:
    if rule.method == "recorded-outcome":
        return "non-response is taken from the recorded outcome of each trial"
    if rule.method == "next-treatment":
        starts = "; ".join(
            f"a start of {', '.join(item.code_lists)} after at least {item.min_failed_trials} "
            f"trial{'s' if item.min_failed_trials != 1 else ''} of different drugs"
            + (" (begun on its first day too)" if item.same_day else "")
            for item in rule.next_treatments
        )
        return (
            "no outcome is read: a trial counts as failed when a listed treatment starts after "
            f"it, no more than {rule.within_days} days after it ended ({starts}); the earliest "
            "such start is the index, and only its trials count"
        )
    comparison = "at most" if rule.inclusive else "less than"
    scales = f" on {', '.join(rule.scales)}" if rule.scales else " on a rating scale"
    text = f"non-response means {comparison} {rule.max_improvement_percent:g}% improvement{scales}"
    if rule.partial_response_counts is not None:
        text += "; a partial response " + (
            "counts" if rule.partial_response_counts else "does not count"
        )
    return text


def _counts(rule: Any) -> str:
    kinds = {
        "antidepressant trials": rule.antidepressant,
        "augmentation": rule.augmentation,
        "psychotherapy": rule.psychotherapy,
        "ECT": rule.ect,
        "other brain stimulation": rule.other_neurostimulation,
    }
    counted = [name for name, yes in kinds.items() if yes]
    ignored = [name for name, yes in kinds.items() if not yes]
    text = "counts " + (", ".join(counted) or "nothing")
    return text + (f"; does not count {', '.join(ignored)}" if ignored else "")


def _episode(rule: Any) -> str:
    if rule.value == "current-episode":
        return (
            "only trials in the current episode count: a trial that ended before the episode "
            "began is not counted, and one that began before it counts its weeks inside it"
        )
    if rule.value == "lookback-days":
        return (
            f"only trials in the {rule.days} days before the evaluation date count (a trial "
            "that began earlier counts its weeks inside the window)"
        )
    return "trials from any time in the person's history count"


def explain_definition(definition: Any) -> list[ParameterExplanation]:
    """Every parameter of a TRD definition model, in words."""
    p = definition.parameters
    items: list[tuple[str, str, Any]] = [
        (
            "min_failed_trials",
            f"at least {p.min_failed_trials.value} failed adequate trials"
            if p.adequate_dose.method == "dose-scheme"
            else f"at least {p.min_failed_trials.value} failed trials (dose not checked)",
            p.min_failed_trials,
        ),
    ]
    classes = p.distinct_classes
    if classes.required:
        classes_text = (
            f"the failed trials must span at least {classes.min_classes} drug classes "
            f"({classes.taxonomy} taxonomy)"
        )
    else:
        classes_text = "the failed trials may be of the same drug class"
    items.append(("distinct_classes", classes_text, classes))
    items.append(
        (
            "min_trial_weeks",
            f"each trial lasts at least {_weeks(p.min_trial_weeks.value)}"
            if p.min_trial_weeks.value
            else "a trial of any length counts",
            p.min_trial_weeks,
        )
    )
    if p.early_stop_weeks is not None:
        items.append(
            (
                "early_stop_weeks",
                f"a trial stopped before {_weeks(p.early_stop_weeks.value)} without clear "
                "non-response is not a failure",
                p.early_stop_weeks,
            )
        )
    dose = p.adequate_dose
    if dose.method == "dose-scheme":
        dose_text = (
            f"each trial's daily dose must reach the drug's minimum under the {dose.scheme} "
            "dose scheme (an unknown dose cannot count; choose another scheme with --dose-scheme)"
        )
    elif dose.method == "not-checked":
        dose_text = "the definition does not read dose, so no trial is called adequately dosed"
    else:
        dose_text = (
            "the dose is not checked (left to clinician judgment), so no trial is called "
            "adequately dosed"
        )
    items.append(("adequate_dose", dose_text, dose))
    items.append(("non_response", _non_response(p.non_response), p.non_response))
    items.append(("counts_as_trial", _counts(p.counts_as_trial), p.counts_as_trial))
    items.append(("episode_scope", _episode(p.episode_scope), p.episode_scope))
    items.append(
        (
            "adherence_required",
            "the drug must have been taken as prescribed"
            if p.adherence_required.value
            else "adherence is not required",
            p.adherence_required,
        )
    )
    items.append(
        (
            "intolerance_counts_as_failure",
            "stopping for side effects counts as a failed trial"
            if p.intolerance_counts_as_failure.value
            else "stopping for side effects does not count as a failed trial",
            p.intolerance_counts_as_failure,
        )
    )
    if p.trial_drugs is not None:
        items.append(
            (
                "trial_drugs",
                "only drugs of " + ", ".join(p.trial_drugs.code_lists) + " count as trials",
                p.trial_drugs,
            )
        )
    if p.required_condition is not None:
        rule = p.required_condition
        items.append(
            (
                "required_condition",
                f"a condition of {', '.join(rule.code_lists)} must be recorded in the "
                f"{rule.days_before} days up to the index (or evaluation) date",
                rule,
            )
        )
    if p.exclusions is not None:
        items.append(
            (
                "exclusions",
                f"a condition of {', '.join(p.exclusions.code_lists)} recorded on or before "
                "the index (or evaluation) date excludes the person",
                p.exclusions,
            )
        )
    explanations = [
        ParameterExplanation(name, text, tuple(rule.sources), rule.verification, rule.note)
        for name, text, rule in items
    ]
    missing = (
        "missing data that could change the verdict makes it indeterminate"
        if p.missing_data == "indeterminate"
        else "a trial with missing data is not counted"
    )
    explanations.append(
        ParameterExplanation(
            "missing_data",
            missing,
            (),
            "verified",
            "a trdcore evaluation policy, not a clinical claim",
        )
    )
    return explanations


def summarise_definition(definition: Any) -> str:
    """One short line: trials, classes, weeks, non-response."""
    p = definition.parameters
    classes = "different classes" if p.distinct_classes.required else "any class"
    rule = p.non_response
    if rule.method == "percent-improvement":
        sign = "<=" if rule.inclusive else "<"
        response = f"{sign}{rule.max_improvement_percent:g}% improvement"
    elif rule.method == "next-treatment":
        response = f"failure inferred from the next treatment within {rule.within_days} days"
    else:
        response = "recorded outcome"
    return (
        f">={p.min_failed_trials.value} trials, {classes}, "
        f">={p.min_trial_weeks.value:g} wk, {response}"
    )


def source_titles(catalog: Catalog, ids: Iterable[str]) -> list[str]:
    """Source ids with their titles and years, for printing (unknown ids are flagged)."""
    titles = []
    for identifier in ids:
        entry = catalog.get("source", identifier)
        if entry is None:
            titles.append(f"{identifier} (not in the bibliography)")
        else:
            titles.append(f"{identifier}: {entry.model.title} ({entry.model.year})")
    return titles
