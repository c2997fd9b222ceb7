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

import orjson

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.rules.adequacy import _DRUG_KINDS, AdequacyPanel, AdequacyRules, TrialFacts

__all__ = [
    "Evaluator",
    "HistoryFacts",
    "Verdict",
    "evaluate",
    "evaluate_all",
    "evaluation_document",
    "explain_differences",
    "facts_from_json",
    "history_facts",
    "summary_document",
    "summary_line",
]

#: Two antidepressant trials overlapping by more than this many days are reported as taken
#: together (a combination); a shorter overlap reads as a cross-taper switch. A reading of
#: the input, not a clinical threshold; each trial is still judged on its own.
COMBINATION_OVERLAP_DAYS = 14
#: A dose this many times the minimum adequate dose is flagged as implausible (a plausibility
#: check on the input, not a clinical threshold; the warning asks for the record to be checked).
IMPLAUSIBLE_DOSE_FACTOR = 10
_new_tuple = tuple.__new__  # a named tuple without the call through its __new__
_COURSE_KINDS = {
    "ect": "ect",
    "rtms": "other-neurostimulation",
    "vns": "other-neurostimulation",
    "psychotherapy": "psychotherapy",
}


def _default_catalog() -> Catalog:
    from trdcore.catalog import load_catalog

    return load_catalog()


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
    depends on a definition. Make one with :func:`history_facts`, from a
    model or from a schema-valid document; from a document the model is
    built only if :attr:`history` is asked for (the batch path never does).
    """

    __slots__ = (
        "_catalog",
        "_data",
        "_episode",
        "_history",
        "_notes",
        "_warnings",
        "as_of",
        "history_id",
        "trials",
    )

    def __init__(
        self,
        history: Any,
        as_of: datetime.date,
        trials: tuple[TrialFacts, ...],
        catalog: Catalog,
        *,
        data: Mapping[str, Any] | None = None,
        notes: tuple[tuple[int, str, str, str], ...] = (),
    ) -> None:
        self._history = history
        self._data = data
        self.history_id: str | None = (
            history.id if history is not None else None if data is None else data.get("id")
        )
        self.as_of = as_of
        self.trials = trials
        self._catalog = catalog
        self._notes = notes
        self._warnings: tuple[dict[str, Any], ...] | None = None
        self._episode: Any = None

    @property
    def episode(self) -> Any:
        """The history's :class:`~trdcore.models.Episode` (from JSON: without the whole model)."""
        if self._episode is None:
            if self._history is not None:
                self._episode = self._history.episode
            else:
                from trdcore.models import Episode

                self._episode = Episode.from_json((self._data or {})["episode"])
        return self._episode

    @property
    def history(self) -> Any:
        """The :class:`~trdcore.models.TreatmentHistory` model (built on first use from JSON)."""
        if self._history is None:
            from trdcore.models import TreatmentHistory

            self._history = TreatmentHistory.from_json(self._data or {})
        return self._history

    @property
    def warnings(self) -> tuple[dict[str, Any], ...]:
        """Warnings about the input, in the order of the document."""
        if self._warnings is None:
            self._warnings = tuple(_input_warnings(self))
        return self._warnings


def history_facts(history: Any, *, as_of: datetime.date, catalog: Catalog) -> HistoryFacts:
    """Normalise a history: a model, a document (checked first) or facts made before."""
    if isinstance(history, HistoryFacts):
        if history.as_of == as_of and history._catalog is catalog:
            return history
        history = history._history if history._history is not None else history._data
    if isinstance(history, Mapping):  # a document, not yet a model
        from trdcore.validation import checked

        return facts_from_json(checked(history, "treatment-history"), as_of=as_of, catalog=catalog)
    trials: list[TrialFacts] = []
    notes: list[tuple[int, str, str, str]] = []
    find, judge = catalog.find_drug, TrialFacts.from_model
    for index, trial in enumerate(history.trials):
        drug = trial.drug
        label = drug.name
        entry = find(label) if label else None  # most drugs are found by name at once
        if entry is None:
            entry, label = _match(label, drug.codings and [c.code for c in drug.codings], find)
        trials.append(judge(f"/trials/{index}", _kind(entry), trial, entry, label, as_of))
        if trial.augmentation:
            for number, agent in enumerate(trial.augmentation):
                codes = agent.drug.codings and [c.code for c in agent.drug.codings]
                agent_entry, agent_label = _match(agent.drug.name, codes, find)
                if agent_entry is None:
                    notes.append(_unknown_agent(index, number, agent_label))
    if history.courses:
        for index, course in enumerate(history.courses):
            course_kind = _COURSE_KINDS.get(course.kind)
            if course_kind is None:
                notes.append((len(trials), "unclassified-course", f"/courses/{index}", course.kind))
                continue
            name = course.name or course.kind
            trials.append(judge(f"/courses/{index}", course_kind, course, None, name, as_of))
    return HistoryFacts(history, as_of, tuple(trials), catalog, notes=tuple(notes))


def facts_from_json(
    data: Mapping[str, Any], *, as_of: datetime.date, catalog: Catalog
) -> HistoryFacts:
    """:func:`history_facts` of a treatment-history document that already passed its checks.

    The batch path: the facts are read from the JSON itself, without building
    the model (which costs more than judging it). Gives the same facts as
    :func:`history_facts` of the model, which a property test holds it to.
    """
    trials: list[TrialFacts] = []
    notes: list[tuple[int, str, str, str]] = []
    find = catalog.find_drug
    for index, trial in enumerate(data["trials"]):
        drug = trial["drug"]
        label = drug.get("name")
        entry = find(label) if label else None  # most drugs are found by name at once
        if entry is None:
            codings = drug.get("codings")
            entry, label = _match(label, codings and [c["code"] for c in codings], find)
        trials.append(
            TrialFacts.from_json(f"/trials/{index}", _kind(entry), trial, entry, label, as_of)
        )
        agents = trial.get("augmentation")
        if agents:
            for number, agent in enumerate(agents):
                agent_codings = agent["drug"].get("codings")
                codes = agent_codings and [c["code"] for c in agent_codings]
                agent_entry, agent_label = _match(agent["drug"].get("name"), codes, find)
                if agent_entry is None:
                    notes.append(_unknown_agent(index, number, agent_label))
    for index, course in enumerate(data.get("courses") or ()):
        kind = course["kind"]
        course_kind = _COURSE_KINDS.get(kind)
        if course_kind is None:
            notes.append((len(trials), "unclassified-course", f"/courses/{index}", kind))
            continue
        name = course.get("name") or kind
        trials.append(
            TrialFacts.from_json(f"/courses/{index}", course_kind, course, None, name, as_of)
        )
    return HistoryFacts(None, as_of, tuple(trials), catalog, data=data, notes=tuple(notes))


def _unknown_agent(trial: int, number: int, label: str) -> tuple[int, str, str, str]:
    """The note for an augmenting agent that is not in the catalog (a warning, in order)."""
    return trial, "unknown-drug", f"/trials/{trial}/augmentation/{number}/drug", label


def _kind(entry: CatalogEntry | None) -> str:
    if entry is None or "antidepressant" in entry.model.roles:
        return "antidepressant"
    return "augmentation"


def _input_warnings(facts: HistoryFacts) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = []
    notes = list(facts._notes)
    spans = 0
    for index, item in enumerate(facts.trials):
        if notes:
            while notes and notes[0][0] < index:
                warnings.append(_note(*notes.pop(0)[1:]))
        if item.kind not in _DRUG_KINDS:
            continue
        if item.span is not None and item.kind == "antidepressant":
            spans += 1
        entry = item.drug
        if entry is None:
            warnings.append(
                {
                    "code": "unknown-drug",
                    "pointer": f"{item.pointer}/drug",
                    "message": f"{item.drug_input!r} is not a drug in the catalog; the trial "
                    "cannot be judged",
                }
            )
            continue
        dose = item.dose
        if dose is None or dose == "unknown":
            continue
        limits = _IMPLAUSIBLE.get(entry.ref)
        if limits is None or limits[0] is not entry:
            limits = _IMPLAUSIBLE[entry.ref] = (entry, _implausible_doses(entry))
        limit = limits[1].get(dose.unit)
        if limit is not None and dose.value > limit:
            warnings.append(_implausible(item, dose, entry))
    warnings.extend(_note(*note[1:]) for note in notes)
    if spans > 1:
        warnings.extend(_overlaps(facts.trials))
    return warnings


def _note(code: str, pointer: str, subject: str) -> dict[str, Any]:
    if code == "unknown-drug":
        message = f"{subject!r} is not a drug in the catalog"
    else:
        message = f"a course of kind {subject!r} is not counted by any definition"
    return {"code": code, "pointer": pointer, "message": message}


def _overlaps(facts: Iterable[TrialFacts]) -> list[dict[str, Any]]:
    """Antidepressant trials taken together for more than two weeks, reported as combinations."""
    spans = [item for item in facts if item.span is not None and item.kind == "antidepressant"]
    found = []
    for number, first in enumerate(spans):
        start, end = first.span  # type: ignore[misc]
        for second in spans[number + 1 :]:
            other_start, other_end = second.span  # type: ignore[misc]
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


def _match(name: str | None, codes: list[str] | None, find: Any) -> tuple[CatalogEntry | None, str]:
    """The catalog drug a name or one of its codes refers to, and how to name the input."""
    if name:
        found = find(name)
        if found is not None:
            return found, name
    label = name or ", ".join(codes or ())
    for code in codes or ():
        found = find(code)
        if found is not None:
            return found, label
    return None, label


def _implausible_doses(entry: CatalogEntry) -> dict[str, float]:
    """By unit, the dose above which a record of this drug is implausible."""
    by_unit: dict[str, float] = {}
    for adequate in entry.model.adequate_doses or ():
        minimum = adequate.minimum_daily
        limit = IMPLAUSIBLE_DOSE_FACTOR * minimum.value
        by_unit[minimum.unit] = min(limit, by_unit.get(minimum.unit, limit))
    return by_unit


def _implausible(item: TrialFacts, dose: Any, entry: CatalogEntry) -> dict[str, Any]:
    return {
        "code": "implausible-dose",
        "pointer": f"{item.pointer}/daily_dose",
        "message": f"{dose.value:g} {dose.unit}/day is more than "
        f"{IMPLAUSIBLE_DOSE_FACTOR} times the minimum adequate dose of "
        f"{entry.id}; check the record",
    }


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
        self._status_of_none = self._status({}, {})
        #: Everything :meth:`_outcome` reads besides its arguments.
        self._counting_key = (
            self._needed,
            self._needed_classes,
            self._class_taxonomy,
            self._not_counted,
        )

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
        return _new_tuple(Verdict, (self.entry.ref, *self._tally(facts.trials)))

    def _tally(self, trials: tuple[TrialFacts, ...]) -> tuple[str, int, int, int, tuple[Any, ...]]:
        """Status, the three counts and each trial's verdict: the heart of :meth:`verdict`."""
        counts = self.rules.counts
        return self._outcome(trials, tuple([counts(item) for item in trials]))

    def _outcome(
        self, trials: tuple[TrialFacts, ...], verdicts: tuple[bool | None, ...]
    ) -> tuple[str, int, int, int, tuple[Any, ...]]:
        """:meth:`_tally` from each trial's verdict under this definition.

        The same counting as :meth:`document`, written for the batch path: a
        drug's classes are looked up only when the answer or the counts need them.
        """
        not_counted = self._not_counted
        if True not in verdicts and (not_counted or None not in verdicts):
            return self._status_of_none, 0, 0, 0, verdicts
        counted: dict[str, TrialFacts] = {}
        possible: dict[str, TrialFacts] = {}
        for item, verdict in zip(trials, verdicts, strict=True):
            if verdict is True:
                counted.setdefault(item.identity, item)
            elif verdict is None and not not_counted:
                possible.setdefault(item.identity, item)
        if possible and counted:
            possible = {key: value for key, value in possible.items() if key not in counted}
        classes: set[str] = set()
        for item in counted.values():
            classes.update(self._drug_classes(item))
        have, could, needed, needed_classes = (
            len(counted),
            len(possible),
            self._needed,
            self._needed_classes,
        )
        if have >= needed and (not needed_classes or len(classes) >= needed_classes):
            status = "met"
        elif (
            could
            and have + could >= needed
            and (
                not needed_classes
                or len(classes.union(*[self._drug_classes(item) for item in possible.values()]))
                >= needed_classes
            )
        ):
            status = "indeterminate"
        else:
            status = "not_met"
        return status, have, could, len(classes), verdicts

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
            if item.trial_id:
                assessment["trial_id"] = item.trial_id
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
        if facts.history_id:
            result["history_id"] = facts.history_id
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
    panel = _SummaryPanel.of(evaluators if type(evaluators) is tuple else tuple(evaluators))
    return _summary(facts, panel.results(facts.trials), stages, source, line)


def summary_line(
    facts: HistoryFacts,
    evaluators: Iterable[Evaluator],
    *,
    stages: list[dict[str, Any]] | None = None,
    source: str | None = None,
    line: int | None = None,
) -> bytes:
    """:func:`summary_document` as one line of compact JSON (no newline): what NDJSON batches
    write. The same bytes as ``orjson.dumps(summary_document(...))``; the results, which repeat
    from history to history, are serialised once each and reused."""
    panel = _SummaryPanel.of(evaluators if type(evaluators) is tuple else tuple(evaluators))
    return orjson.dumps(
        _summary(facts, panel.results(facts.trials, as_json=True), stages, source, line)
    )


def _summary(
    facts: HistoryFacts,
    results: list[Any],
    stages: list[dict[str, Any]] | None,
    source: str | None,
    line: int | None,
) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": "evaluation-summary@1.0.0"}
    if facts.history_id:
        document["history_id"] = facts.history_id
    if source is not None:
        document["source"] = source
    if line is not None:
        document["line"] = line
    version = _ENGINE_VERSION or _engine_version()
    document["as_of"] = facts.as_of.isoformat()
    document["catalog_version"] = version
    document["engine"] = {"name": "trdcore", "version": version}
    document["pointers"] = [item.pointer for item in facts.trials]
    document["results"] = results
    document["warnings"] = list(facts.warnings)
    if stages is not None:
        document["stages"] = stages
    return document


def _engine_version() -> str:
    global _ENGINE_VERSION
    if _ENGINE_VERSION is None:
        from trdcore import __version__

        _ENGINE_VERSION = __version__
    return _ENGINE_VERSION


_ENGINE_VERSION: str | None = None


class _SummaryPanel:
    """Several evaluators judging each history together, for summaries (see AdequacyPanel)."""

    #: Serialised result items kept for reuse (a few hundred distinct ones are typical).
    FRAGMENTS = 1 << 14

    def __init__(self, evaluators: tuple[Evaluator, ...]) -> None:
        self.evaluators = evaluators
        self.refs = tuple(evaluator.entry.ref for evaluator in evaluators)
        self.adequacy = AdequacyPanel(tuple(evaluator.rules for evaluator in evaluators))
        self._no_trials = ((),) * len(evaluators)
        # What an outcome depends on besides the trials and their verdicts.
        self._counting = tuple(evaluator._counting_key for evaluator in evaluators)
        self._fragments: dict[Any, Any] = {}

    @classmethod
    def of(cls, evaluators: tuple[Evaluator, ...]) -> _SummaryPanel:
        """The panel of these evaluators, made once per catalog and selection."""
        if not evaluators:
            return cls(())
        cache = evaluators[0].catalog.compiled
        key = ("summary panel", evaluators)  # evaluators compare by identity
        found = cache.get(key)
        if found is None:
            found = cache[key] = cls(evaluators)
        return cast("_SummaryPanel", found)

    def results(self, trials: tuple[TrialFacts, ...], *, as_json: bool = False) -> list[Any]:
        """The summary ``results``: each evaluator's verdict of the trials, in order.

        Definitions that count alike and judged the trials alike have the same outcome,
        worked out once. With ``as_json`` each item is its serialised JSON
        (an ``orjson.Fragment``), made once per distinct item and reused.
        """
        judge = self.adequacy.counts
        columns = zip(*[judge(item) for item in trials], strict=True) if trials else self._no_trials
        outcomes: dict[Any, tuple[Any, ...]] = {}
        results: list[Any] = []
        fragments = self._fragments
        for ref, evaluator, counting, column in zip(
            self.refs, self.evaluators, self._counting, columns, strict=True
        ):
            outcome = outcomes.get((counting, column))
            if outcome is None:
                outcome = outcomes[counting, column] = evaluator._outcome(trials, column)
            if not as_json:
                results.append(_summary_item(ref, *outcome))
                continue
            fragment = fragments.get((ref, outcome))
            if fragment is None:
                if len(fragments) >= self.FRAGMENTS:
                    fragments.clear()
                fragment = fragments[ref, outcome] = orjson.Fragment(
                    orjson.dumps(_summary_item(ref, *outcome))
                )
            results.append(fragment)
        return results
