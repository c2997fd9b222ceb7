"""How resistant is the depression? The published staging models, computed from a history.

Four models are computed: Thase-Rush, the European Staging Model, MGH-S and the Maudsley
Staging Method (``../shared/reference/clinical-definitions.md`` §2, lines 92-167). Their
stages, point values and bands are read from the staging-model documents in the catalog, so
the numbers live in one place; rules a document cannot express (which trial fills which
stage, week and month ranges) are coded here, each citing its source line.

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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from trdcore.catalog import CatalogEntry
from trdcore.engine import Engine
from trdcore.evaluation import drug_classes
from trdcore.exceptions import UnknownTargetError
from trdcore.facts import WEEKS_PER_MONTH, TrialFacts

__all__ = ["NO_RESISTANCE", "stage", "stage_all"]

#: trdcore's label when no adequate failed trial is established. The European and Maudsley
#: models publish no category for it; Thase-Rush has its own stage "0".
NO_RESISTANCE = "No resistance"
DEFAULT_ADEQUACY = "esketamine-trials"

# clinical-definitions.md lines 118-122 (Hägg 2020 Panel 1): total weeks of treatment
# resistance per TRD sub-stage, transcribed as published (they overlap and leave 16-18 weeks
# unassigned). A duration gets the highest sub-stage whose range has begun.
_TRD_WEEKS = (
    ("TRD1", 12, 16),
    ("TRD2", 18, 24),
    ("TRD3", 24, 32),
    ("TRD4", 30, 40),
    ("TRD5", 36, 52),
)
# Line 123: "failure after >=12 months of several adequate AD trials".
_CHRONIC_WEEKS = 12 * WEEKS_PER_MONTH
_CHRONIC = "Chronic resistant depression"
_NON_RESPONDER = "Non-responder"

# clinical-definitions.md lines 144-146: acute <=12 months, sub-acute 13-24, chronic >24.
_EPISODE_MONTHS = ((12, "acute"), (24, "sub-acute"))
# Lines 147-151, by the severity the history records (it has no "subsyndromal").
_SEVERITY = {
    "mild": "mild",
    "moderate": "moderate",
    "severe-without-psychotic-features": "severe-without-psychosis",
    "severe-with-psychotic-features": "severe-with-psychosis",
}
# Lines 152-156: failed antidepressant medications 1-2, 3-4, 5-6, 7-10, >10.
_FAILED_MEDICATIONS = ((2, "failed-1-2"), (4, "failed-3-4"), (6, "failed-5-6"), (10, "failed-7-10"))
_MANY_FAILED = "failed-more-than-10"


@attrs.frozen
class _Item:
    """One antidepressant trial or ECT course that failed, or may have failed."""

    pointer: str
    kind: str  # "antidepressant" or "ect"
    label: str
    identity: str
    classes: frozenset[str]  # pharmacological classes; empty: unknown drug, may be any class
    weeks: float | None
    augmented: bool
    unknown: tuple[str, ...] = ()  # what data would decide it

    def named(self) -> str:
        classes = f", {'/'.join(sorted(self.classes))}" if self.classes else ""
        return f"{self.label} ({self.pointer}{classes})"


@attrs.frozen
class _Evidence:
    """A history as the staging models see it, judged under one adequacy definition."""

    failed: tuple[_Item, ...]  # adequate failed antidepressant trials
    undecided: tuple[_Item, ...]  # antidepressant trials the data cannot decide
    ect_courses: tuple[TrialFacts, ...]  # every ECT course, whatever its outcome
    ect_failed: tuple[_Item, ...]
    ect_undecided: tuple[_Item, ...]
    augmentation_used: bool
    episode: Any
    as_of: datetime.date


@attrs.frozen
class _Scored:
    """One model computed on one set of failed trials."""

    stage: str | None
    score: float | None
    points: tuple[dict[str, Any], ...]
    missing: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str | None, float | None, bool]:
        return self.stage, self.score, bool(self.missing)


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
    evidence = _evidence(history, engine, adequacy, as_of)
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
    evidence = _evidence(history, engine, adequacy, as_of)
    models = engine.staging_table("models", lambda: _active_models(engine))
    return [_RULES[compiled.id](compiled, evidence, evidence.as_of) for compiled in models]


@attrs.frozen
class StagingModel:
    """A staging-model entry with its options by (dimension, option), compiled once."""

    entry: CatalogEntry
    options: dict[tuple[str, str], Any] = attrs.field(eq=False, repr=False)

    @classmethod
    def compile(cls, entry: CatalogEntry) -> StagingModel:
        return cls(
            entry,
            {
                (found.id, choice.id): choice
                for found in entry.model.dimensions or ()
                for choice in found.options
            },
        )

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def ref(self) -> str:
        return self.entry.ref

    @property
    def model(self) -> Any:
        return self.entry.model

    def option(self, dimension: str, option: str) -> Any:
        """One option of one dimension (its points and label)."""
        choice = self.options.get((dimension, option))
        if choice is None:
            raise UnknownTargetError(f"option of dimension {dimension!r} in {self.ref}", option, [])
        return choice


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
    entry = engine.catalog.get("staging-model", model)
    if entry is None or entry.id not in _RULES:
        known = [item.ref for item in engine.catalog.items("staging-model") if item.id in _RULES]
        ids = sorted({item.id for item in engine.catalog.items("staging-model")})
        import difflib

        close = difflib.get_close_matches(model.partition("@")[0], ids, n=1)
        raise UnknownTargetError("staging model", model, known, close)
    return _compiled(engine, entry)


# --- evidence ---------------------------------------------------------------------------------


def _evidence(history: Any, engine: Engine, adequacy: str, as_of: Any) -> _Evidence:
    rules = engine.evaluator(adequacy).rules
    # ECT is judged on outcome alone (dose, duration and adherence do not apply to it), even
    # when the definition does not count ECT towards TRD.
    ect_rules = engine.ect_rules(adequacy)
    classes = engine.staging_table(
        "pharmacological classes", lambda: drug_classes(engine.catalog, "pharmacological")
    )
    normalised = engine.facts(history, as_of=as_of)
    facts = normalised.trials
    failed: list[_Item] = []
    undecided: list[_Item] = []
    ect_courses: list[TrialFacts] = []
    ect_failed: list[_Item] = []
    ect_undecided: list[_Item] = []
    augmentation_used = False
    for item in facts:
        if item.kind in ("antidepressant", "augmentation"):
            augmentation_used |= item.augmented or _augmenting_drug(item)
        if item.kind == "antidepressant":
            verdict = rules.counts(item)
            if verdict is not False:
                found = _item(item, rules.assess(item)[1] if verdict is None else (), classes)
                (failed if verdict else undecided).append(found)
        elif item.kind == "ect":
            ect_courses.append(item)
            verdict = ect_rules.counts(item)
            if verdict is not False:
                found = _item(item, ect_rules.assess(item)[1] if verdict is None else (), classes)
                (ect_failed if verdict else ect_undecided).append(found)
    return _Evidence(
        tuple(failed),
        tuple(undecided),
        tuple(ect_courses),
        tuple(ect_failed),
        tuple(ect_undecided),
        augmentation_used,
        normalised.episode,
        normalised.as_of,
    )


def _augmenting_drug(item: TrialFacts) -> bool:
    roles = item.drug.model.roles if item.drug is not None else ()
    return "augmentation" in roles and "antidepressant" not in roles


def _item(
    facts: TrialFacts, criteria: Sequence[Any], classes: Mapping[str, tuple[str, ...]]
) -> _Item:
    label = facts.drug.id if facts.drug is not None else (facts.drug_input or facts.kind)
    unknown = tuple(
        f"{facts.pointer} ({label}): {c.criterion}: {c.detail}"[:500]
        for c in criteria
        if c.result == "unknown"
    )
    return _Item(
        pointer=facts.pointer,
        kind=facts.kind,
        label="ECT" if facts.kind == "ect" and label == "ect" else label,
        identity=facts.identity,
        classes=frozenset(classes.get(facts.drug.ref, ()) if facts.drug is not None else ()),
        weeks=facts.weeks,
        augmented=facts.kind == "antidepressant" and facts.augmented,
        unknown=unknown,
    )


def _distinct(items: Sequence[_Item]) -> list[_Item]:
    """One item per treatment (the first by pointer): repeating a drug adds no failure."""
    seen: dict[str, _Item] = {}
    for item in sorted(items, key=lambda found: (found.identity, found.pointer)):
        seen.setdefault(item.identity, item)
    return sorted(seen.values(), key=lambda found: (found.label, found.identity))


# --- bounds: staged when the undecided trials cannot change the result ------------------------


def _bounded(
    entry: StagingModel,
    compute: Callable[[Sequence[_Item]], _Scored],
    failed: Sequence[_Item],
    undecided: Sequence[_Item],
) -> dict[str, Any]:
    low = compute(failed)
    high = compute([*failed, *undecided]) if undecided else low
    result: dict[str, Any] = {"model": entry.ref}
    if low.key == high.key and not low.missing:
        result["status"] = "staged"
        if low.stage is not None:
            result["stage"] = low.stage
        if low.score is not None:
            result["score"] = _number(low.score)
        if low.points:
            result["points"] = list(low.points)
        return result
    relevant = [
        item
        for item in undecided
        if compute([*failed, item]).key != low.key
        or compute([*failed, *(other for other in undecided if other is not item)]).key != high.key
    ] or (list(undecided) if low.key != high.key else [])
    missing = [*low.missing, *high.missing]
    missing += [sentence for item in relevant for sentence in item.unknown]
    # Points the undecided trials cannot change: the same dimension and value either way.
    remaining = [(point["dimension"], point["points"]) for point in high.points]
    certain = []
    for point in low.points:
        if (point["dimension"], point["points"]) in remaining:
            remaining.remove((point["dimension"], point["points"]))
            certain.append(point)
    result["status"] = "indeterminate"
    if certain:
        result["points"] = certain
    result["missing"] = list(dict.fromkeys(missing))
    return result


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _point(dimension: str, points: float, detail: str) -> dict[str, Any]:
    return {"dimension": dimension, "points": _number(points), "detail": detail[:1000]}


def _stage_labels(entry: StagingModel) -> list[str]:
    return [item.label for item in entry.model.stages or ()]


def _band(entry: StagingModel, score: float) -> str | None:
    for band in entry.model.bands or ():
        if band.min_score <= score <= band.max_score:
            return str(band.label)
    return None


# --- Thase-Rush -------------------------------------------------------------------------------


def _thase_rush(entry: StagingModel, evidence: _Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Stage 0 to V by which kinds of treatment failed (clinical-definitions.md lines 94-110).

    Read literally, each stage adds one more failed trial: I one antidepressant, II one of
    a totally different class, III a TCA, IV an MAOI (classes are the catalog's
    pharmacological codes), V a failed course of bilateral ECT. A history does not record
    ECT electrode placement, so a course counts as bilateral only when its name says so.
    """
    labels = _stage_labels(entry)
    ect_failed: list[_Item] = []
    ect_undecided: list[_Item] = []
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

    def compute(items: Sequence[_Item]) -> _Scored:
        drugs = _distinct([item for item in items if item.kind == "antidepressant"])
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
            _point(name, 1, f"{step.named()} {text}")
            for name, step, text in zip(names, steps, what, strict=False)
        ]
        points += [
            _point(
                name, 0, f"not reached: stage {label} needs {criterion[0].lower()}{criterion[1:]}"
            )
            for name, label, criterion in zip(
                names[len(steps) :],
                labels[len(steps) + 1 :],
                [s.criterion for s in entry.model.stages][len(steps) + 1 :],
                strict=True,
            )
        ]
        return _Scored(labels[len(steps)], None, tuple(points))

    return _bounded(
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


def _thase_rush_steps(drugs: Sequence[_Item]) -> list[_Item]:
    """The trials filling stages I-IV, each a different trial; as many stages as possible."""

    def may_be(item: _Item, code: str) -> bool:
        return code in item.classes or not item.classes  # an unknown drug may be of any class

    def pair(pool: Sequence[_Item]) -> list[_Item] | None:
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


def _european(entry: StagingModel, evidence: _Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Non-responder, TRD1-TRD5 or chronic (clinical-definitions.md lines 112-125).

    A failed ECT course counts as a trial (line 116). The total duration of treatment
    resistance is the sum of the failed trials' lengths. Two failed trials are TRD whatever
    their classes: the summaries read do not require different classes (line 125).
    """
    labels = set(_stage_labels(entry))
    for label in (_NON_RESPONDER, _CHRONIC, *(row[0] for row in _TRD_WEEKS)):
        if label not in labels:
            raise UnknownTargetError(f"stage of {entry.ref}", label, sorted(labels))

    def compute(items: Sequence[_Item]) -> _Scored:
        distinct = _distinct(items)
        count = len(distinct)
        trials = _point(
            "failed-trials",
            count,
            f"{count} adequate failed trial{'s' if count != 1 else ''}"
            + (": " + ", ".join(item.named() for item in distinct) if distinct else ""),
        )
        if count == 0:
            return _Scored(NO_RESISTANCE, None, (trials,))
        if count == 1:
            return _Scored(_NON_RESPONDER, None, (trials,))
        known = sum(item.weeks for item in items if item.weeks is not None)
        unmeasured = [item for item in items if item.weeks is None]
        label, note = _european_stage(known)
        if unmeasured and label != _CHRONIC:
            return _Scored(
                None,
                None,
                (trials,),
                tuple(
                    f"{item.pointer} ({item.label}): its length (dates or a duration) is "
                    "needed for the total weeks of resistance"
                    for item in unmeasured
                ),
            )
        weeks = _point(
            "resistance-weeks",
            round(known, 1),
            f"{known:.1f} weeks of failed adequate trials in total{note}",
        )
        return _Scored(label, None, (trials, weeks))

    return _bounded(
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


def _mgh_s(entry: StagingModel, evidence: _Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Points per failed trial, augmentation and ECT (clinical-definitions.md lines 127-138).

    The history records only each trial's highest sustained dose, not whether it was
    optimised, so dose optimisation scores nothing and says so.
    """
    per_trial = entry.option("failed-antidepressant-trials", "each-failed-trial").points
    augmented = entry.option("augmentation", "augmented").points
    not_optimised = entry.option("dose-optimisation", "not-optimised").points
    per_ect = entry.option("ect", "ect-course").points
    ect_points = [
        _point("ect", per_ect, f"{course.drug_input or 'ECT'} ({course.pointer}): ECT was used")
        for course in sorted(evidence.ect_courses, key=lambda c: c.pointer)
    ]

    def compute(items: Sequence[_Item]) -> _Scored:
        points = []
        for item in sorted(items, key=lambda found: (found.label, found.pointer)):
            points.append(
                _point(
                    "failed-antidepressant-trials",
                    per_trial,
                    f"{item.named()} failed an adequate trial",
                )
            )
            if item.augmented:
                points.append(_point("augmentation", augmented, f"{item.named()} was augmented"))
        points.append(
            _point(
                "dose-optimisation",
                not_optimised,
                "not scored: a treatment history records each trial's highest sustained dose, "
                "not whether the dose was optimised",
            )
        )
        points += ect_points
        score = sum(point["points"] for point in points)
        return _Scored(_band(entry, score), score, tuple(points))

    return _bounded(entry, compute, evidence.failed, evidence.undecided)


# --- Maudsley ---------------------------------------------------------------------------------


def _maudsley(entry: StagingModel, evidence: _Evidence, as_of: datetime.date) -> dict[str, Any]:
    """Five dimensions summed to 3-15, banded mild, moderate or severe (lines 140-167).

    Episode duration runs from the episode's start to ``as_of``; severity is the episode's
    recorded severity; failed medications are distinct antidepressants with an adequate
    failed trial; augmentation and ECT count as used whatever their outcome.
    """
    order = {dimension.id: index for index, dimension in enumerate(entry.model.dimensions)}
    fixed: list[dict[str, Any]] = []
    missing: list[str] = []
    duration = _episode_duration(evidence.episode.start_date, as_of)
    if duration is None:
        missing.append("/episode/start_date: the episode's start date is needed for its duration")
    else:
        option = entry.option("episode-duration", duration[0])
        fixed.append(_point("episode-duration", option.points, f"{option.label}: {duration[1]}"))
    severity = _SEVERITY.get(evidence.episode.severity or "")
    if severity is None:
        missing.append("/episode/severity: the episode's severity at baseline is not recorded")
    else:
        option = entry.option("symptom-severity", severity)
        fixed.append(
            _point("symptom-severity", option.points, f"{option.label} (/episode/severity)")
        )
    used = {True: "used", False: "not-used"}
    option = entry.option("augmentation", used[evidence.augmentation_used])
    fixed.append(_point("augmentation", option.points, f"{option.label} in this episode"))
    option = entry.option("ect", used[bool(evidence.ect_courses)])
    fixed.append(_point("ect", option.points, f"{option.label} in this episode"))

    def compute(items: Sequence[_Item]) -> _Scored:
        drugs = _distinct(items)
        if not drugs:
            none = _point(
                "failed-antidepressants",
                0,
                "no adequate failed antidepressant; the method publishes no option for none "
                "(its minimum total of 3 implies at least one)",
            )
            return _Scored(NO_RESISTANCE, None, (none,))
        option = entry.option("failed-antidepressants", _failed_option(len(drugs)))
        failures = _point(
            "failed-antidepressants",
            option.points,
            f"{option.label}: " + ", ".join(item.named() for item in drugs),
        )
        points = tuple(sorted([*fixed, failures], key=lambda point: order[point["dimension"]]))
        if missing:
            return _Scored(None, None, points, tuple(missing))
        score = sum(point["points"] for point in points)
        return _Scored(_band(entry, score), score, points)

    return _bounded(entry, compute, evidence.failed, evidence.undecided)


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


_RULES: dict[str, Callable[[StagingModel, _Evidence, datetime.date], dict[str, Any]]] = {
    "thase-rush": _thase_rush,
    "european-staging": _european,
    "mgh-s": _mgh_s,
    "maudsley": _maudsley,
}
