"""What the staging models read from a history, and how an undecided trial is bounded.

:func:`read_evidence` judges a history's trials under one TRD definition (which
are adequate failed trials, which the data cannot decide, which ECT courses
failed) for :mod:`trdcore.rules.staging`. :func:`bounded` stages a model only
when the undecided trials cannot change the result: it computes the model
once without them and once with all of them (every model only rises as failed
trials are added, so when both agree no combination can differ).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from trdcore.catalog import CatalogEntry
from trdcore.engine import Engine
from trdcore.evaluation import drug_classes
from trdcore.exceptions import UnknownTargetError
from trdcore.facts import TrialFacts
from trdcore.rules.criteria import Window

__all__ = [
    "Evidence",
    "Item",
    "Scored",
    "StagingModel",
    "band",
    "bounded",
    "distinct",
    "number",
    "point",
    "read_evidence",
    "stage_labels",
]


@attrs.frozen
class Item:
    """One antidepressant trial or ECT course that failed, or may have failed."""

    pointer: str
    kind: str  # "antidepressant" or "ect"
    label: str
    identity: str
    classes: frozenset[str]  # pharmacological classes; empty: unknown drug, may be any class
    weeks: float | None
    augmented: bool
    unknown: tuple[str, ...] = ()  # what data would decide it
    #: Its failure was inferred from the treatment that followed, not recorded.
    inferred: bool = False

    def named(self) -> str:
        classes = f", {'/'.join(sorted(self.classes))}" if self.classes else ""
        inferred = ", failure inferred from the next treatment" if self.inferred else ""
        return f"{self.label} ({self.pointer}{classes}{inferred})"


@attrs.frozen
class Evidence:
    """A history as the staging models see it, judged under one adequacy definition."""

    failed: tuple[Item, ...]  # adequate failed antidepressant trials
    undecided: tuple[Item, ...]  # antidepressant trials the data cannot decide
    ect_courses: tuple[TrialFacts, ...]  # every ECT course, whatever its outcome
    ect_failed: tuple[Item, ...]
    ect_undecided: tuple[Item, ...]
    augmentation_used: bool
    episode: Any
    as_of: datetime.date


@attrs.frozen
class Scored:
    """One model computed on one set of failed trials."""

    stage: str | None
    score: float | None
    points: tuple[dict[str, Any], ...]
    missing: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str | None, float | None, bool]:
        return self.stage, self.score, bool(self.missing)


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


# --- evidence ---------------------------------------------------------------------------------


def read_evidence(history: Any, engine: Engine, adequacy: str, as_of: Any) -> Evidence:
    rules = engine.evaluator(adequacy).rules
    # ECT is judged on outcome alone (dose, duration and adherence do not apply to it), even
    # when the definition does not count ECT towards TRD.
    ect_rules = engine.ect_rules(adequacy)
    classes = engine.staging_table(
        "pharmacological classes", lambda: drug_classes(engine.catalog, "pharmacological")
    )
    normalised = engine.facts(history, as_of=as_of)
    facts = normalised.trials
    # The staging models count the same part of the history as the definition judging the
    # trials (its episode rule): a trial that began before the episode adds only its weeks
    # inside it.
    window = rules.window
    failed: list[Item] = []
    undecided: list[Item] = []
    ect_courses: list[TrialFacts] = []
    ect_failed: list[Item] = []
    ect_undecided: list[Item] = []
    augmentation_used = False
    for item in facts:
        if item.kind in ("antidepressant", "augmentation"):
            augmentation_used |= item.augmented or _augmenting_drug(item)
        if item.kind == "antidepressant":
            verdict = rules.counts(item)
            if verdict is not False:
                found = item_of(
                    item, rules.assess(item)[1] if verdict is None else (), classes, window
                )
                (failed if verdict else undecided).append(found)
        elif item.kind == "ect":
            ect_courses.append(item)
            verdict = ect_rules.counts(item)
            if verdict is not False:
                found = item_of(
                    item,
                    ect_rules.assess(item)[1] if verdict is None else (),
                    classes,
                    window,
                )
                (ect_failed if verdict else ect_undecided).append(found)
    return Evidence(
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


def item_of(
    facts: TrialFacts,
    criteria: Sequence[Any],
    classes: Mapping[str, tuple[str, ...]],
    window: Window | None = None,
) -> Item:
    label = facts.drug.id if facts.drug is not None else (facts.drug_input or facts.kind)
    unknown = tuple(
        f"{facts.pointer} ({label}): {c.criterion}: {c.detail}"[:500]
        for c in criteria
        if c.result == "unknown"
    )
    return Item(
        pointer=facts.pointer,
        kind=facts.kind,
        label="ECT" if facts.kind == "ect" and label == "ect" else label,
        identity=facts.identity,
        classes=frozenset(classes.get(facts.drug.ref, ()) if facts.drug is not None else ()),
        weeks=facts.weeks if window is None else window.weeks_inside(facts),
        augmented=facts.kind == "antidepressant" and facts.augmented,
        unknown=unknown,
        inferred=facts.inferred is not None,
    )


def distinct(items: Sequence[Item]) -> list[Item]:
    """One item per treatment (the first by pointer): repeating a drug adds no failure."""
    seen: dict[str, Item] = {}
    for item in sorted(items, key=lambda found: (found.identity, found.pointer)):
        seen.setdefault(item.identity, item)
    return sorted(seen.values(), key=lambda found: (found.label, found.identity))


# --- bounds: staged when the undecided trials cannot change the result ------------------------


def bounded(
    entry: StagingModel,
    compute: Callable[[Sequence[Item]], Scored],
    failed: Sequence[Item],
    undecided: Sequence[Item],
) -> dict[str, Any]:
    low = compute(failed)
    high = compute([*failed, *undecided]) if undecided else low
    result: dict[str, Any] = {"model": entry.ref}
    if low.key == high.key and not low.missing:
        result["status"] = "staged"
        if low.stage is not None:
            result["stage"] = low.stage
        if low.score is not None:
            result["score"] = number(low.score)
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


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def point(dimension: str, points: float, detail: str) -> dict[str, Any]:
    return {"dimension": dimension, "points": number(points), "detail": detail[:1000]}


def stage_labels(entry: StagingModel) -> list[str]:
    return [item.label for item in entry.model.stages or ()]


def band(entry: StagingModel, score: float) -> str | None:
    for band in entry.model.bands or ():
        if band.min_score <= score <= band.max_score:
            return str(band.label)
    return None
