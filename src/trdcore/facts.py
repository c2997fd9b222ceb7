"""What the engine knows about a history, read once from its checked JSON.

There is one normaliser, :func:`read_history`: it reads a treatment-history
document that passed its schema and cross-field checks and gives the
:class:`TrialFacts` of every trial and course as of one date (the matched
drug, the length in weeks, the improvement, the recorded dose, outcome and
adherence). Nothing here depends on a definition, so a history normalised
once can be judged by every definition and staging model. A
:class:`~trdcore.models.TreatmentHistory` model is read through the JSON it
stands for (:attr:`~trdcore.models.TreatmentHistory.document`), so the model
and batch paths cannot disagree.

The warnings about the input (unknown drugs, implausible doses, antidepressants
taken together, unclassified courses) are worked out on first use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple

from trdcore.catalog import Catalog, CatalogEntry

__all__ = [
    "COMBINATION_OVERLAP_DAYS",
    "DRUG_KINDS",
    "IMPLAUSIBLE_DOSE_FACTOR",
    "WEEKS_PER_MONTH",
    "ConditionFacts",
    "Dose",
    "HistoryFacts",
    "TrialFacts",
    "implausible_doses",
    "read_history",
]

#: Average weeks in a month (365.25 / 12 / 7), for durations given in months.
WEEKS_PER_MONTH = 365.25 / 12 / 7
#: The kinds of trial that are drug treatments (the others are courses).
DRUG_KINDS = frozenset({"antidepressant", "augmentation"})
#: Two antidepressant trials overlapping by more than this many days are reported as taken
#: together (a combination); a shorter overlap reads as a cross-taper switch. A reading of
#: the input, not a clinical threshold; each trial is still judged on its own.
COMBINATION_OVERLAP_DAYS = 14
#: A dose this many times the minimum adequate dose is flagged as implausible (a plausibility
#: check on the input, not a clinical threshold; the warning asks for the record to be checked).
IMPLAUSIBLE_DOSE_FACTOR = 10
_WEEKS_PER_UNIT = {"day": 1 / 7, "week": 1.0, "month": WEEKS_PER_MONTH}
#: How each kind of course is judged; a course of another kind is not counted (a warning).
_COURSE_KINDS = {
    "ect": "ect",
    "rtms": "other-neurostimulation",
    "vns": "other-neurostimulation",
    "psychotherapy": "psychotherapy",
}
#: The pointers of the first trials, made once (a history holds at most 200 trials).
_TRIAL_POINTERS = tuple(f"/trials/{index}" for index in range(200))
_POINTED = len(_TRIAL_POINTERS)
_date = datetime.date.fromisoformat
_new_tuple = tuple.__new__
#: A note kept while reading, turned into a warning in document order:
#: (index of the trial it follows, code, pointer, subject).
Note = tuple[int, str, str, str]


class Dose(NamedTuple):
    """A daily dose as the engine compares it: the amount and its unit (mg, g, mcg, mg/24h)."""

    value: float
    unit: str


class TrialFacts(NamedTuple):
    """What the engine knows about one trial or course after normalisation (see the module)."""

    pointer: str
    kind: str  # antidepressant | augmentation | psychotherapy | ect | other-neurostimulation
    drug: Any = None  # CatalogEntry of the matched drug, None if unknown or not a drug
    drug_input: str | None = None
    weeks: float | None = None
    improvement: tuple[float, str] | None = None
    identity: str = ""
    dose: Dose | Literal["unknown"] | None = None  # trials only
    outcome: str | None = None
    adherence: str | None = None  # trials only
    #: First and last day taken (an ongoing one: up to the as-of date), when both are known.
    span: tuple[datetime.date, datetime.date] | None = None
    trial_id: str | None = None
    augmented: bool = False  # an augmenting agent was recorded with the trial
    #: The current episode's start, when the history records it as a date (the same for every
    #: trial of a history); with ``as_of`` it places the trial for the episode rule.
    episode_start: datetime.date | None = None
    as_of: datetime.date | None = None
    #: Set when the outcome non-response was inferred from the treatment that followed, not
    #: recorded: the history's ``outcome_inferred`` block, or one made by an inference rule
    #: (:mod:`trdcore.rules.inference`). Results label every such trial.
    inferred: Mapping[str, Any] | None = None


class ConditionFacts(NamedTuple):
    """One recorded condition of a history, as exclusions and required diagnoses read it."""

    pointer: str
    date: datetime.date
    #: (system, code) of each coding.
    codes: tuple[tuple[str, str], ...]
    name: str | None
    #: The first coding as the history gives it (shown in results), if any.
    coding: Mapping[str, Any] | None


def _trial_facts(
    pointer: str,
    kind: str,
    data: Mapping[str, Any],
    drug: CatalogEntry | None,
    drug_input: str | None,
    as_of: datetime.date,
    augmented: bool = False,
    episode_start: datetime.date | None = None,
) -> TrialFacts:
    """The facts of one trial or course as of a date (an ongoing one runs to it).

    The span is the first and last day when both are dates; an ongoing treatment without
    an end runs to ``as_of`` (or no further than its start, if that is later); ``"unknown"``
    is not a date. Without a span the recorded duration gives the weeks. The improvement is
    the percent fall from the baseline to the end score, on one scale with a baseline above
    zero. The hot loop of every evaluation, so it is written with local names and no helper
    calls on the common path.
    """
    get = data.get
    start = get("start_date")
    span: tuple[datetime.date, datetime.date] | None = None
    if start is not None and start != "unknown":
        first = _date(start)
        end = get("end_date")
        if end is None:
            if get("ongoing"):
                span = (first, as_of if as_of > first else first)
        elif end != "unknown":
            span = (first, _date(end))
    if span is not None:
        weeks: float | None = (span[1] - span[0]).days / 7
    else:
        duration = get("duration")
        weeks = (
            None
            if duration is None
            else float(duration["value"]) * _WEEKS_PER_UNIT[duration["unit"]]
        )
    # Percent improvement from baseline to end score, when both are on one scale.
    improvement = None
    baseline = get("baseline_score")
    if baseline is not None:
        last = get("end_score")
        if last is not None:
            scale, first_score = baseline["scale"], baseline["value"]
            if scale == last["scale"] and first_score > 0:
                improvement = ((first_score - last["value"]) / first_score * 100, scale)
    dose = get("daily_dose")
    if dose is not None and dose != "unknown":
        dose = _new_tuple(Dose, (dose["value"], dose["unit"]))
    return _new_tuple(
        TrialFacts,
        (
            pointer,
            kind,
            drug,
            drug_input,
            weeks,
            improvement,
            drug.id if drug is not None else f"{kind}:{drug_input}",
            dose,
            get("outcome"),
            get("adherence"),
            span,
            get("id"),
            augmented,
            episode_start,
            as_of,
            get("outcome_inferred"),
        ),
    )


def _match(
    name: str | None, codes: list[str] | None, find: Callable[[str], CatalogEntry | None]
) -> tuple[CatalogEntry | None, str]:
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


def read_history(
    data: Mapping[str, Any], as_of: datetime.date, catalog: Catalog
) -> tuple[tuple[TrialFacts, ...], tuple[Note, ...]]:
    """The facts of every trial, then every course, of a checked treatment-history document,
    and the notes that become warnings (unknown augmenting agents, unclassified courses)."""
    trials: list[TrialFacts] = []
    notes: list[Note] = []
    find = catalog.find_drug
    known = catalog.drug_names.get  # most names arrive already in their indexed form
    began = data["episode"].get("start_date")
    episode_start = _date(began) if began is not None and began != "unknown" else None
    for index, trial in enumerate(data["trials"]):
        drug = trial["drug"]
        label = drug.get("name")
        entry = (known(label) or find(label)) if label else None
        if entry is None:
            codings = drug.get("codings")
            entry, label = _match(label, codings and [c["code"] for c in codings], find)
        kind = (
            "antidepressant"
            if entry is None or "antidepressant" in entry.model.roles
            else "augmentation"  # a matched drug that is not an antidepressant
        )
        pointer = _TRIAL_POINTERS[index] if index < _POINTED else f"/trials/{index}"
        agents = trial.get("augmentation")
        trials.append(
            _trial_facts(pointer, kind, trial, entry, label, as_of, bool(agents), episode_start)
        )
        if agents:
            for number, agent in enumerate(agents):
                agent_codings = agent["drug"].get("codings")
                codes = agent_codings and [c["code"] for c in agent_codings]
                agent_entry, agent_label = _match(agent["drug"].get("name"), codes, find)
                if agent_entry is None:
                    pointer = f"/trials/{index}/augmentation/{number}/drug"
                    notes.append((index, "unknown-drug", pointer, agent_label))
    for index, course in enumerate(data.get("courses") or ()):
        kind = course["kind"]
        course_kind = _COURSE_KINDS.get(kind)
        if course_kind is None:
            notes.append((len(trials), "unclassified-course", f"/courses/{index}", kind))
            continue
        name = course.get("name") or kind
        trials.append(
            _trial_facts(
                f"/courses/{index}", course_kind, course, None, name, as_of, False, episode_start
            )
        )
    return tuple(trials), tuple(notes)


def implausible_doses(entry: CatalogEntry) -> dict[str, float]:
    """By unit, the dose above which a record of this drug is implausible."""
    by_unit: dict[str, float] = {}
    for adequate in entry.model.adequate_doses or ():
        minimum = adequate.minimum_daily
        limit = IMPLAUSIBLE_DOSE_FACTOR * minimum.value
        by_unit[minimum.unit] = min(limit, by_unit.get(minimum.unit, limit))
    return by_unit


class HistoryFacts:
    """A history normalised once, as of one date, for any number of definitions and stagings.

    Made by :meth:`trdcore.engine.Engine.facts` from a checked document or a
    model; the warnings are worked out on first use, from tables the engine
    owns (implausible doses by drug, "did you mean" suggestions).
    """

    __slots__ = (
        "_conditions",
        "_notes",
        "_warnings",
        "as_of",
        "data",
        "engine",
        "history_id",
        "inference",
        "trials",
    )

    def __init__(
        self,
        data: Mapping[str, Any],
        as_of: datetime.date,
        trials: tuple[TrialFacts, ...],
        notes: tuple[Note, ...],
        engine: Any,
        inference: Any = None,
    ) -> None:
        #: The checked treatment-history document the facts were read from.
        self.data = data
        self.history_id: str | None = data.get("id")
        self.as_of = as_of
        self.trials = trials
        #: The engine that read the history: facts are reused only by it, and its tables
        #: (``implausible_doses``, ``suggestion``) word the warnings.
        self.engine = engine
        #: The outcome inference applied to the trials (a SwitchInference), or None.
        self.inference = inference
        self._notes = notes
        self._warnings: tuple[dict[str, Any], ...] | None = None
        self._conditions: tuple[ConditionFacts, ...] | None = None

    @property
    def conditions(self) -> tuple[ConditionFacts, ...] | None:
        """The recorded conditions, oldest first, or None when the history records none
        (no ``conditions`` field: exclusions cannot be ruled out)."""
        found = self._conditions
        if found is None:
            listed = self.data.get("conditions")
            if listed is None:
                return None
            made = []
            for number, item in enumerate(listed):
                codings = item.get("codings") or ()
                made.append(
                    ConditionFacts(
                        f"/conditions/{number}",
                        _date(item["date"]),
                        tuple((coding["system"], coding["code"]) for coding in codings),
                        item.get("name"),
                        codings[0] if codings else None,
                    )
                )
            made.sort(key=lambda condition: condition.date)
            found = self._conditions = tuple(made)
        return found

    @property
    def episode(self) -> Any:
        """The history's :class:`~trdcore.models.Episode`."""
        from trdcore.models import Episode

        return Episode.from_json(self.data["episode"])

    @property
    def warnings(self) -> tuple[dict[str, Any], ...]:
        """Warnings about the input, in the order of the document."""
        if self._warnings is None:
            self._warnings = tuple(self._input_warnings())
        return self._warnings

    def _input_warnings(self) -> list[dict[str, Any]]:
        warnings: list[dict[str, Any]] = []
        notes = list(self._notes)
        spans = 0
        for index, item in enumerate(self.trials):
            while notes and notes[0][0] < index:
                warnings.append(self._note(*notes.pop(0)[1:]))
            if item.kind not in DRUG_KINDS:
                continue
            if item.span is not None and item.kind == "antidepressant":
                spans += 1
            entry = item.drug
            if entry is None:
                hint = self.engine.suggestion(item.drug_input or "")
                warnings.append(
                    {
                        "code": "unknown-drug",
                        "pointer": f"{item.pointer}/drug",
                        "message": f"{item.drug_input!r} is not a drug in the catalog{hint}; "
                        "the trial cannot be judged",
                    }
                )
                continue
            dose = item.dose
            if dose is None or dose == "unknown":
                continue
            limit = self.engine.implausible_doses(entry).get(dose.unit)
            if limit is not None and dose.value > limit:
                warnings.append(
                    {
                        "code": "implausible-dose",
                        "pointer": f"{item.pointer}/daily_dose",
                        "message": f"{dose.value:g} {dose.unit}/day is more than "
                        f"{IMPLAUSIBLE_DOSE_FACTOR} times the minimum adequate dose of "
                        f"{entry.id}; check the record",
                    }
                )
        warnings.extend(self._note(*note[1:]) for note in notes)
        if spans > 1:
            warnings.extend(_overlaps(self.trials))
        return warnings

    def _note(self, code: str, pointer: str, subject: str) -> dict[str, Any]:
        if code == "unknown-drug":
            message = f"{subject!r} is not a drug in the catalog{self.engine.suggestion(subject)}"
        else:
            message = f"a course of kind {subject!r} is not counted by any definition"
        return {"code": code, "pointer": pointer, "message": message}


def _overlaps(facts: Iterable[TrialFacts]) -> list[dict[str, Any]]:
    """Antidepressant trials taken together for more than two weeks, one warning per group.

    Trials are grouped when each overlaps another of the group by more than
    :data:`COMBINATION_OVERLAP_DAYS`. One warning per group, not per pair, so a history of
    150 overlapping orders gets one line, not thousands. The groups are found in one pass
    over the trials sorted by start: a trial overlaps some earlier trial by more than the
    limit exactly when it overlaps the earlier trial that ends last by more than it (that
    one starts no later and ends no sooner), and that trial is already in the group of every
    earlier trial that overlaps it by more than the limit, so joining its group is enough.
    """
    spans = [item for item in facts if item.span is not None and item.kind == "antidepressant"]
    position = {id(item): number for number, item in enumerate(spans)}
    ordered = sorted(spans, key=lambda item: item.span[0])  # type: ignore[index]
    group_of: dict[int, int] = {}
    groups: dict[int, list[TrialFacts]] = {}
    reaching: TrialFacts | None = None  # the trial so far that ends last
    for index, item in enumerate(ordered):
        start, end = item.span  # type: ignore[misc]
        joined = None
        if reaching is not None:
            days = (min(end, reaching.span[1]) - start).days  # type: ignore[index]
            if days > COMBINATION_OVERLAP_DAYS:
                joined = group_of[id(reaching)]
        group = index if joined is None else joined
        group_of[id(item)] = group
        groups.setdefault(group, []).append(item)
        if reaching is None or end > reaching.span[1]:  # type: ignore[index]
            reaching = item
    found = []
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda item: position[id(item)])
        named = [f"{item.pointer} ({item.drug_input})" for item in members]
        if len(members) == 2:
            first, second = members
            days = (
                min(first.span[1], second.span[1]) - max(first.span[0], second.span[0])  # type: ignore[index]
            ).days
            message = (
                f"{named[0]} and {named[1]} overlap by {days} days: read as taken together; "
                "each is judged as its own trial"
            )
        else:
            message = (
                f"{', '.join(named[:-1])} and {named[-1]} overlap, each with another of them by "
                f"more than {COMBINATION_OVERLAP_DAYS} days: read as taken together; each is "
                "judged as its own trial"
            )
        found.append({"code": "combination", "pointer": members[1].pointer, "message": message})
    return found
