"""Antidepressant trials from prescription fills, built the way OMOP builds drug eras.

Claims and EHR extracts record fills (dispensings), not trials. :func:`trials_from_events`
strings the fills of one drug together into eras and writes each era as one trial of a
treatment history, which the TRD definitions can then be evaluated against.

The era logic follows OHDSI's standard drug eras (OHDSI ETL-LambdaBuilder, "Standard Drug Eras
and How they are built", https://ohdsi.github.io/ETL-LambdaBuilder/Drug_Era_Logic.html; the SQL
is the OMOP CommonDataModel drug-era script, https://ohdsi.github.io/CommonDataModel/sqlScripts.html):

- a fill's supply ends on its fill date plus its days' supply (``DRUG_EXPOSURE_END_DATE``
  inferred from ``days_supply``);
- exposures to the same drug are strung together when at most 30 days (the persistence
  window, ``gap_days`` here) lie between the end of one supply and the next fill; after 31
  or more days a new era starts;
- the era starts on its first fill and ends on the end date of its last supply.

Two choices go beyond that logic and are parameters. ``stockpile``: OMOP merges overlapping
supplies (an early refill adds no days); by default a refill here starts when the previous
supply runs out, as in pharmacy-claims adherence measures, so early refills add their days.
``stockpile=False`` reproduces OMOP's era dates. ``as_of``: an era whose supply lasts beyond
the evaluation date is written as ongoing, since its end is not known yet, and fills dated
after that date are not used.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.models.drug import Drug
from trdcore.models.events import DispensingEvent, DispensingEvents
from trdcore.models.history import DrugReference

__all__ = ["FALLBACK_DAYS_SUPPLY", "Era", "EventTrials", "Fill", "trials_from_events"]

Dose: TypeAlias = int | float
#: Micrograms in one unit of each mass unit, so conversions scale by whole numbers.
_MICROGRAMS = {"mcg": 1, "mg": 1000, "g": 1_000_000}
#: The treatment-history schema's limits: highest daily dose, most trials, latest date.
_MAX_DAILY_DOSE = 100_000
_MAX_TRIALS = 200
_LAST_SCHEMA_DATE = datetime.date(2999, 12, 31)
#: Days a fill covers when neither its days' supply nor its end date is recorded: one, as the
#: OMOP CDM's drug-era script does ("Add 1 day to the drug_exposure_start_date since there is
#: no end_date or INTERVAL for the days_supply"; OHDSI/CommonDataModel rmd/sqlScripts.Rmd,
#: section "Drug Eras", at commit f853f6e39c61b4eb8b3e5287fd573a1ced36c0e4).
FALLBACK_DAYS_SUPPLY = 1


@attrs.frozen
class Fill:
    """One fill as used in an era: the days its supply covers and the daily dose it implies.

    ``covers_until`` is the day the supply runs out (the first day not covered).
    ``daily_dose`` is in the drug's dose unit; ``None`` when it could not be derived.
    """

    event: DispensingEvent
    covers_from: datetime.date
    covers_until: datetime.date
    daily_dose: Dose | None
    supply_from: str = "days_supply"


@attrs.frozen
class Era:
    """Fills of one drug close enough together to be one trial (an OMOP drug era).

    ``end`` is the day the last supply runs out, OMOP's drug era end date.
    """

    trial_id: str
    drug: CatalogEntry
    fills: tuple[Fill, ...]

    @property
    def start(self) -> datetime.date:
        return self.fills[0].event.date

    @property
    def end(self) -> datetime.date:
        return max(fill.covers_until for fill in self.fills)

    @property
    def daily_dose(self) -> Dose | None:
        """The most common daily dose among the fills; of equally common ones the highest."""
        counts: dict[Dose, int] = {}
        for fill in self.fills:
            dose = fill.daily_dose
            if dose is not None:
                counts[dose] = counts.get(dose, 0) + 1
        if not counts:
            return None
        return max(counts, key=lambda dose: (counts[dose], dose))


@attrs.frozen
class EventTrials:
    """The treatment history built from fills, every fill not used, and the eras behind it.

    ``history`` is a treatment-history@1.0.0 document; ``warnings`` names each fill that was
    not used (or whose dose could not be read) and why; ``eras`` are in the order of the
    history's trials.
    """

    history: dict[str, Any]
    warnings: tuple[str, ...]
    eras: tuple[Era, ...]


def trials_from_events(
    events: DispensingEvents | Mapping[str, Any],
    *,
    catalog: Catalog,
    gap_days: int = 30,
    stockpile: bool = True,
    as_of: datetime.date | None = None,
    fallback_days_supply: int = FALLBACK_DAYS_SUPPLY,
    end_date_first: bool = False,
    augmentation: bool = False,
) -> EventTrials:
    """Antidepressant trials built from prescription fills, one per drug era.

    ``events`` is a dispensing-events document (checked against its schema when given as a
    mapping; :class:`~trdcore.exceptions.SchemaValidationError` if invalid) or its model.
    Each fill's drug is found in ``catalog`` by name, synonym, brand or a code the catalog
    lists (RxNorm RxCUI, ATC). A fill without days' supply covers until its ``end_date``
    (OMOP's drug_exposure_end_date), else ``fallback_days_supply`` days (1, as OMOP's
    drug-era script takes it; see :data:`FALLBACK_DAYS_SUPPLY`); with ``end_date_first`` a
    recorded end date decides before the days' supply, as in that script. A fill without
    strength, quantity or days' supply counts as exposure with its dose unknown, and the
    trial's note says how many fills lacked what. Fills of the same antidepressant join one
    era when the next fill comes at most ``gap_days`` after the previous supply ran out
    (OMOP's 30-day persistence window; see the module docstring). With ``stockpile`` a
    refill's days start when the supply on hand runs out. A fill's daily dose is strength *
    quantity / days' supply in the drug's dose unit; the trial's is the most common fill
    dose (ties: the highest). Adherence and outcome cannot be read from fills and are left
    out. With ``augmentation``, fills of the catalog's augmentation agents (aripiprazole,
    lithium ...) become eras too, which the evaluation reads as augmentation trials;
    without it they are reported and not used. The order of ``events`` never changes the
    result.
    """
    if gap_days < 0:
        raise ValueError(f"gap_days must be 0 or more days; got {gap_days}")
    if fallback_days_supply < 1:
        raise ValueError(f"fallback_days_supply must be 1 or more days; got {fallback_days_supply}")
    if not isinstance(events, DispensingEvents):
        from trdcore.validation import validate

        events = validate(events, "dispensing-events", source="trials_from_events input")
        assert isinstance(events, DispensingEvents)

    warnings: list[str] = []
    fills_by_drug: dict[str, list[tuple[DispensingEvent, Dose | None]]] = {}
    entries: dict[str, CatalogEntry] = {}
    # A person's fills name the same few drugs again and again: identify each once.
    identified: dict[DrugReference, tuple[CatalogEntry | None, str]] = {}
    for event in _in_order(events.events):
        if as_of is not None and event.date > as_of:
            warnings.append(f"{_describe(event)}: dated after as_of ({as_of}); not used")
            continue
        found = identified.get(event.drug)
        if found is None:
            found = identified[event.drug] = _identify(event.drug, catalog)
        entry, problem = found
        if entry is None:
            warnings.append(f"{_describe(event)}: {problem}; not used")
            continue
        drug: Drug = entry.model
        if "antidepressant" not in drug.roles and not (
            augmentation and "augmentation" in drug.roles
        ):
            roles = ", ".join(drug.roles)
            warnings.append(
                f"{_describe(event)}: {drug.name} is not an antidepressant in the catalog "
                f"(roles: {roles}); not used"
            )
            continue
        dose, dose_problem = _fill_daily_dose(event, drug)
        if dose_problem is not None:
            warnings.append(f"{_describe(event)}: {dose_problem}; used with its dose unknown")
        entries[entry.id] = entry
        fills_by_drug.setdefault(entry.id, []).append((event, dose))

    eras = sorted(
        (
            era
            for drug_id in sorted(fills_by_drug)
            for era in _eras(
                entries[drug_id],
                fills_by_drug[drug_id],
                gap_days,
                stockpile,
                fallback_days_supply,
                end_date_first,
            )
        ),
        key=lambda era: (era.start, era.trial_id),
    )
    if len(eras) > _MAX_TRIALS:
        for era in eras[:-_MAX_TRIALS]:
            warnings.append(
                f"{era.trial_id} ({era.start} to {era.end}, {_fills(len(era.fills))}): left "
                f"out, a treatment history holds at most {_MAX_TRIALS} trials and the most "
                f"recent are kept"
            )
        eras = eras[-_MAX_TRIALS:]

    trials = [
        _trial(era, gap_days, stockpile, as_of, warnings, fallback_days_supply) for era in eras
    ]
    history: dict[str, Any] = {"schema": "treatment-history@1.0.0"}
    if events.id is not None:
        history["id"] = events.id
    history["episode"] = (
        events.episode.to_json() if events.episode is not None else {"start_date": "unknown"}
    )
    history["trials"] = trials
    return EventTrials(history=history, warnings=tuple(warnings), eras=tuple(eras))


def _in_order(events: Sequence[DispensingEvent]) -> list[DispensingEvent]:
    """The fills by date, then id; fills alike in both are ordered by their whole JSON, so
    input order never matters. Only those ties pay for the JSON."""
    ordered = sorted(events, key=lambda event: (event.date, event.id or ""))
    start = 0
    while start < len(ordered):
        end = start + 1
        key = (ordered[start].date, ordered[start].id or "")
        while end < len(ordered) and (ordered[end].date, ordered[end].id or "") == key:
            end += 1
        if end - start > 1:
            ordered[start:end] = sorted(
                ordered[start:end], key=lambda event: json.dumps(event.to_json(), sort_keys=True)
            )
        start = end
    return ordered


def _describe(event: DispensingEvent) -> str:
    """How a warning names a fill: by its id when it has one, its drug as given and its date."""
    drug = event.drug.name or ", ".join(
        f"{coding.system} {coding.code}" for coding in event.drug.codings or ()
    )
    named = f"fill {event.id!r}" if event.id is not None else "fill"
    return f"{named} of {drug!r} on {event.date}"


def _identify(drug: DrugReference, catalog: Catalog) -> tuple[CatalogEntry | None, str]:
    """The catalog drug a fill names, or why there is none."""
    found: dict[str, CatalogEntry] = {}
    if drug.name is not None:
        entry = catalog.find_drug(drug.name)
        if entry is not None:
            found[entry.id] = entry
    for coding in drug.codings or ():
        entry = catalog.find_drug(coding.code)
        # A code counts only in the system the catalog lists it under.
        if entry is not None and any(
            known.system == coding.system and known.code == coding.code
            for known in entry.model.codings or ()
        ):
            found[entry.id] = entry
    if len(found) == 1:
        return next(iter(found.values())), ""
    if found:
        return None, f"its name and codes name different drugs ({', '.join(sorted(found))})"
    return None, (
        "the drug is not in the catalog (give a name, synonym or brand, or an ingredient "
        "RxNorm or ATC code)"
    )


def _fill_daily_dose(event: DispensingEvent, drug: Drug) -> tuple[Dose | None, str | None]:
    """Strength * quantity / days' supply in the drug's dose unit, or why it cannot be said.

    A fill with its strength, quantity or days' supply not recorded has no dose and no
    problem either: that is what the source holds, and the trial's note counts such fills.
    """
    unit = drug.dose_unit or "mg"
    strength = event.strength
    if strength is None or event.quantity is None or event.days_supply is None:
        return None, None
    if (strength.unit == "mg/24h") != (unit == "mg/24h"):
        return None, (
            f"strength in {strength.unit} cannot be converted to {drug.name} doses in {unit}"
        )
    amount = strength.value
    if unit != "mg/24h":
        amount = amount * _MICROGRAMS[strength.unit] / _MICROGRAMS[unit]
    dose = round(amount * event.quantity / event.days_supply, 3)
    if dose <= 0:
        return None, f"the daily dose derived is below 0.001 {unit}"
    if dose > _MAX_DAILY_DOSE:
        return None, f"the daily dose derived ({dose} {unit}) is implausibly high"
    return (int(dose) if float(dose).is_integer() else dose), None


def _missing(event: DispensingEvent) -> tuple[str, ...]:
    """Which of the fields a dose needs this fill lacks."""
    return tuple(
        name
        for name, value in (
            ("strength", event.strength),
            ("quantity", event.quantity),
            ("days_supply", event.days_supply),
        )
        if value is None
    )


def _supply_days(
    event: DispensingEvent, fallback_days: int, end_date_first: bool
) -> tuple[int, str]:
    """How many days a fill covers, and from what: its days' supply, else its end date, else
    the fallback (with ``end_date_first``, the end date before the days' supply)."""
    if event.days_supply is not None and not (end_date_first and event.end_date is not None):
        return event.days_supply, "days_supply"
    if event.end_date is not None and event.end_date >= event.date:
        # OMOP's end date is the day the supply runs out (DATEADD(day, days_supply, start)
        # in the drug-era script), the same day as ``Fill.covers_until``; an end on the fill
        # day itself ends the era that day, as OMOP's era does.
        return (event.end_date - event.date).days, "end_date"
    if event.days_supply is not None:
        return event.days_supply, "days_supply"
    return fallback_days, "fallback"


def _eras(
    entry: CatalogEntry,
    fills: Iterable[tuple[DispensingEvent, Dose | None]],
    gap_days: int,
    stockpile: bool,
    fallback_days_supply: int,
    end_date_first: bool,
) -> list[Era]:
    """One drug's fills, already in date order, strung together into eras."""
    groups: list[list[Fill]] = []
    runs_out: datetime.date | None = None
    for event, dose in fills:
        if runs_out is None or (event.date - runs_out).days > gap_days:
            groups.append([])
            runs_out = None
        start = event.date if runs_out is None or not stockpile else max(event.date, runs_out)
        days, supply_from = _supply_days(event, fallback_days_supply, end_date_first)
        until = _plus_days(start, days)
        runs_out = until if runs_out is None else max(runs_out, until)
        groups[-1].append(Fill(event, start, until, dose, supply_from))
    return [
        Era(trial_id=f"{entry.id}-era-{number}", drug=entry, fills=tuple(group))
        for number, group in enumerate(groups, start=1)
    ]


def _plus_days(day: datetime.date, days: int) -> datetime.date:
    # Stockpiled supplies could run past the calendar's end; no real data gets near it.
    if (datetime.date.max - day).days < days:
        return datetime.date.max
    return day + datetime.timedelta(days=days)


def _trial(
    era: Era,
    gap_days: int,
    stockpile: bool,
    as_of: datetime.date | None,
    warnings: list[str],
    fallback_days: int,
) -> dict[str, Any]:
    drug: Drug = era.drug.model
    dose = era.daily_dose
    trial: dict[str, Any] = {
        "id": era.trial_id,
        "drug": {"name": drug.name},
        "daily_dose": "unknown"
        if dose is None
        else {"value": dose, "unit": drug.dose_unit or "mg"},
        "start_date": era.start.isoformat(),
    }
    end = era.end
    if as_of is not None and end > as_of:
        trial["ongoing"] = True
    elif end > _LAST_SCHEMA_DATE:
        warnings.append(f"{era.trial_id}: its supply runs past {_LAST_SCHEMA_DATE}; end unknown")
        trial["end_date"] = "unknown"
    else:
        trial["end_date"] = end.isoformat()
    notes = (
        f"built from {_fills(len(era.fills))} by trdcore.rules.events "
        f"(gap_days={gap_days}, stockpile={stockpile})"
    )
    # Counted with plain dictionaries: this runs for every trial of every import.
    lacking: dict[str, int] = {}
    supplies = {"end_date": 0, "fallback": 0}
    for fill in era.fills:
        for name in _missing(fill.event):
            lacking[name] = lacking.get(name, 0) + 1
        if fill.supply_from != "days_supply":
            supplies[fill.supply_from] += 1
    if lacking:
        notes += "; not recorded: " + ", ".join(
            f"{name} on {_fills(count)}" for name, count in sorted(lacking.items())
        )
    if supplies["end_date"]:
        notes += f"; supply read from the end date on {_fills(supplies['end_date'])}"
    if supplies["fallback"]:
        notes += (
            f"; supply taken as {fallback_days} days (fallback_days_supply) on "
            f"{_fills(supplies['fallback'])}"
        )
    trial["notes"] = notes
    return trial


def _fills(count: int) -> str:
    return f"{count} fill" if count == 1 else f"{count} fills"
