"""Evaluating a treatment history against TRD definitions: the verdict and why.

:func:`evaluate` is a pure function of the history, one definition, the
catalog and the date it is evaluated as of: no I/O, no clock. It returns an
``evaluation-result@1.0.0`` model that records the exact definition and
catalog versions, every trial's criteria with the thresholds and sources
used, what data was missing and any warnings about the input, so a result
can be reproduced and defended later.

Counting rules (the parameters themselves come from each definition):

- a trial counts when it is an adequate failed trial (see
  :mod:`trdcore.rules.adequacy`); repeated trials of the same drug count
  once, since the definitions count different antidepressants;
- ``met``: enough counted trials (and distinct classes, when required);
- ``not_met``: not enough even if every undecided trial turned out to count;
- ``indeterminate``: the undecided trials could change the answer; the
  missing data is listed (unless the definition's ``missing_data`` is
  ``not-counted``, which treats undecided trials as not counted).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, cast

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.rules.adequacy import AdequacyRules, TrialFacts

__all__ = [
    "Evaluator",
    "HistoryFacts",
    "Verdict",
    "evaluate",
    "evaluate_all",
    "evaluation_document",
    "explain_differences",
    "history_facts",
    "summary_document",
]

#: Two antidepressant trials overlapping by more than this many days are reported as taken
#: together (a combination); a shorter overlap reads as a cross-taper switch. A reading of
#: the input, not a clinical threshold; each trial is still judged on its own.
COMBINATION_OVERLAP_DAYS = 14
#: A dose this many times the minimum adequate dose is flagged as implausible (a plausibility
#: check on the input, not a clinical threshold; the warning asks for the record to be checked).
IMPLAUSIBLE_DOSE_FACTOR = 10
_COURSE_KINDS = {
    "ect": "ect",
    "rtms": "other-neurostimulation",
    "vns": "other-neurostimulation",
    "psychotherapy": "psychotherapy",
}


def _default_catalog() -> Catalog:
    from trdcore.catalog import load_catalog

    return load_catalog()


def _history(history: Any) -> Any:
    if isinstance(history, Mapping):  # a document, not yet a model
        from trdcore.validation import validate

        return validate(history, "treatment-history")
    return history


def _definition(definition: Any, catalog: Catalog) -> CatalogEntry:
    if isinstance(definition, str):
        entry = catalog.get("trd-definition", definition)
        if entry is None:
            from trdcore.exceptions import UnknownTargetError

            known = [item.ref for item in catalog.items("trd-definition")]
            raise UnknownTargetError("definition", definition, known)
        return entry
    if not isinstance(definition, CatalogEntry):
        raise TypeError("definition must be 'id', 'id@version' or a catalog entry")
    return definition


class HistoryFacts:
    """A history normalised once, as of one date, for any number of definitions and stagings.

    Drugs matched to the catalog, trial lengths in weeks, improvements; and,
    worked out on first use, the warnings about the input (unknown drugs,
    implausible doses, combinations, unclassified courses). Nothing here
    depends on a definition. Make one with :func:`history_facts`.
    """

    __slots__ = ("_catalog", "_warnings", "as_of", "history", "trials")

    def __init__(
        self, history: Any, as_of: datetime.date, trials: tuple[TrialFacts, ...], catalog: Catalog
    ) -> None:
        self.history = history
        self.as_of = as_of
        self.trials = trials
        self._catalog = catalog
        self._warnings: tuple[dict[str, Any], ...] | None = None

    @property
    def warnings(self) -> tuple[dict[str, Any], ...]:
        """Warnings about the input, in the order of the document."""
        if self._warnings is None:
            self._warnings = tuple(_input_warnings(self))
        return self._warnings


def history_facts(history: Any, *, as_of: datetime.date, catalog: Catalog) -> HistoryFacts:
    """Normalise a history (a model, a document, or facts already made for ``as_of``)."""
    if isinstance(history, HistoryFacts):
        if history.as_of == as_of and history._catalog is catalog:
            return history
        history = history.history
    model = _history(history)
    trials: list[TrialFacts] = []
    for index, trial in enumerate(model.trials):
        entry, label = _match(trial.drug, catalog)
        kind = (
            "antidepressant"
            if entry is None or "antidepressant" in entry.model.roles
            else "augmentation"
        )
        trials.append(TrialFacts.of(f"/trials/{index}", kind, trial, entry, label, as_of))
    for index, course in enumerate(model.courses or ()):
        course_kind = _COURSE_KINDS.get(course.kind)
        if course_kind is not None:
            name = course.name or course.kind
            trials.append(
                TrialFacts.of(f"/courses/{index}", course_kind, course, None, name, as_of)
            )
    return HistoryFacts(model, as_of, tuple(trials), catalog)


def _input_warnings(facts: HistoryFacts) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = []
    history, catalog = facts.history, facts._catalog
    for index, (trial, item) in enumerate(zip(history.trials, facts.trials, strict=False)):
        pointer = item.pointer
        if item.drug is None:
            warnings.append(
                {
                    "code": "unknown-drug",
                    "pointer": f"{pointer}/drug",
                    "message": f"{item.drug_input!r} is not a drug in the catalog; the trial "
                    "cannot be judged",
                }
            )
        else:
            warnings.extend(_dose_warnings(trial, item.drug, pointer))
        for number, agent in enumerate(trial.augmentation or ()):
            agent_entry, agent_label = _match(agent.drug, catalog)
            if agent_entry is None:
                warnings.append(
                    {
                        "code": "unknown-drug",
                        "pointer": f"/trials/{index}/augmentation/{number}/drug",
                        "message": f"{agent_label!r} is not a drug in the catalog",
                    }
                )
    for index, course in enumerate(history.courses or ()):
        if course.kind not in _COURSE_KINDS:
            warnings.append(
                {
                    "code": "unclassified-course",
                    "pointer": f"/courses/{index}",
                    "message": f"a course of kind {course.kind!r} is not counted by any definition",
                }
            )
    warnings.extend(_overlaps(facts.trials, facts.as_of))
    return warnings


def _overlaps(facts: Iterable[TrialFacts], as_of: datetime.date) -> list[dict[str, Any]]:
    """Antidepressant trials taken together for more than two weeks, reported as combinations."""
    spans: list[tuple[datetime.date, datetime.date, TrialFacts]] = []
    for item in facts:
        start, end = item.item.start_date, item.item.end_date
        if item.kind != "antidepressant" or not isinstance(start, datetime.date):
            continue
        if not isinstance(end, datetime.date):
            if end is not None or not item.item.ongoing:
                continue
            end = as_of
        spans.append((start, end, item))
    found = []
    for number, (start, end, first) in enumerate(spans):
        for other_start, other_end, second in spans[number + 1 :]:
            days = (min(end, other_end) - max(start, other_start)).days
            if days > COMBINATION_OVERLAP_DAYS:
                found.append(
                    {
                        "code": "combination",
                        "pointer": second.pointer,
                        "message": f"{first.pointer} ({first.drug_input}) and {second.pointer} "
                        f"({second.drug_input}) overlap by {days} days: read as taken "
                        "together; each is judged as its own trial",
                    }
                )
    return found


def _match(drug: Any, catalog: Catalog) -> tuple[CatalogEntry | None, str]:
    name = drug.name
    if name:
        found = catalog.find_drug(name)
        if found is not None:
            return found, name
    label = name or ", ".join(coding.code for coding in drug.codings or ())
    for coding in drug.codings or ():
        found = catalog.find_drug(coding.code)
        if found is not None:
            return found, label
    return None, label


def _dose_warnings(trial: Any, entry: CatalogEntry, pointer: str) -> list[dict[str, Any]]:
    dose = trial.daily_dose
    if dose is None or dose == "unknown":
        return []
    limits = _IMPLAUSIBLE.get(entry.ref)
    if limits is None or limits[0] is not entry:
        by_unit: dict[str, float] = {}
        for adequate in entry.model.adequate_doses or ():
            minimum = adequate.minimum_daily
            limit = IMPLAUSIBLE_DOSE_FACTOR * minimum.value
            by_unit[minimum.unit] = min(limit, by_unit.get(minimum.unit, limit))
        limits = _IMPLAUSIBLE[entry.ref] = (entry, by_unit)
    limit = limits[1].get(dose.unit)
    if limit is not None and dose.value > limit:
        return [
            {
                "code": "implausible-dose",
                "pointer": f"{pointer}/daily_dose",
                "message": f"{dose.value:g} {dose.unit}/day is more than "
                f"{IMPLAUSIBLE_DOSE_FACTOR} times the minimum adequate dose of "
                f"{entry.id}; check the record",
            }
        ]
    return []


# Per drug: the dose above which a record is implausible, by unit (the lowest scheme's minimum).
_IMPLAUSIBLE: dict[str, tuple[CatalogEntry, dict[str, float]]] = {}


def _classes(entry: CatalogEntry | None, taxonomy: str | None) -> list[str]:
    if entry is None or taxonomy is None:
        return []
    return [item.code for item in entry.model.classes if item.taxonomy == taxonomy]


class Verdict(NamedTuple):
    """The verdict alone, without the explanation: what cohort finding and batch checks need."""

    definition: str
    status: str
    adequate_failed_trials: int
    possible_failed_trials: int
    distinct_classes: int
    #: Each trial's and course's verdict, in the order of ``HistoryFacts.trials``: True an
    #: adequate failed trial, False not counted, None the data cannot tell.
    counted: tuple[bool | None, ...] = ()

    def summary(self) -> dict[str, Any]:
        """This verdict as an item of an ``evaluation-summary@1.0.0`` document's results."""
        return _summary_item(self.definition, *self[1:])


def _summary_item(
    definition: str,
    status: str,
    counted: int,
    possible: int,
    classes: int,
    verdicts: tuple[bool | None, ...],
) -> dict[str, Any]:
    return {
        "definition": definition,
        "status": status,
        "counts": {
            "adequate_failed_trials": counted,
            "possible_failed_trials": possible,
            "distinct_classes": classes,
        },
        "counted": list(verdicts),
    }


class Evaluator:
    """One definition compiled against one catalog; evaluates any number of histories.

    Get one with :meth:`for_definition` (cached per catalog). :meth:`verdict`
    is the fast path (status and counts only); :meth:`document` and
    :meth:`evaluate` give the whole explained result. All three take a
    treatment-history model, a document (validated first) or
    :class:`HistoryFacts`, so a history normalised once can be judged by
    every definition.
    """

    def __init__(self, entry: CatalogEntry, catalog: Catalog) -> None:
        self.entry = entry
        self.catalog = catalog
        parameters = entry.model.parameters
        self.rules = AdequacyRules(parameters)
        rule = parameters.distinct_classes
        self._taxonomy = rule.taxonomy if rule.required else None
        self._class_taxonomy = self._taxonomy or "pharmacological"
        self._needed = parameters.min_failed_trials.value
        self._needed_classes = rule.min_classes if rule.required and rule.min_classes else 0
        self._not_counted = parameters.missing_data == "not-counted"
        self._classes: dict[str, list[str]] = {}

    @classmethod
    def for_definition(cls, definition: Any, catalog: Catalog | None = None) -> Evaluator:
        """The evaluator of ``"id"``, ``"id@version"`` or a catalog entry, made once per catalog."""
        catalog = catalog if catalog is not None else _default_catalog()
        cache = catalog.compiled
        if isinstance(definition, str):
            found = cache.get(("evaluator", definition))
            if found is not None:
                return cast("Evaluator", found)
        entry = _definition(definition, catalog)
        key = ("evaluator", entry.ref)
        found = cache.get(key)
        if found is None or found.entry is not entry:
            found = cache[key] = cls(entry, catalog)
        if isinstance(definition, str):
            cache["evaluator", definition] = found
        return cast("Evaluator", found)

    def _drug_classes(self, facts: TrialFacts) -> list[str]:
        drug = facts.drug
        if drug is None:
            return []
        known = self._classes.get(drug.ref)
        if known is None:
            known = self._classes[drug.ref] = _classes(drug, self._class_taxonomy)
        return known

    def _satisfied(self, trials: dict[str, list[str]]) -> bool:
        if len(trials) < self._needed:
            return False
        return not self._needed_classes or len(_distinct(trials.values())) >= self._needed_classes

    def verdict(self, history: Any, *, as_of: datetime.date) -> Verdict:
        """Status and counts only: the same verdict as :meth:`document`, without explaining it."""
        if type(history) is HistoryFacts and history.as_of == as_of:
            facts = history
        else:
            facts = history_facts(history, as_of=as_of, catalog=self.catalog)
        return Verdict(self.entry.ref, *self._tally(facts.trials))

    def _tally(self, trials: tuple[TrialFacts, ...]) -> tuple[str, int, int, int, tuple[Any, ...]]:
        """Status, the three counts and each trial's verdict: the heart of :meth:`verdict`."""
        counts = self.rules.counts
        verdicts = tuple([counts(item) for item in trials])
        if True not in verdicts and (self._not_counted or None not in verdicts):
            return self._status({}, {}), 0, 0, 0, verdicts
        counted: dict[str, list[str]] = {}
        possible: dict[str, list[str]] = {}
        for item, verdict in zip(trials, verdicts, strict=True):
            if verdict is True:
                if item.identity not in counted:
                    counted[item.identity] = self._drug_classes(item)
            elif verdict is None and not self._not_counted and item.identity not in possible:
                possible[item.identity] = self._drug_classes(item)
        if possible and counted:
            possible = {key: value for key, value in possible.items() if key not in counted}
        classes = len(_distinct(counted.values())) if counted else 0
        status = self._status(counted, possible)
        return status, len(counted), len(possible), classes, verdicts

    def summary(self, facts: HistoryFacts) -> dict[str, Any]:
        """This definition's item of an ``evaluation-summary@1.0.0`` document's results."""
        return _summary_item(self.entry.ref, *self._tally(facts.trials))

    def _status(self, counted: dict[str, list[str]], possible: dict[str, list[str]]) -> str:
        if self._satisfied(counted):
            return "met"
        if possible and self._satisfied(counted | possible):
            return "indeterminate"
        return "not_met"

    def document(self, history: Any, *, as_of: datetime.date) -> dict[str, Any]:
        """The ``evaluation-result@1.0.0`` document: verdict, trial by trial reasons, thresholds."""
        from trdcore import __version__

        facts = history_facts(history, as_of=as_of, catalog=self.catalog)
        assessments: list[dict[str, Any]] = []
        counted: dict[str, list[str]] = {}
        possible: dict[str, list[str]] = {}
        missing: list[dict[str, str]] = []
        thresholds: dict[str, dict[str, Any]] = {}
        assess = self.rules.assess
        for item in facts.trials:
            verdict, criteria = assess(item)
            classes = self._drug_classes(item)
            if verdict is True:
                counted.setdefault(item.identity, classes)
            elif verdict is None:
                possible.setdefault(item.identity, classes)
                for criterion in criteria:
                    if criterion.result == "unknown":
                        missing.append(
                            {
                                "pointer": item.pointer,
                                "what": f"{criterion.criterion}: {criterion.detail}",
                            }
                        )
            for criterion in criteria:
                if criterion.threshold is not None:
                    thresholds.setdefault(criterion.threshold["parameter"], criterion.threshold)
            assessment: dict[str, Any] = {
                "pointer": item.pointer,
                "kind": item.kind,
                "counted": verdict,
                "criteria": [criterion.to_json() for criterion in criteria],
                "reason": _reason(verdict, criteria),
            }
            if getattr(item.item, "id", None):
                assessment["trial_id"] = item.item.id
            if item.drug is not None:
                assessment["drug"] = item.drug.ref
            if item.drug_input:
                assessment["drug_input"] = item.drug_input[:200]
            if classes:
                assessment["classes"] = classes
            assessments.append(assessment)

        if self._not_counted:
            possible = {}
            missing = []
        possible = {key: value for key, value in possible.items() if key not in counted}
        status = self._status(counted, possible)
        if status != "indeterminate":
            missing = []
        result: dict[str, Any] = {
            "schema": "evaluation-result@1.0.0",
            "definition": self.entry.ref,
            "catalog_version": __version__,
            "as_of": as_of.isoformat(),
            "status": status,
            "explanation": self._explanation(status, counted, possible),
            "trials": assessments,
            "counts": {
                "adequate_failed_trials": len(counted),
                "possible_failed_trials": len(possible),
                "distinct_classes": len(_distinct(counted.values())),
            },
            "missing": missing,
            "thresholds": list(thresholds.values()),
            "warnings": list(facts.warnings),
            "engine": {"name": "trdcore", "version": __version__},
        }
        if facts.history.id:
            result["history_id"] = facts.history.id
        return result

    def evaluate(self, history: Any, *, as_of: datetime.date) -> Any:
        """:meth:`document` as an :class:`~trdcore.models.EvaluationResult` model."""
        from trdcore.models import EvaluationResult

        return EvaluationResult.from_json(self.document(history, as_of=as_of))

    def _explanation(
        self, status: str, counted: dict[str, list[str]], possible: dict[str, list[str]]
    ) -> str:
        needed, needed_classes, taxonomy = self._needed, self._needed_classes, self._taxonomy
        have = f"{len(counted)} adequate failed trial{'s' if len(counted) != 1 else ''}"
        classes_note = (
            f" across {len(_distinct(counted.values()))} {taxonomy} class(es)"
            if needed_classes
            else ""
        )
        if status == "met":
            return f"{have}{classes_note}; at least {needed} needed"
        if status == "indeterminate":
            return (
                f"{have}{classes_note}; {len(possible)} more could count if the missing data "
                f"were known; at least {needed} needed"
            )
        found = sorted(_distinct(counted.values()))
        if len(counted) >= needed and needed_classes:
            return (
                f"{have}, but all in {len(found)} {taxonomy} class"
                f"{'es' if len(found) != 1 else ''} ({', '.join(found) or 'unknown'}); "
                f"at least {needed_classes} different classes needed"
            )
        return f"{have}{classes_note}; at least {needed} needed" + (
            f" from {needed_classes} different classes" if needed_classes else ""
        )


def evaluate(
    history: Any,
    definition: Any,
    *,
    as_of: datetime.date,
    catalog: Catalog | None = None,
) -> Any:
    """The verdict of one definition (``"id"`` or ``"id@version"``) on one treatment history.

    ``history`` is a :class:`~trdcore.models.TreatmentHistory` or a document
    (validated first). Returns an :class:`~trdcore.models.EvaluationResult`.
    """
    return Evaluator.for_definition(definition, catalog).evaluate(history, as_of=as_of)


def evaluation_document(
    history: Any,
    definition: Any,
    *,
    as_of: datetime.date,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """:func:`evaluate`, returning the ``evaluation-result@1.0.0`` JSON document itself.

    For batch output, where building the model only to serialise it again
    would triple the cost. Threshold objects are shared between results of
    the same definition: treat the document as read-only, or copy it.
    """
    return Evaluator.for_definition(definition, catalog).document(history, as_of=as_of)


def _reason(verdict: bool | None, criteria: Iterable[Any]) -> str:
    if verdict is True:
        return "an adequate failed trial"
    if verdict is False:
        return "not counted: " + "; ".join(c.detail for c in criteria if c.result == "fail")
    return "cannot tell: " + "; ".join(c.detail for c in criteria if c.result == "unknown")


def _distinct(class_lists: Iterable[list[str]]) -> set[str]:
    return {code for codes in class_lists for code in codes}


def evaluate_all(
    history: Any, *, as_of: datetime.date, catalog: Catalog | None = None
) -> tuple[list[Any], list[str]]:
    """Every active definition's verdict, and a sentence for each disagreement."""
    catalog = catalog if catalog is not None else _default_catalog()
    facts = history_facts(history, as_of=as_of, catalog=catalog)
    results = [
        Evaluator.for_definition(entry, catalog).evaluate(facts, as_of=as_of)
        for entry in catalog.items("trd-definition")
        if entry.model.status == "active"
    ]
    return results, explain_differences([result.to_json() for result in results])


def explain_differences(results: Iterable[Mapping[str, Any]]) -> list[str]:
    """A sentence for each definition that is not met where others are, saying why.

    Takes evaluation-result documents ("met under two-trials-gaynes-2020@1.0.0 but not
    under different-classes@1.0.0: ...").
    """
    results = list(results)
    met = [result for result in results if result["status"] == "met"]
    sentences = []
    for other in results:
        if other["status"] == "met" or not met:
            continue
        by_reason: dict[str, list[str]] = {}
        for first in met:
            by_reason.setdefault(_difference(first, other), []).append(first["definition"])
        for reason, names in by_reason.items():
            verb = "not under" if other["status"] == "not_met" else "undecided under"
            sentences.append(f"met under {_join(names)} but {verb} {other['definition']}: {reason}")
    return sentences


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _difference(met: Mapping[str, Any], other: Mapping[str, Any]) -> str:
    counted_there = {t["pointer"] for t in met["trials"] if t["counted"]}
    reasons = [
        f"{t['pointer']}{' (' + t['drug_input'] + ')' if t.get('drug_input') else ''} {t['reason']}"
        for t in other["trials"]
        if t["pointer"] in counted_there and not t["counted"]
    ]
    return "; ".join(reasons) if reasons else str(other.get("explanation", ""))


def summary_document(
    facts: HistoryFacts,
    evaluators: Iterable[Evaluator],
    *,
    stages: list[dict[str, Any]] | None = None,
    source: str | None = None,
    line: int | None = None,
) -> dict[str, Any]:
    """The ``evaluation-summary@1.0.0`` document of one history under several definitions.

    Verdicts only (status, counts, each trial's verdict), the input warnings,
    and the stages when given: the compact form for large batches. Each
    definition's full explanation is its :meth:`Evaluator.document`.
    """
    from trdcore import __version__

    document: dict[str, Any] = {"schema": "evaluation-summary@1.0.0"}
    if facts.history.id:
        document["history_id"] = facts.history.id
    if source is not None:
        document["source"] = source
    if line is not None:
        document["line"] = line
    document.update(
        {
            "as_of": facts.as_of.isoformat(),
            "catalog_version": __version__,
            "engine": {"name": "trdcore", "version": __version__},
            "pointers": [item.pointer for item in facts.trials],
            "results": [evaluator.summary(facts) for evaluator in evaluators],
            "warnings": list(facts.warnings),
        }
    )
    if stages is not None:
        document["stages"] = stages
    return document
