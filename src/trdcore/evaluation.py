"""Evaluating a treatment history against one TRD definition: the verdict and why.

An :class:`Evaluator` is one definition compiled for one
:class:`~trdcore.engine.Engine`; get it with
:meth:`Engine.evaluator() <trdcore.engine.Engine.evaluator>`. Its
:meth:`~Evaluator.verdict` gives the status and counts only, its
:meth:`~Evaluator.document` the whole ``evaluation-result@1.2.0`` document:
every trial's criteria with the thresholds and sources used, what data was
missing and any warnings about the input, so a result can be reproduced and
defended later. Both count the same way (:meth:`Evaluator.tally`), from
trial verdicts that come from the same criteria.

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
import enum
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.dates import as_date
from trdcore.facts import DRUG_KINDS, HistoryFacts, TrialFacts, read_history
from trdcore.models.history import TreatmentHistory
from trdcore.rules.adequacy import AdequacyRules
from trdcore.rules.whole_history import HistoryRule, Judgement, check_code_lists

__all__ = [
    "Counting",
    "Evaluator",
    "Status",
    "Tally",
    "Verdict",
    "summary_item",
]


class Status(enum.StrEnum):
    """A definition's verdict on a history. String-valued: JSON shows ``"met"`` and so on."""

    MET = "met"
    NOT_MET = "not_met"
    INDETERMINATE = "indeterminate"

    # A status equals its string ("met"), so it must hash like it too; str's own hash is also
    # much faster than Enum's (statuses are dictionary keys on the batch path).
    __hash__ = str.__hash__


_new_tuple = tuple.__new__


class Verdict(NamedTuple):
    """The verdict alone, without the explanation: what cohort finding and batch checks need."""

    definition: str
    status: Status
    adequate_failed_trials: int
    possible_failed_trials: int
    distinct_classes: int
    #: Each trial's and course's verdict, in the order of ``HistoryFacts.trials``: True an
    #: adequate failed trial, False not counted, None the data cannot tell.
    counted: tuple[bool | None, ...] = ()
    #: The code list, condition and date that exclude the person, if one does.
    excluded_by: Mapping[str, str] | None = None
    #: Pointers of the trials whose failure was inferred, not recorded (counted or not).
    inferred: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """This verdict as an item of an ``evaluation-summary@1.2.0`` document's results."""
        return summary_item(self.definition, *self[1:])


def summary_item(
    definition: str,
    status: Status,
    counted: int,
    possible: int,
    classes: int,
    verdicts: tuple[bool | None, ...],
    excluded_by: Mapping[str, str] | None = None,
    inferred: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One definition's item of an ``evaluation-summary@1.2.0`` document's ``results``."""
    item: dict[str, Any] = {
        "definition": definition,
        "status": status,
        "counts": {
            "adequate_failed_trials": counted,
            "possible_failed_trials": possible,
            "distinct_classes": classes,
        },
        "counted": list(verdicts),
    }
    if excluded_by is not None:
        item["excluded_by"] = dict(excluded_by)
    if inferred:
        item["inferred"] = list(inferred)
    return item


#: An outcome as :meth:`Counting.outcome` gives it, and as whole-history rules settle it:
#: status, the three counts, each trial's verdict, the exclusion, the inferred pointers.
Outcome = tuple[
    "Status",
    int,
    int,
    int,
    tuple[bool | None, ...],
    "Mapping[str, str] | None",
    tuple[str, ...],
]


_inferred_of = operator.attrgetter("inferred")


def inferred_pointers(trials: Sequence[TrialFacts]) -> tuple[str, ...]:
    """The pointers of the trials whose failure was inferred, not recorded, whether they
    count or not; the common case, none inferred, is found without a Python-level loop."""
    if not any(map(_inferred_of, trials)):
        return ()
    return tuple(item.pointer for item in trials if item.inferred is not None)


def drug_classes(catalog: Catalog, taxonomy: str) -> dict[str, tuple[str, ...]]:
    """By drug ``id@version``: its class codes in one taxonomy."""
    return {
        entry.ref: tuple(item.code for item in entry.model.classes if item.taxonomy == taxonomy)
        for entry in catalog.items("drug")
    }


class Tally(NamedTuple):
    """The trials a definition counts, and those that could count, one per drug; the status."""

    #: identity -> the first trial of it that counts
    counted: dict[str, TrialFacts]
    #: identity -> the first undecided trial of a drug none of whose trials counts
    possible: dict[str, TrialFacts]
    #: the class codes of the counted trials' drugs
    classes: frozenset[str]
    status: Status


_MET, _NOT_MET, _INDETERMINATE = Status.MET, Status.NOT_MET, Status.INDETERMINATE
_NO_CLASSES: frozenset[str] = frozenset()


@attrs.frozen
class Counting:
    """How a definition counts adequate failed trials into a status (its parameters)."""

    needed: int
    needed_classes: int
    #: The taxonomy whose classes are counted (pharmacological when classes are not required).
    taxonomy: str
    not_counted: bool
    classes: Mapping[str, tuple[str, ...]]
    #: The status of a history in which nothing counts or could (worked out once).
    status_of_none: Status = attrs.field(
        init=False,
        eq=False,
        default=attrs.Factory(lambda self: self.tally((), ()).status, takes_self=True),
    )

    @classmethod
    def compile(cls, parameters: Any, catalog: Catalog) -> Counting:
        rule = parameters.distinct_classes
        taxonomy = (rule.taxonomy if rule.required else None) or "pharmacological"
        return cls(
            needed=parameters.min_failed_trials.value,
            needed_classes=rule.min_classes if rule.required and rule.min_classes else 0,
            taxonomy=taxonomy,
            not_counted=parameters.missing_data == "not-counted",
            classes=drug_classes(catalog, taxonomy),
        )

    def classes_of(self, facts: TrialFacts) -> tuple[str, ...]:
        drug = facts.drug
        return () if drug is None else self.classes.get(drug.ref, ())

    def tally(self, trials: Sequence[TrialFacts], verdicts: Sequence[bool | None]) -> Tally:
        """Which trials count (one per drug) and which could, from each trial's verdict, and
        the status that gives: ``met`` with enough counted trials (and classes, when
        required), ``indeterminate`` when the undecided ones could make it so, else
        ``not_met``."""
        counted: dict[str, TrialFacts] = {}
        possible: dict[str, TrialFacts] = {}
        keep_possible = not self.not_counted
        for item, verdict in zip(trials, verdicts, strict=True):
            if verdict is True:
                if item.identity not in counted:
                    counted[item.identity] = item
            elif verdict is None and keep_possible and item.identity not in possible:
                possible[item.identity] = item
        if possible and counted:
            possible = {key: value for key, value in possible.items() if key not in counted}
        classes = _NO_CLASSES
        if counted:
            table = self.classes
            found: set[str] = set()
            for item in counted.values():
                if item.drug is not None:
                    found.update(table.get(item.drug.ref, ()))
            classes = frozenset(found)
        needed, needed_classes = self.needed, self.needed_classes
        if len(counted) >= needed and (not needed_classes or len(classes) >= needed_classes):
            status = _MET
        elif (
            possible
            and len(counted) + len(possible) >= needed
            and (
                not needed_classes
                or len(classes.union(*[self.classes_of(item) for item in possible.values()]))
                >= needed_classes
            )
        ):
            status = _INDETERMINATE
        else:
            status = _NOT_MET
        return _new_tuple(Tally, (counted, possible, classes, status))

    def outcome(
        self, trials: Sequence[TrialFacts], verdicts: tuple[bool | None, ...]
    ) -> tuple[Status, int, int, int, tuple[bool | None, ...]]:
        """Status, the three counts and each trial's verdict: a :class:`Verdict` without its
        definition."""
        if True not in verdicts and (self.not_counted or None not in verdicts):
            # Nothing counts and nothing could: the status of no trials at all.
            return self.status_of_none, 0, 0, 0, verdicts
        tally = self.tally(trials, verdicts)
        return (
            tally.status,
            len(tally.counted),
            len(tally.possible),
            len(tally.classes),
            verdicts,
        )


class Evaluator:
    """One definition compiled for one engine; evaluates any number of histories.

    Get one from :meth:`Engine.evaluator() <trdcore.engine.Engine.evaluator>`.
    :meth:`verdict` is the fast path (status and counts only); :meth:`document`
    and :meth:`evaluate` give the whole explained result. All three take a
    treatment-history model, a document (checked first) or
    :class:`~trdcore.facts.HistoryFacts` the same engine made, so a history
    normalised once can be judged by every definition.
    """

    def __init__(self, entry: CatalogEntry, engine: Any, *, dose_scheme: str | None = None) -> None:
        self.entry = entry
        self.engine = engine
        self.catalog = engine.catalog
        parameters = entry.model.parameters
        self.parameters = parameters
        check_code_lists(entry, engine.catalog)
        self.rules = AdequacyRules.compile(parameters, engine.catalog, dose_scheme=dose_scheme)
        self.counting = Counting.compile(parameters, engine.catalog)
        #: The rules that read the whole history (conditions, next treatments), if any.
        self.history_rule = HistoryRule.compile(parameters, engine.catalog)
        self._needing: dict[int, Counting] = {}
        #: The dose scheme chosen in place of the definition's own (None: the definition's).
        self.dose_scheme = self.rules.dose.scheme if dose_scheme is not None else None
        #: The scheme doses are judged by (None: doses are not checked).
        self.judged_by = self.rules.dose.scheme if self.rules.dose.judged else None

    def verdict(self, history: Any, *, as_of: Any) -> Verdict:
        """Status and counts only: the same verdict as :meth:`document`, without explaining it."""
        if self.history_rule is not None:
            return _new_tuple(
                Verdict, (self.entry.ref, *self.settled(self.engine.facts(history, as_of=as_of)))
            )
        kind = history.__class__
        if kind is HistoryFacts and history.engine is self.engine and history.as_of == as_of:
            trials = history.trials
        elif kind is TreatmentHistory:  # the verdict needs the trials only, not the warnings
            day = as_of if as_of.__class__ is datetime.date else as_date(as_of)
            trials = read_history(history.document, day, self.catalog)[0]
        else:
            trials = self.engine.facts(history, as_of=as_of).trials
        counts = self.rules.counts
        verdicts = tuple([counts(item) for item in trials])
        outcome = self.counting.outcome(trials, verdicts)
        return _new_tuple(Verdict, (self.entry.ref, *outcome, None, inferred_pointers(trials)))

    def counting_for(self, needed: int | None) -> Counting:
        """The counting rule, with the index event's number of failed trials when it has one."""
        if needed is None or needed == self.counting.needed:
            return self.counting
        found = self._needing.get(needed)
        if found is None:
            found = self._needing[needed] = attrs.evolve(self.counting, needed=needed)
        return found

    def settled(self, facts: HistoryFacts) -> Outcome:
        """The outcome of a definition with whole-history rules (:attr:`history_rule`):
        its trials counted, then the exclusion, a missing required diagnosis or conditions
        not on record settled on top (see :func:`settle`)."""
        rule = self.history_rule
        assert rule is not None
        judgement = rule.judge(facts, facts.trials)
        trials = judgement.trials
        counts = self.rules.counts
        verdicts = tuple([counts(item) for item in trials])
        outcome = self.counting_for(judgement.needed).outcome(trials, verdicts)
        return settle(outcome, judgement, self.counting.not_counted, trials)

    def document(self, history: Any, *, as_of: Any) -> dict[str, Any]:
        """The ``evaluation-result@1.2.0`` document: verdict, trial by trial reasons, thresholds."""
        from trdcore.release import VERSION as __version__

        facts: HistoryFacts = self.engine.facts(history, as_of=as_of)
        rule = self.history_rule
        judgement = rule.judge(facts, facts.trials) if rule is not None else None
        trials = judgement.trials if judgement is not None else facts.trials
        counting = self.counting_for(judgement.needed if judgement is not None else None)
        recognise = self.engine.catalog.recognise_drug
        assessments: list[dict[str, Any]] = []
        verdicts: list[bool | None] = []
        missing: list[dict[str, str]] = []
        thresholds: dict[str, Mapping[str, Any]] = {}
        for item in trials:
            verdict, criteria = self.rules.assess(item)
            verdicts.append(verdict)
            classes = list(counting.classes_of(item))
            for criterion in criteria:
                if criterion.threshold is not None:
                    thresholds.setdefault(criterion.threshold["parameter"], criterion.threshold)
            if verdict is None:
                missing.extend(
                    {"pointer": item.pointer, "what": f"{criterion.criterion}: {criterion.detail}"}
                    for criterion in criteria
                    if criterion.result == "unknown"
                )
            assessment: dict[str, Any] = {
                "pointer": item.pointer,
                "kind": item.kind,
                "counted": verdict,
                "criteria": [criterion.to_json() for criterion in criteria],
                "reason": _reason(
                    verdict,
                    criteria,
                    item.kind,
                    self.judged_by is not None,
                    self.parameters.min_trial_weeks.value > 0,
                )
                + (_INFERRED if verdict is not False and item.inferred is not None else ""),
            }
            if item.inferred is not None:
                assessment["outcome_inferred"] = dict(item.inferred)
            if item.trial_id:
                assessment["trial_id"] = item.trial_id
            if item.drug is not None:
                assessment["drug"] = item.drug.ref
            if item.drug_input:
                assessment["drug_input"] = item.drug_input[:200]
                if item.drug is not None:
                    recognised = recognise(item.drug_input)
                    if recognised is not None:
                        assessment["recognised_by"] = recognised.how
            if classes:
                assessment["classes"] = classes
            assessments.append(assessment)
        tally = counting.tally(trials, verdicts)
        status = tally.status
        explanation = self._explanation(status, tally, counting)
        exclusion = index = None
        if judgement is not None:
            settled = settled_status(status, judgement, counting.not_counted)
            exclusion, index = judgement.exclusion, judgement.index_event
            explanation = _settled_explanation(settled, status, explanation, judgement)
            if settled == Status.INDETERMINATE and status != Status.INDETERMINATE:
                missing = []  # only the conditions could change it
            status = settled
            if status == Status.INDETERMINATE:
                missing.extend(judgement.missing)
        if status != Status.INDETERMINATE or counting.not_counted:
            missing = []
        result: dict[str, Any] = {
            "schema": "evaluation-result@1.2.0",
            "definition": self.entry.ref,
            "catalog_version": __version__,
            "as_of": facts.as_of.isoformat(),
            "status": status,
            "explanation": explanation,
            "trials": assessments,
            "counts": {
                "adequate_failed_trials": len(tally.counted),
                "possible_failed_trials": len(tally.possible),
                "distinct_classes": len(tally.classes),
            },
        }
        if exclusion is not None:
            result["exclusion"] = exclusion
        if index is not None:
            result["index"] = index
        inferred = inferred_pointers(trials)
        if inferred:
            result["inferred"] = list(inferred)
            result["explanation"] += (
                f"; {len(inferred)} trial outcome{'s' if len(inferred) != 1 else ''} inferred "
                "from the next treatment, not recorded"
            )
        result |= {
            "missing": missing,
            "thresholds": [*self._scheme_threshold(), *thresholds.values()],
            "warnings": list(facts.warnings),
            "engine": {"name": "trdcore", "version": __version__},
        }
        if facts.history_id:
            result["history_id"] = facts.history_id
        return result

    def evaluate(self, history: Any, *, as_of: Any) -> Any:
        """:meth:`document` as an :class:`~trdcore.models.EvaluationResult` model."""
        from trdcore.models import EvaluationResult

        return EvaluationResult.from_json(self.document(history, as_of=as_of))

    def _scheme_threshold(self) -> list[dict[str, Any]]:
        """The dose scheme the doses were judged by, first among the thresholds (with whether
        it was chosen in place of the definition's own), or nothing when doses are not checked."""
        if self.judged_by is None:
            return []
        entry = self.catalog.get("dose-scheme", self.judged_by)
        chosen = " (chosen in place of the definition's)" if self.dose_scheme else ""
        return [
            {
                "parameter": "dose scheme" + chosen,
                "value": entry.ref if entry is not None else self.judged_by,
                "sources": list(entry.model.sources)
                if entry is not None
                else list(self.parameters.adequate_dose.sources),
                "verification": entry.model.verification if entry is not None else "unverified",
            }
        ]

    def _explanation(self, status: Status, tally: Tally, counting: Counting | None = None) -> str:
        counting = counting or self.counting
        needed, needed_classes, taxonomy = (
            counting.needed,
            counting.needed_classes,
            counting.taxonomy,
        )
        counted = len(tally.counted)
        adequate = "adequate failed" if self.judged_by is not None else "failed"
        have = f"{counted} {adequate} trial{'s' if counted != 1 else ''}"
        if self.judged_by is None:
            have += " (dose not checked)"
        classes_note = (
            f" across {len(tally.classes)} {taxonomy} class(es)" if needed_classes else ""
        )
        if status == Status.MET:
            return f"{have}{classes_note}; at least {needed} needed"
        if status == Status.INDETERMINATE:
            return (
                f"{have}{classes_note}; {len(tally.possible)} more could count if the missing "
                f"data were known; at least {needed} needed"
            )
        found = sorted(tally.classes)
        if counted >= needed and needed_classes:
            return (
                f"{have}, but all in {len(found)} {taxonomy} class"
                f"{'es' if len(found) != 1 else ''} ({', '.join(found) or 'unknown'}); "
                f"at least {needed_classes} different classes needed"
            )
        return f"{have}{classes_note}; at least {needed} needed" + (
            f" from {needed_classes} different classes" if needed_classes else ""
        )


_INFERRED = " (its failure is inferred from the treatment that followed, not recorded)"


def settle(
    outcome: tuple[Any, ...],
    judgement: Judgement,
    not_counted: bool,
    trials: Sequence[TrialFacts],
) -> Outcome:
    """An outcome of the counted trials with the whole-history rules on top: an exclusion
    or a reason the definition cannot be met makes it ``not_met``; conditions not on record
    make a ``met`` one ``indeterminate`` (unless the definition does not count missing data,
    which the judgement has settled already)."""
    status, counted, possible, classes, verdicts = outcome[:5]
    found = judgement.exclusion
    excluded_by = (
        {key: found[key] for key in ("code_list", "condition", "date")}
        if found is not None
        else None
    )
    return (
        settled_status(status, judgement, not_counted),
        counted,
        possible,
        classes,
        verdicts,
        excluded_by,
        inferred_pointers(trials),
    )


def settled_status(status: Status, judgement: Judgement, not_counted: bool) -> Status:
    """The status of the counted trials with the whole-history rules on top (see
    :func:`settle`)."""
    if judgement.exclusion is not None or judgement.unmet is not None:
        return Status.NOT_MET
    if judgement.missing and status == Status.MET and not not_counted:
        return Status.INDETERMINATE
    return status


def _settled_explanation(
    settled: Status, counted: Status, explanation: str, judgement: Judgement
) -> str:
    if judgement.exclusion is not None:
        found = judgement.exclusion
        coding = found.get("coding") or {}
        what = found.get("name") or coding.get("display") or coding.get("code", "a condition")
        return (
            f"excluded: {what} recorded on {found['date']} ({found['condition']}) is in "
            f"{found['code_list']}; the trials alone: {explanation}"
        )
    if judgement.unmet is not None:
        return f"{judgement.unmet}; the trials alone: {explanation}"
    if settled != counted:
        return f"{explanation}; but the conditions needed to check it are not recorded"
    if judgement.index_event is not None:
        index = judgement.index_event
        return (
            f"{explanation}; index: {index.get('drug_input', index['pointer'])} started on "
            f"{index['date']}"
        )
    return explanation


def _reason(
    verdict: bool | None,
    criteria: Iterable[Any],
    kind: str,
    dose_checked: bool,
    duration_checked: bool = True,
) -> str:
    if verdict is True:
        if kind not in DRUG_KINDS:
            return "a failed course that counts"
        if dose_checked:
            if not duration_checked:
                return "a failed trial at an adequate dose (duration not checked)"
            return "an adequate failed trial (dose and duration checked)"
        if not duration_checked:
            return "a failed trial (dose and duration not checked)"
        return "a failed trial of sufficient duration (dose not checked)"
    if verdict is False:
        return "not counted: " + "; ".join(c.detail for c in criteria if c.result == "fail")
    return "cannot tell: " + "; ".join(c.detail for c in criteria if c.result == "unknown")
