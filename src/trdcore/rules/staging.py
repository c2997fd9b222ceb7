"""How resistant is the depression? The published staging models, computed from a history.

Four models are computed: Thase-Rush, the European Staging Model, MGH-S and the
Maudsley Staging Method. Their sources are the catalog's source documents the staging-model
documents list: Hägg et al. 2020 Panel 1 (doi:10.1371/journal.pone.0236434) for the ESM
sub-stages, MGH-S and the MSM treatment points; Fekadu et al. 2018 Table 3
(doi:10.1186/s12888-018-1679-x) for the MSM; and secondary summaries of Souery et al. 1999
(ESM) and of Thase-Rush as given by Fava 2003. Their stages, point values and bands are read
from the staging-model documents in the catalog, so the numbers live in one place; rules a
document cannot express (which trial fills which stage, week and month ranges) are coded here,
each citing its source.

Which trials are *adequate failed trials* is decided by the evaluation engine
(:class:`~trdcore.rules.adequacy.AdequacyRules`) under one TRD definition, by default
``esketamine-trials`` (MGH-ATRQ minimum doses, at least 6 weeks, no more than 25%
improvement, adherence required). ECT courses are judged by the same definition's
non-response and intolerance rules, whether or not it counts ECT towards TRD.

A trial the data cannot decide makes a stage ``indeterminate`` only when it could change
the result: the model is computed once without the undecided trials and once with all of
them (an unknown drug may be of any class); every model only rises as failed trials are
added, so when both agree no combination can differ. Points models report a score, and are
staged only when the score is certain.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from trdcore.catalog import CatalogEntry
from trdcore.engine import Engine
from trdcore.exceptions import UnknownTargetError
from trdcore.facts import WEEKS_PER_MONTH
from trdcore.rules.staging_evidence import (
    Evidence,
    Item,
    Scored,
    StagingModel,
    band,
    bounded,
    distinct,
    point,
    read_evidence,
    stage_labels,
)

__all__ = ["NO_RESISTANCE", "stage", "stage_all"]

#: trdcore's label when no adequate failed trial is established. The European and Maudsley
#: models publish no category for it; Thase-Rush has its own stage "0".
NO_RESISTANCE = "No resistance"
DEFAULT_ADEQUACY = "esketamine-trials"

# Hägg et al. 2020, Panel 1 (source hagg-2020, doi:10.1371/journal.pone.0236434): total
# weeks of treatment resistance per ESM TRD sub-stage, transcribed as published (they overlap
# and leave 16-18 weeks unassigned). A duration gets the highest sub-stage whose range has begun.
_TRD_WEEKS = (
    ("TRD1", 12, 16),
    ("TRD2", 18, 24),
    ("TRD3", 24, 32),
    ("TRD4", 30, 40),
    ("TRD5", 36, 52),
)
# Souery et al. 1999 as summarised by medalg-souery-crd (secondary; the paper was not read,
# no DOI known): chronic resistant depression is "failure after >=12 months of several adequate
# AD trials".
_CHRONIC_WEEKS = 12 * WEEKS_PER_MONTH
_CHRONIC = "Chronic resistant depression"
_NON_RESPONDER = "Non-responder"

# Maudsley Staging Method, Fekadu et al. 2018 Table 3 (source fekadu-2018,
# doi:10.1186/s12888-018-1679-x): episode acute <=12 months, sub-acute 13-24, chronic >24.
_EPISODE_MONTHS = ((12, "acute"), (24, "sub-acute"))
# Fekadu et al. 2018 Table 3, symptom severity, by the severity the history records (it has
# no "subsyndromal").
_SEVERITY = {
    "mild": "mild",
    "moderate": "moderate",
    "severe-without-psychotic-features": "severe-without-psychosis",
    "severe-with-psychotic-features": "severe-with-psychosis",
}
# Hägg et al. 2020 Panel 1 (doi:10.1371/journal.pone.0236434): failed antidepressant
# medications 1-2, 3-4, 5-6, 7-10, >10.
_FAILED_MEDICATIONS = ((2, "failed-1-2"), (4, "failed-3-4"), (6, "failed-5-6"), (10, "failed-7-10"))
_MANY_FAILED = "failed-more-than-10"


# --- public API -------------------------------------------------------------------------------


def stage(
    history: Any,
    model: str,
    *,
    as_of: Any,
    engine: Engine,
    adequacy: str = DEFAULT_ADEQUACY,
) -> dict[str, Any]:
    """One staging model (``"maudsley"`` or ``"maudsley@1.0.0"``) on one treatment history.

    Returns one item of an evaluation result's ``stages``: the model's ``id@version``,
    ``staged`` or ``indeterminate``, the stage and score where known, the points each
    dimension gave with a sentence saying why, and the data that was missing. ``adequacy``
    names the TRD definition whose rules decide which trials are adequate failed trials.
    """
    compiled = _model(model, engine)
    evidence = read_evidence(history, engine, adequacy, as_of)
    return _RULES[compiled.id](compiled, evidence, evidence.as_of)


def stage_all(
    history: Any,
    *,
    as_of: Any,
    engine: Engine,
    adequacy: str = DEFAULT_ADEQUACY,
) -> list[dict[str, Any]]:
    """Every active staging model in the catalog that trdcore has rules for, by id.

    ``history`` may also be :class:`~trdcore.facts.HistoryFacts` the engine already
    made for ``as_of``, so a batch normalises each history only once.
    """
    evidence = read_evidence(history, engine, adequacy, as_of)
    models = engine.staging_table("models", lambda: _active_models(engine))
    return [_RULES[compiled.id](compiled, evidence, evidence.as_of) for compiled in models]


def _active_models(engine: Engine) -> list[StagingModel]:
    return [
        _compiled(engine, entry)
        for entry in sorted(engine.catalog.items("staging-model"), key=lambda item: item.ref)
        if entry.id in _RULES and entry.model.status == "active"
    ]


def _compiled(engine: Engine, entry: CatalogEntry) -> StagingModel:
    found: StagingModel = engine.staging_table(
        f"model {entry.ref}", lambda: StagingModel.compile(entry)
    )
    return found


def _model(model: str, engine: Engine) -> StagingModel:
    entry = engine.catalog.resolve("staging-model", model)
    if entry.id not in _RULES:
        known = [item.ref for item in engine.catalog.items("staging-model") if item.id in _RULES]
        raise UnknownTargetError("staging model", model, known)
    return _compiled(engine, entry)


# --- Thase-Rush -------------------------------------------------------------------------------


def _thase_rush(entry: StagingModel, evidence: Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Stage 0 to V by which kinds of treatment failed (Thase-Rush, per Fava 2003, p. 650).

    Read literally, each stage adds one more failed trial: I one antidepressant, II one of
    a totally different class, III a TCA, IV an MAOI (classes are the catalog's
    pharmacological codes), V a failed course of bilateral ECT. A history does not record
    ECT electrode placement, so a course counts as bilateral only when its name says so.

    Source: medalg-thase-rush, a secondary summary citing Fava, Biol Psychiatry 2003, p. 650;
    the 1997 Thase and Rush text was not read and no DOI is known.
    """
    labels = stage_labels(entry)
    ect_failed: list[Item] = []
    ect_undecided: list[Item] = []
    for course in evidence.ect_failed + evidence.ect_undecided:
        name = next(c.drug_input for c in evidence.ect_courses if c.pointer == course.pointer)
        placement = _bilateral(name)
        if placement is False:
            continue
        if placement is None:
            course = attrs.evolve(
                course,
                unknown=(
                    *course.unknown,
                    f"{course.pointer} (ECT): whether it was bilateral is not recorded; stage "
                    "V needs bilateral ECT (write it in the course name)",
                ),
            )
        (ect_failed if placement and not course.unknown else ect_undecided).append(course)

    def compute(items: Sequence[Item]) -> Scored:
        drugs = distinct([item for item in items if item.kind == "antidepressant"])
        ects = sorted((item for item in items if item.kind == "ect"), key=lambda i: i.pointer)
        steps = _thase_rush_steps(drugs)
        if len(steps) == 4 and ects:
            steps.append(ects[0])
        names = ["one-class", "different-class", "tca", "maoi", "bilateral-ect"]
        what = [
            "failed an adequate antidepressant trial",
            "failed an adequate trial of a totally different class",
            "failed an adequate trial of a tricyclic (TCA)",
            "failed an adequate trial of an MAOI",
            "failed a course of bilateral ECT",
        ]
        points = [
            point(name, 1, f"{step.named()} {text}")
            for name, step, text in zip(names, steps, what, strict=False)
        ]
        points += [
            point(
                name, 0, f"not reached: stage {label} needs {criterion[0].lower()}{criterion[1:]}"
            )
            for name, label, criterion in zip(
                names[len(steps) :],
                labels[len(steps) + 1 :],
                [s.criterion for s in entry.model.stages][len(steps) + 1 :],
                strict=True,
            )
        ]
        return Scored(labels[len(steps)], None, tuple(points))

    return bounded(
        entry,
        compute,
        [*evidence.failed, *ect_failed],
        [*evidence.undecided, *ect_undecided],
    )


def _bilateral(name: str | None) -> bool | None:
    text = (name or "").casefold()
    if "unilateral" in text:
        return False
    if "bilateral" in text:
        return True
    return None


def _thase_rush_steps(drugs: Sequence[Item]) -> list[Item]:
    """The trials filling stages I-IV, each a different trial; as many stages as possible."""

    def may_be(item: Item, code: str) -> bool:
        return code in item.classes or not item.classes  # an unknown drug may be of any class

    def pair(pool: Sequence[Item]) -> list[Item] | None:
        for index, first in enumerate(pool):
            for second in pool[index + 1 :]:
                if first.classes.isdisjoint(second.classes):
                    return [first, second]
        return None

    best = list(drugs[:1])
    found = pair(drugs)
    if found is None:
        return best
    best = found
    for tca in (item for item in drugs if may_be(item, "TCA")):
        rest = [item for item in drugs if item is not tca]
        found = pair(rest)
        if found is None:
            continue
        if len(best) < 3:
            best = [*found, tca]
        for maoi in (item for item in rest if may_be(item, "MAOI")):
            found = pair([item for item in rest if item is not maoi])
            if found is not None:
                return [*found, tca, maoi]
    return best


# --- European Staging Model -------------------------------------------------------------------


def _european(entry: StagingModel, evidence: Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Non-responder, TRD1-TRD5 or chronic (Souery et al. 1999; sub-stages Hägg 2020 Panel 1).

    A failed ECT course counts as a trial (Souery et al.'s trial types include ECT, per the
    medalg-souery-crd summary). The total duration of treatment resistance is the sum of the
    failed trials' lengths. Two failed trials are TRD whatever their classes: the summary of
    Souery et al. 1999 read (medalg-souery-crd) does not require different classes, and
    whether the 1999 paper does is unverified.

    Sources: medalg-souery-crd (secondary summary of Souery et al. 1999; no DOI known) and
    hagg-2020 Panel 1 (doi:10.1371/journal.pone.0236434).
    """
    labels = set(stage_labels(entry))
    for label in (_NON_RESPONDER, _CHRONIC, *(row[0] for row in _TRD_WEEKS)):
        if label not in labels:
            raise UnknownTargetError(f"stage of {entry.ref}", label, sorted(labels))

    def compute(items: Sequence[Item]) -> Scored:
        failed = distinct(items)
        count = len(failed)
        trials = point(
            "failed-trials",
            count,
            f"{count} adequate failed trial{'s' if count != 1 else ''}"
            + (": " + ", ".join(item.named() for item in failed) if failed else ""),
        )
        if count == 0:
            return Scored(NO_RESISTANCE, None, (trials,))
        if count == 1:
            return Scored(_NON_RESPONDER, None, (trials,))
        known = sum(item.weeks for item in items if item.weeks is not None)
        unmeasured = [item for item in items if item.weeks is None]
        label, note = _european_stage(known)
        if unmeasured and label != _CHRONIC:
            return Scored(
                None,
                None,
                (trials,),
                tuple(
                    f"{item.pointer} ({item.label}): its length (dates or a duration) is "
                    "needed for the total weeks of resistance"
                    for item in unmeasured
                ),
            )
        weeks = point(
            "resistance-weeks",
            round(known, 1),
            f"{known:.1f} weeks of failed adequate trials in total{note}",
        )
        return Scored(label, None, (trials, weeks))

    return bounded(
        entry,
        compute,
        [*evidence.failed, *evidence.ect_failed],
        [*evidence.undecided, *evidence.ect_undecided],
    )


def _european_stage(weeks: float) -> tuple[str, str]:
    """The sub-stage for a total of weeks, and a note when the published ranges do not decide.

    Overlaps go to the higher sub-stage, the 16-18 week gap to TRD1, anything under 12 weeks
    to TRD1 (two failed trials are TRD by definition) and 12 months or more to chronic.
    """
    if weeks >= _CHRONIC_WEEKS:
        return _CHRONIC, f"; at least 12 months ({_CHRONIC_WEEKS:.1f} weeks)"
    begun = [row for row in _TRD_WEEKS if weeks >= row[1]]
    label, low, high = begun[-1] if begun else _TRD_WEEKS[0]
    within = [row for row in _TRD_WEEKS if row[1] <= weeks <= row[2]]
    if not begun:
        note = f"; under TRD1's {low} weeks, so TRD1 as the first TRD sub-stage [trdcore rule]"
    elif len(within) > 1:
        names = " and ".join(f"{row[0]} ({row[1]}-{row[2]} weeks)" for row in within)
        note = f"; in both {names}: the published ranges overlap, so the higher [trdcore rule]"
    elif not within:
        note = (
            f"; in no published range (they leave gaps), so {label} ({low}-{high} weeks), the "
            "highest sub-stage already begun [trdcore rule]"
        )
    else:
        note = f"; {label} is {low}-{high} weeks"
    return label, note


# --- MGH-S ------------------------------------------------------------------------------------


def _mgh_s(entry: StagingModel, evidence: Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Points per failed trial, augmentation and ECT (MGH-S, Hägg 2020 Panel 1).

    The history records only each trial's highest sustained dose, not whether it was
    optimised, so dose optimisation scores nothing and says so.

    Source: Fava 2003's MGH-S as tabulated in Hägg et al. 2020 Panel 1
    (doi:10.1371/journal.pone.0236434, PMID 32730324). No DOI is known for Fava 2003.
    """
    per_trial = entry.option("failed-antidepressant-trials", "each-failed-trial").points
    augmented = entry.option("augmentation", "augmented").points
    not_optimised = entry.option("dose-optimisation", "not-optimised").points
    per_ect = entry.option("ect", "ect-course").points
    ect_points = [
        point("ect", per_ect, f"{course.drug_input or 'ECT'} ({course.pointer}): ECT was used")
        for course in sorted(evidence.ect_courses, key=lambda c: c.pointer)
    ]

    def compute(items: Sequence[Item]) -> Scored:
        points = []
        for item in sorted(items, key=lambda found: (found.label, found.pointer)):
            points.append(
                point(
                    "failed-antidepressant-trials",
                    per_trial,
                    f"{item.named()} failed an adequate trial",
                )
            )
            if item.augmented:
                points.append(point("augmentation", augmented, f"{item.named()} was augmented"))
        points.append(
            point(
                "dose-optimisation",
                not_optimised,
                "not scored: a treatment history records each trial's highest sustained dose, "
                "not whether the dose was optimised",
            )
        )
        points += ect_points
        score = sum(point["points"] for point in points)
        return Scored(band(entry, score), score, tuple(points))

    return bounded(entry, compute, evidence.failed, evidence.undecided)


# --- Maudsley ---------------------------------------------------------------------------------


def _maudsley(entry: StagingModel, evidence: Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Five dimensions summed to 3-15, banded mild, moderate or severe (Fekadu 2018 Table 3).

    Episode duration runs from the episode's start to ``as_of``; severity is the episode's
    recorded severity; failed medications are distinct antidepressants with an adequate
    failed trial; augmentation and ECT count as used whatever their outcome.

    Sources: Fekadu et al. 2018 Table 3 (doi:10.1186/s12888-018-1679-x) for duration,
    severity, range and bands; Hägg et al. 2020 Panel 1 (doi:10.1371/journal.pone.0236434) for
    the treatment-failure points.
    """
    order = {dimension.id: index for index, dimension in enumerate(entry.model.dimensions)}
    fixed: list[dict[str, Any]] = []
    missing: list[str] = []
    duration = _episode_duration(evidence.episode.start_date, as_of)
    if duration is None:
        missing.append("/episode/start_date: the episode's start date is needed for its duration")
    else:
        option = entry.option("episode-duration", duration[0])
        fixed.append(point("episode-duration", option.points, f"{option.label}: {duration[1]}"))
    severity = _SEVERITY.get(evidence.episode.severity or "")
    if severity is None:
        missing.append("/episode/severity: the episode's severity at baseline is not recorded")
    else:
        option = entry.option("symptom-severity", severity)
        fixed.append(
            point("symptom-severity", option.points, f"{option.label} (/episode/severity)")
        )
    used = {True: "used", False: "not-used"}
    option = entry.option("augmentation", used[evidence.augmentation_used])
    fixed.append(point("augmentation", option.points, f"{option.label} in this episode"))
    option = entry.option("ect", used[bool(evidence.ect_courses)])
    fixed.append(point("ect", option.points, f"{option.label} in this episode"))

    def compute(items: Sequence[Item]) -> Scored:
        drugs = distinct(items)
        if not drugs:
            none = point(
                "failed-antidepressants",
                0,
                "no adequate failed antidepressant; the method publishes no option for none "
                "(its minimum total of 3 implies at least one)",
            )
            return Scored(NO_RESISTANCE, None, (none,))
        option = entry.option("failed-antidepressants", _failed_option(len(drugs)))
        failures = point(
            "failed-antidepressants",
            option.points,
            f"{option.label}: " + ", ".join(item.named() for item in drugs),
        )
        points = tuple(sorted([*fixed, failures], key=lambda point: order[point["dimension"]]))
        if missing:
            return Scored(None, None, points, tuple(missing))
        score = sum(point["points"] for point in points)
        return Scored(band(entry, score), score, points)

    return bounded(entry, compute, evidence.failed, evidence.undecided)


def _episode_duration(start: Any, as_of: datetime.date) -> tuple[str, str] | None:
    if not isinstance(start, datetime.date):
        return None
    for months, option in _EPISODE_MONTHS:
        if as_of <= _add_months(start, months):
            return (
                option,
                f"from {start.isoformat()} to {as_of.isoformat()}, {months} months or less",
            )
    return "chronic", f"from {start.isoformat()} to {as_of.isoformat()}, more than 24 months"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def _failed_option(count: int) -> str:
    return next((option for most, option in _FAILED_MEDICATIONS if count <= most), _MANY_FAILED)


_RULES: dict[str, Callable[[StagingModel, Evidence, datetime.date], dict[str, Any]]] = {
    "thase-rush": _thase_rush,
    "european-staging": _european,
    "mgh-s": _mgh_s,
    "maudsley": _maudsley,
}
