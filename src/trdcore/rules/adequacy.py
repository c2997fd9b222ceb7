"""Is one trial an adequate, failed trial under one definition? Criterion by criterion.

A definition's parameters are compiled once into :class:`AdequacyRules`: its
criteria (:mod:`trdcore.rules.criteria`) with their thresholds and sources and
each drug's minimum dose under the definition's dosing scheme. A trial counts
when no criterion fails and none is unknown; it cannot count when one fails;
otherwise it is undecided (``None``), which is what makes a verdict
indeterminate.

:meth:`AdequacyRules.findings` runs every criterion (the explanation);
:meth:`AdequacyRules.counts` calls the same criteria and stops at the first
failure (the verdict). :class:`AdequacyPanel` judges trials for several
definitions at once, sharing the criteria that decide alike; which ones do is
derived from the criteria themselves (:func:`~trdcore.rules.criteria.decision_key`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from trdcore.catalog import Catalog
from trdcore.facts import TrialFacts
from trdcore.rules.criteria import (
    FAIL,
    UNKNOWN,
    Adherence,
    Criterion,
    Dose,
    Duration,
    Episode,
    Intolerance,
    Kind,
    NonResponse,
    Window,
    decision_key,
    threshold,
)
from trdcore.rules.inference import trial_drug_refs

__all__ = ["AdequacyPanel", "AdequacyRules"]

_KINDS = ("antidepressant", "augmentation", "psychotherapy", "ect", "other-neurostimulation")


def _kind_criterion(
    parameters: Any, catalog: Catalog | None = None, *, ect: bool | None = None
) -> Kind:
    counts = parameters.counts_as_trial
    allowed = {
        "antidepressant": counts.antidepressant,
        "augmentation": counts.augmentation,
        "psychotherapy": counts.psychotherapy,
        "ect": counts.ect if ect is None else ect,
        "other-neurostimulation": counts.other_neurostimulation,
    }
    listed = trial_drug_refs(parameters, catalog) if catalog is not None else None
    rule = parameters.trial_drugs
    return Kind(
        allowed=allowed,
        thresholds={
            kind: threshold(f"{kind} counts as a trial", allowed[kind], counts) for kind in _KINDS
        },
        listed=listed,
        listed_by=threshold("trial drugs", ", ".join(rule.code_lists), rule) if rule else None,
    )


def _dose_criterion(parameters: Any, catalog: Catalog, scheme: str | None) -> Dose:
    """The dose criterion under the definition's scheme, or ``scheme`` when one is chosen
    (an unknown scheme is an UnknownTargetError that suggests the closest)."""
    rule = parameters.adequate_dose
    if scheme is not None:
        scheme = catalog.resolve("dose-scheme", scheme).id
    elif rule.method in ("clinician-judgment", "not-checked"):
        return Dose(
            judged=False,
            scheme=None,
            minimums={},
            thresholds={},
            left_to_clinician=rule.method == "clinician-judgment",
        )
    else:
        scheme = rule.scheme
    minimums: dict[str, tuple[float, str]] = {}
    thresholds: dict[str, Mapping[str, Any]] = {}
    for entry in catalog.items("drug"):
        found = next((d for d in entry.model.adequate_doses or () if d.scheme == scheme), None)
        if found is None:
            continue
        minimum = found.minimum_daily
        minimums[entry.ref] = (minimum.value, minimum.unit)
        thresholds[entry.ref] = {
            "parameter": f"{scheme} minimum daily dose of {entry.id}",
            "value": minimum.value,
            "unit": minimum.unit,
            "sources": list(found.sources),
            "verification": found.verification,
        }
    return Dose(judged=True, scheme=scheme, minimums=minimums, thresholds=thresholds)


def _window(parameters: Any) -> tuple[Window, dict[str, Any]]:
    rule = parameters.episode_scope
    window = Window(rule.value, rule.days if rule.value == "lookback-days" else None)
    if rule.value == "lookback-days":
        used = threshold("trials counted: look-back window", rule.days, rule, "day")
    else:
        used = threshold("trials counted", rule.value, rule)
    return window, used


def _non_response_criterion(parameters: Any) -> NonResponse:
    rule = parameters.non_response
    by_improvement = rule.method == "percent-improvement"
    inclusive = bool(rule.inclusive)
    limit = rule.max_improvement_percent if by_improvement else None
    partial = rule.partial_response_counts
    if partial is None and limit is not None and limit >= 50:
        partial = True  # a partial response is by definition less than a 50% improvement
    used = (
        threshold(
            "non-response: improvement " + ("at most" if inclusive else "less than"),
            limit,
            rule,
            "%",
        )
        if by_improvement
        else None
    )
    if rule.method == "next-treatment":
        used = threshold(
            "failure inferred from the next treatment, within", rule.within_days, rule, "day"
        )
    return NonResponse(
        by_improvement=by_improvement,
        limit=limit,
        inclusive=inclusive,
        scales=frozenset(rule.scales) if rule.scales else None,
        partial_counts=partial,
        by_next_treatment=rule.method == "next-treatment",
        used=used,
    )


@attrs.frozen
class AdequacyRules:
    """One definition's adequacy criteria, compiled from its parameters and the drug catalog.

    Threshold documents are built once and shared by every trial's result
    (treat them as read-only).
    """

    #: In the order an explanation reports them.
    criteria: tuple[Any, ...]
    #: The criteria that can fail or be unknown under these parameters, cheapest first: the
    #: verdict needs no others (a criterion that can only pass or not apply cannot change it).
    deciding: tuple[Any, ...] = attrs.field(eq=False)
    #: The deciding criteria's bound calls (a bound method is called faster than an object).
    _checks: tuple[Any, ...] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: tuple(item.__call__ for item in self.deciding), takes_self=True
        ),
    )

    @classmethod
    def compile(
        cls,
        parameters: Any,
        catalog: Catalog,
        *,
        ect: bool | None = None,
        dose_scheme: str | None = None,
    ) -> AdequacyRules:
        """The rules of a definition's ``parameters``; ``ect`` overrides whether ECT counts,
        ``dose_scheme`` the dose scheme doses are judged by (then doses are judged even under
        a definition that leaves them to the clinician)."""
        weeks = parameters.min_trial_weeks
        adherence = parameters.adherence_required
        intolerance = parameters.intolerance_counts_as_failure
        window, in_window = _window(parameters)
        criteria = (
            _kind_criterion(parameters, catalog, ect=ect),
            Episode(window=window, used=in_window),
            _dose_criterion(parameters, catalog, dose_scheme),
            Duration(
                min_weeks=weeks.value,
                window=window,
                used=threshold("minimum trial duration", weeks.value, weeks, "week"),
            ),
            _non_response_criterion(parameters),
            Adherence(
                required=bool(adherence.value),
                used=threshold("adherence required", True, adherence),
            ),
            Intolerance(
                counts=bool(intolerance.value),
                used=threshold("intolerance counts as failure", intolerance.value, intolerance),
            ),
        )
        kind, episode, dose, duration, non_response, adherent, tolerated = criteria
        cheapest_first = (adherent, tolerated, non_response, kind, episode, duration, dose)
        return cls(criteria, tuple(item for item in cheapest_first if item.decides))

    @property
    def window(self) -> Window:
        """The part of a history whose trials count (the definition's episode rule)."""
        found: Window = self.criteria[1].window
        return found

    @property
    def dose(self) -> Dose:
        """The dose criterion (its ``judged`` says whether doses are checked at all)."""
        found: Dose = self.criteria[2]
        return found

    def with_ect_counted(
        self, parameters: Any, catalog: Catalog, *, dose_scheme: str | None = None
    ) -> AdequacyRules:
        """The same rules with ECT counted as a trial (how staging judges ECT courses)."""
        if self.criteria[0].allowed["ect"]:
            return self
        return AdequacyRules.compile(parameters, catalog, ect=True, dose_scheme=dose_scheme)

    def findings(self, facts: TrialFacts) -> Iterator[Criterion]:
        """Every criterion's explained result for one trial, in report order."""
        for criterion in self.criteria:
            yield Criterion.of(criterion.name, criterion(facts))

    def assess(self, facts: TrialFacts) -> tuple[bool | None, list[Criterion]]:
        """Every criterion for one trial, and whether it counts (None: the data cannot tell)."""
        criteria = list(self.findings(facts))
        results = {criterion.result for criterion in criteria}
        if FAIL in results:
            return False, criteria
        if UNKNOWN in results:
            return None, criteria
        return True, criteria

    def counts(self, facts: TrialFacts) -> bool | None:
        """Whether the trial is an adequate failed trial (None: the data cannot tell).

        The verdict alone: the same criteria as :meth:`findings`, stopping at the first failure.
        """
        undecided = False
        for check in self._checks:
            result = check(facts)[0]
            if result == FAIL:
                return False
            if result == UNKNOWN:
                undecided = True
        return None if undecided else True


class AdequacyPanel:
    """Several definitions' adequacy rules judging the same trials, sharing what they share.

    A deciding criterion whose :func:`~trdcore.rules.criteria.decision_key` is
    the same in every rule (all five built-in definitions require adherence,
    say) is decided once per trial for all of them, and a trial that fails it
    is not judged further by any; rules whose deciding criteria all have equal
    keys are judged once between them. The verdicts are each rule's
    :meth:`AdequacyRules.counts`, which a property test holds it to.
    """

    def __init__(self, rules: tuple[AdequacyRules, ...]) -> None:
        self.rules = rules
        keyed = [{decision_key(item): item for item in rule.deciding} for rule in rules]
        shared_keys = set(keyed[0]).intersection(*keyed[1:]) if keyed else set()
        self._shared = tuple(
            item.__call__
            for item in (rules[0].deciding if rules else ())
            if decision_key(item) in shared_keys
        )
        groups: dict[frozenset[Any], int] = {}
        own: list[tuple[Any, ...]] = []
        group_of: list[int] = []
        for _rule, keys in zip(rules, keyed, strict=True):
            key = frozenset(keys)
            if key not in groups:
                groups[key] = len(own)
                own.append(
                    tuple(item.__call__ for found, item in keys.items() if found not in shared_keys)
                )
            group_of.append(groups[key])
        self._own = tuple(own)
        self._group_of = tuple(group_of)
        self._identity = self._group_of == tuple(range(len(rules)))
        self._all_fail = (False,) * len(rules)

    def counts(self, facts: TrialFacts) -> tuple[bool | None, ...]:
        """Each rule's :meth:`AdequacyRules.counts` of one trial, in the order of the rules."""
        undecided = False
        for criterion in self._shared:
            result = criterion(facts)[0]
            if result == FAIL:
                return self._all_fail
            if result == UNKNOWN:
                undecided = True
        verdicts: list[bool | None] = []
        for criteria in self._own:
            maybe = undecided
            for criterion in criteria:
                result = criterion(facts)[0]
                if result == FAIL:
                    verdicts.append(False)
                    break
                if result == UNKNOWN:
                    maybe = True
            else:
                verdicts.append(None if maybe else True)
        if self._identity:
            return tuple(verdicts)
        return tuple([verdicts[group] for group in self._group_of])
