"""Prescription fills (dispensing events) from claims and EHR extracts.

:func:`trdcore.rules.events.trials_from_events` turns them into the antidepressant trials of a
treatment history. Absent fields are ``None`` (not recorded).
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import DateOrUnknown, DoseUnit
from trdcore.models.history import DrugReference

__all__ = ["DispensingEvent", "DispensingEvents", "EpisodeStart", "Strength"]


@attrs.frozen(kw_only=True)
class EpisodeStart(JsonModel):
    """When the current depressive episode began, copied into the treatment history built."""

    start_date: DateOrUnknown


@attrs.frozen(kw_only=True)
class Strength(JsonModel):
    """The strength of one dispensed unit (tablet, capsule, patch); mg/24h is a patch's rate."""

    value: float
    unit: DoseUnit


@attrs.frozen(kw_only=True)
class DispensingEvent(JsonModel):
    """One fill: ``quantity`` units at ``strength`` each, to last ``days_supply`` days.

    Since dispensing-events 1.1.0 strength, quantity and days' supply may be missing
    (``None``); ``end_date`` is the source's own end of supply, used when
    ``days_supply`` is missing.
    """

    id: str | None = None
    date: datetime.date
    drug: DrugReference
    strength: Strength | None = None
    quantity: float | None = None
    days_supply: int | None = None
    end_date: datetime.date | None = None


@attrs.frozen(kw_only=True)
class DispensingEvents(DocumentModel):
    """A dispensing-events document: one person's fills of any drug, in any order."""

    SCHEMA_NAME: ClassVar[str] = "dispensing-events"

    schema: Literal["dispensing-events@1.0.0", "dispensing-events@1.1.0"] | None = None
    id: str | None = None
    episode: EpisodeStart | None = None
    events: tuple[DispensingEvent, ...]
