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
from typing import Any

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.rules.adequacy import TrialFacts, assess_trial

__all__ = ["evaluate", "evaluate_all", "evaluation_document", "explain_differences"]

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
    if isinstance(history, Mapping):
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


def _facts(history: Any, catalog: Catalog) -> tuple[list[TrialFacts], list[dict[str, Any]]]:
    facts: list[TrialFacts] = []
    warnings: list[dict[str, Any]] = []
    for index, trial in enumerate(history.trials):
        pointer = f"/trials/{index}"
        entry, label = _match(trial.drug, catalog)
        if entry is None:
            warnings.append(
                {
                    "code": "unknown-drug",
                    "pointer": f"{pointer}/drug",
                    "message": f"{label!r} is not a drug in the catalog; the trial "
                    "cannot be judged",
                }
            )
            kind = "antidepressant"
        else:
            kind = "antidepressant" if "antidepressant" in entry.model.roles else "augmentation"
            warnings.extend(_dose_warnings(trial, entry, pointer))
        facts.append(TrialFacts(pointer, kind, trial, entry, label))
        for number, agent in enumerate(trial.augmentation or ()):
            agent_entry, agent_label = _match(agent.drug, catalog)
            if agent_entry is None:
                warnings.append(
                    {
                        "code": "unknown-drug",
                        "pointer": f"{pointer}/augmentation/{number}/drug",
                        "message": f"{agent_label!r} is not a drug in the catalog",
                    }
                )
    for index, course in enumerate(history.courses or ()):
        course_kind = _COURSE_KINDS.get(course.kind)
        if course_kind is None:
            warnings.append(
                {
                    "code": "unclassified-course",
                    "pointer": f"/courses/{index}",
                    "message": f"a course of kind {course.kind!r} is not counted by any definition",
                }
            )
            continue
        facts.append(
            TrialFacts(f"/courses/{index}", course_kind, course, None, course.name or course.kind)
        )
    return facts, warnings


def _overlaps(facts: list[TrialFacts], as_of: datetime.date) -> list[dict[str, Any]]:
    """Antidepressant trials taken together for more than two weeks, reported as combinations."""
    spans = []
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
    label = drug.name or ", ".join(coding.code for coding in drug.codings or ())
    if drug.name:
        found = catalog.find_drug(drug.name)
        if found is not None:
            return found, label
    for coding in drug.codings or ():
        found = catalog.find_drug(coding.code)
        if found is not None:
            return found, label
    return None, label


def _dose_warnings(trial: Any, entry: CatalogEntry, pointer: str) -> list[dict[str, Any]]:
    dose = trial.daily_dose
    if dose is None or dose == "unknown":
        return []
    minimums = [
        d.minimum_daily
        for d in entry.model.adequate_doses or ()
        if d.minimum_daily.unit == dose.unit
    ]
    if any(dose.value > IMPLAUSIBLE_DOSE_FACTOR * minimum.value for minimum in minimums):
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


def _classes(entry: CatalogEntry | None, taxonomy: str | None) -> list[str]:
    if entry is None or taxonomy is None:
        return []
    return [item.code for item in entry.model.classes if item.taxonomy == taxonomy]


def _identity(facts: TrialFacts) -> str:
    """What makes two trials "the same treatment": the drug, or the kind and name of a course."""
    if facts.drug is not None:
        return str(facts.drug.id)
    return f"{facts.kind}:{facts.drug_input}"


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
    from trdcore.models import EvaluationResult

    return EvaluationResult.from_json(
        evaluation_document(history, definition, as_of=as_of, catalog=catalog)
    )


def evaluation_document(
    history: Any,
    definition: Any,
    *,
    as_of: datetime.date,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """:func:`evaluate`, returning the ``evaluation-result@1.0.0`` JSON document itself.

    For batch output, where building the model only to serialise it again
    would triple the cost.
    """
    from trdcore import __version__

    catalog = catalog if catalog is not None else _default_catalog()
    model = _history(history)
    entry = _definition(definition, catalog)
    parameters = entry.model.parameters
    classes_rule = parameters.distinct_classes
    taxonomy = classes_rule.taxonomy if classes_rule.required else None
    facts, warnings = _facts(model, catalog)
    warnings.extend(_overlaps(facts, as_of))

    assessments: list[dict[str, Any]] = []
    counted: dict[str, list[str]] = {}
    possible: dict[str, list[str]] = {}
    missing: list[dict[str, str]] = []
    thresholds: dict[str, dict[str, Any]] = {}
    for item in facts:
        verdict, criteria = assess_trial(item, parameters, as_of)
        classes = _classes(item.drug, taxonomy or "pharmacological")
        if verdict is True:
            counted.setdefault(_identity(item), classes)
        elif verdict is None:
            possible.setdefault(_identity(item), classes)
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
        reason = _reason(verdict, criteria)
        assessment: dict[str, Any] = {
            "pointer": item.pointer,
            "kind": item.kind,
            "counted": verdict,
            "criteria": [criterion.to_json() for criterion in criteria],
            "reason": reason,
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

    if parameters.missing_data == "not-counted":
        possible = {}
        missing = []
    possible = {key: value for key, value in possible.items() if key not in counted}
    status, explanation = _verdict(parameters, counted, possible, taxonomy)
    if status != "indeterminate":
        missing = []
    result: dict[str, Any] = {
        "schema": "evaluation-result@1.0.0",
        "definition": entry.ref,
        "catalog_version": __version__,
        "as_of": as_of.isoformat(),
        "status": status,
        "explanation": explanation,
        "trials": assessments,
        "counts": {
            "adequate_failed_trials": len(counted),
            "possible_failed_trials": len(possible),
            "distinct_classes": len(_distinct(counted.values())),
        },
        "missing": missing,
        "thresholds": list(thresholds.values()),
        "warnings": warnings,
        "engine": {"name": "trdcore", "version": __version__},
    }
    if model.id:
        result["history_id"] = model.id
    return result


def _reason(verdict: bool | None, criteria: Iterable[Any]) -> str:
    failed = [c.detail for c in criteria if c.result == "fail"]
    unknown = [c.detail for c in criteria if c.result == "unknown"]
    if verdict is True:
        return "an adequate failed trial"
    if verdict is False:
        return "not counted: " + "; ".join(failed)
    return "cannot tell: " + "; ".join(unknown)


def _distinct(class_lists: Iterable[list[str]]) -> set[str]:
    return {code for codes in class_lists for code in codes}


def _verdict(
    parameters: Any,
    counted: dict[str, list[str]],
    possible: dict[str, list[str]],
    taxonomy: str | None,
) -> tuple[str, str]:
    needed = parameters.min_failed_trials.value
    rule = parameters.distinct_classes
    needed_classes = rule.min_classes if rule.required and rule.min_classes else 0

    def satisfied(trials: dict[str, list[str]]) -> bool:
        return len(trials) >= needed and len(_distinct(trials.values())) >= needed_classes

    have = f"{len(counted)} adequate failed trial{'s' if len(counted) != 1 else ''}"
    classes_note = (
        f" across {len(_distinct(counted.values()))} {taxonomy} class(es)" if needed_classes else ""
    )
    if satisfied(counted):
        return "met", f"{have}{classes_note}; at least {needed} needed"
    if satisfied(counted | possible):
        return "indeterminate", (
            f"{have}{classes_note}; {len(possible)} more could count if the missing data "
            f"were known; at least {needed} needed"
        )
    found = sorted(_distinct(counted.values()))
    if len(counted) >= needed and needed_classes:
        return "not_met", (
            f"{have}, but all in {len(found)} {taxonomy} class"
            f"{'es' if len(found) != 1 else ''} ({', '.join(found) or 'unknown'}); "
            f"at least {needed_classes} different classes needed"
        )
    return "not_met", f"{have}{classes_note}; at least {needed} needed" + (
        f" from {needed_classes} different classes" if needed_classes else ""
    )


def evaluate_all(
    history: Any, *, as_of: datetime.date, catalog: Catalog | None = None
) -> tuple[list[Any], list[str]]:
    """Every active definition's verdict, and a sentence for each disagreement."""
    catalog = catalog if catalog is not None else _default_catalog()
    model = _history(history)
    results = [
        evaluate(model, entry, as_of=as_of, catalog=catalog)
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
