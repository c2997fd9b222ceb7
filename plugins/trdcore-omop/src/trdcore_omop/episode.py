"""Which depressive episode a person's history is about, from diagnoses and exposures.

A CDM holds diagnosis dates, not episodes. Two rules, chosen by the importer's ``episode``
option and written into every history's notes with the dates they used:

``diagnosis`` (the default)
    An episode starts at a depression diagnosis with none in the ``lookback_days`` before
    it (a *clean look-back*, the new-diagnosis window of cohort studies); the current
    episode is the latest such start on or before the evaluation date. When the person was
    observed for less than the look-back before that diagnosis, the start is still used
    and the note says the look-back was incomplete.

``first-antidepressant``
    The episode starts at the first antidepressant exposure that has a depression
    diagnosis within ``window_days`` before or after it.

Both the look-back and the window are trdcore's choices of default (365 days and 30
days), not values from a published rule; pass others to match a study's protocol.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Final, Literal

import attrs

from trdcore_omop.reader import Diagnosis

__all__ = ["EPISODE_RULES", "EpisodeRule", "EpisodeStart", "episode_start"]

EpisodeRule = Literal["diagnosis", "first-antidepressant"]
EPISODE_RULES: Final[tuple[EpisodeRule, ...]] = ("diagnosis", "first-antidepressant")


@attrs.frozen
class EpisodeStart:
    """The episode's start (None: unknown), the diagnosis it rests on, and why."""

    start: datetime.date | None
    diagnosis: Diagnosis | None
    note: str


def episode_start(
    rule: EpisodeRule,
    diagnoses: Sequence[Diagnosis],
    first_exposures: Sequence[datetime.date],
    observation: Sequence[tuple[datetime.date, datetime.date]],
    *,
    lookback_days: int,
    window_days: int,
    as_of: datetime.date | None,
) -> EpisodeStart:
    """The current episode's start under ``rule``; see the module docstring.

    ``diagnoses`` are in date order; ``first_exposures`` are the dates antidepressant
    exposures start, in date order.
    """
    dated = [d for d in diagnoses if as_of is None or d.date <= as_of]
    if not dated:
        return EpisodeStart(None, None, f"episode rule {rule}: no depression diagnosis recorded")
    if rule == "first-antidepressant":
        window = datetime.timedelta(days=window_days)
        for day in first_exposures:
            near = [d for d in dated if abs(d.date - day) <= window]
            if near:
                return EpisodeStart(
                    day,
                    near[0],
                    f"episode rule first-antidepressant (window-days={window_days}): starts "
                    f"with the first antidepressant exposure, {day}, diagnosis "
                    f"{near[0].vocabulary} {near[0].code} on {near[0].date}",
                )
        return EpisodeStart(
            None,
            None,
            f"episode rule first-antidepressant (window-days={window_days}): no "
            "antidepressant exposure has a depression diagnosis within the window",
        )
    lookback = datetime.timedelta(days=lookback_days)
    start: Diagnosis | None = None
    previous: datetime.date | None = None
    for diagnosis in dated:
        if previous is None or diagnosis.date - previous > lookback:
            start = diagnosis
        previous = diagnosis.date
    assert start is not None
    observed = _observed_before(start.date, observation)
    note = (
        f"episode rule diagnosis (lookback-days={lookback_days}): starts with the depression "
        f"diagnosis {start.vocabulary} {start.code} on {start.date}, the latest with no other "
        "in the look-back"
    )
    if observed < lookback_days:
        note += (
            f"; look-back incomplete: observed {observed} days before it, so an earlier "
            "diagnosis may be unrecorded"
        )
    return EpisodeStart(start.date, start, note)


def _observed_before(
    day: datetime.date, observation: Sequence[tuple[datetime.date, datetime.date]]
) -> int:
    """Days of continuous observation up to ``day`` (0 when no period holds it)."""
    for begin, end in observation:
        if begin <= day <= end:
            return (day - begin).days
    return 0
