"""A definition's rules that read the whole history rather than one trial.

Most of a definition is judged trial by trial (:mod:`trdcore.rules.adequacy`).
Three parameters of ``trd-definition@1.2.0`` are not: ``exclusions`` and
``required_condition`` read the recorded conditions
(:mod:`trdcore.rules.conditions`), and the ``next-treatment`` non-response
method marks trials failed by what started after them
(:mod:`trdcore.rules.inference`). A :class:`HistoryRule` judges them once per
history and hands the evaluator a :class:`Judgement`: the trials to count
(with inferred failures labelled), how many the index event needs, and what
overrides the count (an exclusion, no required diagnosis, conditions not on
record).

The dates these rules look up to: for a next-treatment definition the index
event (the first start of a listed treatment that follows enough failed
trials and has the required diagnosis in the days before it; only that
event's trials count, and exclusions are read up to it, as cohort
definitions with a first-event limit do); for any other definition the
evaluation date.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.exceptions import PluginError
from trdcore.facts import HistoryFacts, TrialFacts
from trdcore.rules.conditions import ConditionRules
from trdcore.rules.inference import IndexEvent, NextTreatmentRule, trial_drug_refs

__all__ = ["HistoryRule", "Judgement", "check_code_lists", "code_list_references"]


class Judgement(NamedTuple):
    """What the whole-history rules say about one history (see the module)."""

    trials: tuple[TrialFacts, ...]
    #: Failed trials the index event needs (next-treatment definitions), else None.
    needed: int | None = None
    #: The result's ``exclusion`` block when a recorded condition excludes the person.
    exclusion: dict[str, Any] | None = None
    #: The result's ``index`` block (next-treatment definitions that found one); not named
    #: ``index``, which would hide ``tuple.index``.
    index_event: dict[str, Any] | None = None
    #: Why the definition cannot be met whatever the trials say, if so.
    unmet: str | None = None
    #: Missing data that could turn a met verdict (conditions not on record).
    missing: tuple[dict[str, str], ...] = ()


def code_list_references(parameters: Any) -> list[tuple[str, str]]:
    """Every code list a definition's parameters name, with the parameter's JSON pointer."""
    found: list[tuple[str, str]] = []
    for name in ("trial_drugs", "required_condition", "exclusions"):
        rule = getattr(parameters, name)
        if rule is not None:
            found.extend(
                (f"/parameters/{name}/code_lists/{n}", listed)
                for n, listed in enumerate(rule.code_lists)
            )
    for number, item in enumerate(parameters.non_response.next_treatments or ()):
        found.extend(
            (f"/parameters/non_response/next_treatments/{number}/code_lists/{n}", listed)
            for n, listed in enumerate(item.code_lists)
        )
    return found


def check_code_lists(entry: CatalogEntry, catalog: Catalog) -> None:
    """A definition naming a code list the catalog does not hold is content in error: say
    which definition, where, and what lists there are (a PluginError names its plugin)."""
    known = {item.id for item in catalog.items("code-list")} | {
        item.ref for item in catalog.items("code-list")
    }
    for pointer, listed in code_list_references(entry.model.parameters):
        if listed not in known:
            raise PluginError(
                f"definition {entry.ref} {pointer}: no code list {listed!r} in the catalog "
                f"(there are {', '.join(sorted(item.id for item in catalog.items('code-list')))})",
                plugin=entry.plugin,
            )


def _names(lists: tuple[str, ...]) -> str:
    return ", ".join(lists)


@attrs.frozen
class HistoryRule:
    """A definition's whole-history rules, compiled (None from :meth:`compile` if it has none)."""

    conditions: ConditionRules | None
    next_treatment: NextTreatmentRule | None
    not_counted: bool

    @classmethod
    def compile(cls, parameters: Any, catalog: Catalog) -> HistoryRule | None:
        conditions = ConditionRules.compile(parameters, catalog)
        rule = parameters.non_response
        next_treatment = None
        if rule.method == "next-treatment":
            next_treatment = NextTreatmentRule.compile(
                rule, trial_drug_refs(parameters, catalog), catalog
            )
        if conditions is None and next_treatment is None:
            return None
        return cls(conditions, next_treatment, parameters.missing_data == "not-counted")

    def judge(self, facts: HistoryFacts, trials: tuple[TrialFacts, ...]) -> Judgement:
        """Judge one history's conditions and next treatments (see the module)."""
        if self.next_treatment is not None:
            return self._by_index(facts, trials)
        rules = self.conditions
        assert rules is not None
        day = facts.as_of
        conditions = facts.conditions
        missing: list[dict[str, str]] = []
        unmet = exclusion = None
        if rules.required is not None:
            if conditions is None:
                if self.not_counted:
                    unmet = "no conditions are recorded, so the required diagnosis is not found"
                else:
                    missing.append(self._no_conditions_required(day.isoformat()))
            elif rules.required_before(conditions, day) is None:
                unmet = (
                    f"no condition of {_names(rules.required.lists)} is recorded in the "
                    f"{rules.days_before} days up to {day.isoformat()}"
                )
        if rules.exclusions is not None:
            if conditions is None:
                if not self.not_counted:
                    missing.append(self._no_conditions_excluded())
            else:
                found = rules.exclusion(conditions, day)
                if found is not None:
                    exclusion = ConditionRules.exclusion_json(*found)
        return Judgement(trials, None, exclusion, None, unmet, tuple(missing))

    def _by_index(self, facts: HistoryFacts, trials: tuple[TrialFacts, ...]) -> Judgement:
        rule = self.next_treatment
        assert rule is not None
        rules = self.conditions
        conditions = facts.conditions
        candidates = rule.candidates(trials, facts.as_of)
        missing: list[dict[str, str]] = []
        index: IndexEvent | None = None
        unmet = exclusion = None
        if not candidates:
            unmet = (
                "no listed treatment started after enough failed trials of different drugs "
                f"(each ending no more than {rule.within_days} days before it)"
            )
        elif rules is None or rules.required is None:
            index = candidates[0]
        elif conditions is None:
            index = candidates[0]
            if self.not_counted:
                unmet = "no conditions are recorded, so the required diagnosis is not found"
            else:
                missing.append(self._no_conditions_required(index.start.isoformat()))
        else:
            index = next(
                (item for item in candidates if rules.required_before(conditions, item.start)),
                None,
            )
            if index is None:
                unmet = (
                    f"no condition of {_names(rules.required.lists)} is recorded in the "
                    f"{rules.days_before} days up to a qualifying start (the first on "
                    f"{candidates[0].start.isoformat()})"
                )
        if index is not None and rules is not None and rules.exclusions is not None:
            if conditions is None:
                if not self.not_counted:
                    missing.append(self._no_conditions_excluded())
            else:
                found = rules.exclusion(conditions, index.start)
                if found is not None:
                    exclusion = ConditionRules.exclusion_json(*found)
        marked = rule.mark(index if unmet is None else None, trials)
        index_json = None
        if index is not None and unmet is None:
            start = trials[index.position]
            index_json = {"pointer": start.pointer, "date": index.start.isoformat()}
            if start.drug_input:
                index_json["drug_input"] = start.drug_input[:200]
        needed = index.needed if index is not None else min(item[1] for item in rule.starts)
        return Judgement(marked, needed, exclusion, index_json, unmet, tuple(missing))

    def _no_conditions_required(self, day: str) -> dict[str, str]:
        rules = self.conditions
        assert rules is not None
        assert rules.required is not None
        return {
            "pointer": "/conditions",
            "what": f"required condition: no conditions are recorded, so a condition of "
            f"{_names(rules.required.lists)} in the {rules.days_before} days up to {day} "
            "cannot be checked",
        }

    def _no_conditions_excluded(self) -> dict[str, str]:
        rules = self.conditions
        assert rules is not None
        assert rules.exclusions is not None
        return {
            "pointer": "/conditions",
            "what": "exclusions: no conditions are recorded, so a condition of "
            f"{_names(rules.exclusions.lists)} cannot be ruled out",
        }
