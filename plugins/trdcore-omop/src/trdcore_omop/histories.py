"""One person's CDM rows as a dispensing-events document, and as a treatment history.

Each drug_exposure row of a catalog antidepressant ingredient becomes one fill
(dispensing-events@1.1.0): its start date, end date, days' supply and quantity as
recorded (a quantity or days' supply of 0 is read as not recorded, as OMOP's drug-era
script reads a days' supply of 0), and the ingredient's strength from drug_strength.
:func:`trdcore.rules.events.trials_from_events` then strings the fills into trials the
way OMOP builds drug eras, with the exposure's end date first, as that script does, so
that without stockpiling a trial's dates are the person's drug era for that ingredient.

Everything that is not used is counted in the run's :class:`Summary`, by concept,
never dropped silently.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

import attrs

from trdcore.catalog import Catalog, DrugRecognition
from trdcore.models.common import Coding
from trdcore.models.events import DispensingEvent, DispensingEvents, Strength
from trdcore.models.history import DrugReference
from trdcore.rules.events import trials_from_events
from trdcore_omop.episode import EpisodeRule, episode_start
from trdcore_omop.reader import Exposure, Person

__all__ = ["Settings", "Summary", "listing", "person_documents"]

RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
#: FHIR code system URIs for the OMOP vocabulary ids a diagnosis may come in.
SYSTEMS: Final[Mapping[str, str]] = {
    "SNOMED": "http://snomed.info/sct",
    "ICD10CM": "http://hl7.org/fhir/sid/icd-10-cm",
}
#: UCUM unit codes in drug_strength (concept_code of the unit concept) -> trdcore dose units.
_AMOUNT_UNITS: Final[Mapping[str, str]] = {"mg": "mg", "ug": "mcg", "g": "g"}


@attrs.frozen
class Settings:
    """How persons become documents (the importer's options)."""

    events: bool = False
    episode: EpisodeRule = "diagnosis"
    lookback_days: int = 365
    window_days: int = 30
    gap_days: int = 30
    stockpile: bool = False
    as_of: datetime.date | None = None
    #: Outcomes inferred from the treatments that followed (a SwitchInference), or None.
    inference: Any = None


@attrs.define
class Summary:
    """What one import read and left out, counted as it goes (see :meth:`lines`)."""

    persons: int = 0
    written: int = 0
    without_antidepressant: int = 0
    exposures: int = 0
    #: "concept id 'name'" -> exposures with no usable strength.
    no_strength: Counter[str] = attrs.field(factory=Counter)
    no_quantity: int = 0
    no_days_supply: int = 0
    #: drug_source_value -> exposures with concept 0 or an unknown concept.
    unmapped_named: Counter[str] = attrs.field(factory=Counter)
    unmapped_recognised: Counter[str] = attrs.field(factory=Counter)
    invalid_scores: int = 0
    #: Antidepressant exposures dated after the evaluation date.
    after_as_of: int = 0
    #: drug_concept_id values that are not in the concept table -> exposures.
    unknown_concepts: Counter[int] = attrs.field(factory=Counter)
    #: Lines the aggregate queries add at the end (drugs and diagnoses not used).
    extra: list[str] = attrs.field(factory=list)

    def add(self, other: Summary) -> None:
        """Count ``other`` (a block's summary, from a worker) into this one."""
        for field in attrs.fields(Summary):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, int):
                setattr(self, field.name, mine + theirs)
            elif isinstance(mine, Counter):
                mine.update(theirs)
            else:
                mine.extend(theirs)

    def lines(self) -> list[str]:
        """The summary as warning lines, most important first."""
        lines = [
            f"read {self.persons} persons; wrote {self.written} "
            f"(not written: {self.without_antidepressant} with neither an antidepressant "
            "exposure nor a depression diagnosis)"
        ]
        if self.no_strength:
            total = sum(self.no_strength.values())
            lines.append(
                f"{total} antidepressant exposures have no usable drug_strength row, so their "
                "dose is unknown; by drug_concept_id: " + listing(self.no_strength, what="concepts")
            )
        if self.after_as_of:
            lines.append(
                f"{self.after_as_of} antidepressant exposures start after --as-of and were not used"
            )
        if self.no_quantity:
            lines.append(
                f"{self.no_quantity} antidepressant exposures have no quantity (null or 0): "
                "dose unknown"
            )
        if self.no_days_supply:
            lines.append(
                f"{self.no_days_supply} antidepressant exposures have no days_supply (null or "
                "0): supply read from drug_exposure_end_date, dose unknown"
            )
        if self.unknown_concepts:
            lines.append(
                f"drug_exposure.drug_concept_id: {len(self.unknown_concepts)} concept ids are not "
                "in the concept table (is the vocabulary complete?); their exposures were read "
                "by drug_source_value: " + listing(self.unknown_concepts, what="concept ids")
            )
        if self.unmapped_recognised:
            lines.append(
                f"{sum(self.unmapped_recognised.values())} exposures with drug_concept_id 0 or "
                "a concept missing from the vocabulary were recognised as antidepressants by "
                "drug_source_value: " + listing(self.unmapped_recognised, quote=True)
            )
        if self.unmapped_named:
            lines.append(
                f"{sum(self.unmapped_named.values())} exposures with drug_concept_id 0 or a "
                "concept missing from the vocabulary could not be identified and were not "
                "used; by drug_source_value: " + listing(self.unmapped_named, quote=True)
            )
        if self.invalid_scores:
            lines.append(
                f"{self.invalid_scores} PHQ-9 totals (LOINC 44261-6) have no value_as_number or "
                "one outside 0-27 in whole points, and were not used"
            )
        return lines + self.extra


def listing(counts: Counter[Any], *, what: str = "values", quote: bool = False) -> str:
    """The ten most common of ``counts`` as "value (count), ...", and how many more there are."""
    shown = ", ".join(
        f"{value!r} ({count})" if quote else f"{value} ({count})"
        for value, count in counts.most_common(10)
    )
    more = len(counts) - 10
    return shown + (f" and {more} more {what}" if more > 0 else "")


def _strength(exposure: Exposure, dose_unit: str) -> dict[str, Any] | None:
    """One dispensed unit's strength from drug_strength, in a dispensing-events unit."""
    if exposure.amount is not None and exposure.amount > 0:
        unit = _AMOUNT_UNITS.get(exposure.amount_unit or "")
        return {"value": exposure.amount, "unit": unit} if unit else None
    numerator, unit = exposure.numerator, _AMOUNT_UNITS.get(exposure.numerator_unit or "")
    if numerator is None or numerator <= 0 or unit is None:
        return None
    denominator = exposure.denominator or 1.0
    if exposure.denominator_unit == "mL":
        # A solution: quantity counts millilitres, so one unit is one millilitre.
        return {"value": round(numerator / denominator, 6), "unit": unit}
    if exposure.denominator_unit == "h" and dose_unit == "mg/24h" and unit == "mg":
        # A patch's delivery rate.
        return {"value": round(numerator * 24 / denominator, 6), "unit": "mg/24h"}
    return None


def _named_strength(recognised: DrugRecognition) -> dict[str, Any] | None:
    """The strength a recognised single-ingredient clinical drug name states, per unit.

    Only a name with a dose form ("... Oral Tablet") says what one unit is; "bupropion
    hydrochloride 200 MG" names the drug but not the unit its 200 mg are in.
    """
    parsed = recognised.parsed
    if parsed is None or parsed.pack or parsed.dose_form is None or len(parsed.components) != 1:
        return None
    strength = parsed.components[0].strength
    unit = {"MG": "mg", "MCG": "mcg", "G": "g"}.get(strength.unit.upper())
    if unit is None or parsed.quantity is not None:
        return None
    return {"value": strength.value, "unit": unit}


def _fill(exposure: Exposure, catalog: Catalog, summary: Summary) -> dict[str, Any]:
    entry = catalog.find_drug(exposure.ingredient_code)
    dose_unit = (entry.model.dose_unit if entry is not None else None) or "mg"
    fill: dict[str, Any] = {
        "id": str(exposure.exposure_id),
        "date": exposure.start.isoformat(),
        "drug": {
            "name": exposure.ingredient_name,
            "codings": [{"system": RXNORM, "code": exposure.ingredient_code}],
        },
    }
    strength = _strength(exposure, dose_unit)
    if strength is None:
        summary.no_strength[f"{exposure.drug_concept_id} {exposure.drug_name or '?'!r}"] += 1
    else:
        fill["strength"] = strength
    _supply(fill, exposure.quantity, exposure.days_supply, exposure.start, exposure.end, summary)
    return fill


def _supply(
    fill: dict[str, Any],
    quantity: float | None,
    days_supply: int | None,
    start: datetime.date,
    end: datetime.date | None,
    summary: Summary,
) -> None:
    """Quantity, days' supply and end date as recorded; 0 or out of range is not recorded."""
    if quantity is not None and 0 < quantity <= 100_000:
        fill["quantity"] = quantity
    else:
        summary.no_quantity += 1
    if days_supply is not None and 1 <= days_supply <= 1000:
        fill["days_supply"] = days_supply
    else:
        summary.no_days_supply += 1
    if end is not None and end >= start:
        fill["end_date"] = end.isoformat()


def _as_model(identifier: str, fills: list[dict[str, Any]]) -> DispensingEvents:
    """The fills as the dispensing-events model, built directly.

    They are built here to the schema's rules (dates, positive strengths, ranges checked in
    :func:`_supply`), so the JSON Schema check and the generic conversion that a document
    from outside needs would only repeat them, at a fifth of the import's time.
    """
    events = []
    for fill in fills:
        drug = fill["drug"]
        strength = fill.get("strength")
        end = fill.get("end_date")
        events.append(
            DispensingEvent(
                id=fill["id"],
                date=datetime.date.fromisoformat(fill["date"]),
                drug=DrugReference(
                    name=drug.get("name"),
                    codings=tuple(
                        Coding(system=c["system"], code=c["code"]) for c in drug["codings"]
                    )
                    if "codings" in drug
                    else None,
                ),
                strength=Strength(value=strength["value"], unit=strength["unit"])
                if strength
                else None,
                quantity=fill.get("quantity"),
                days_supply=fill.get("days_supply"),
                end_date=datetime.date.fromisoformat(end) if end else None,
            )
        )
    return DispensingEvents(schema="dispensing-events@1.1.0", id=identifier, events=tuple(events))


#: At most this many conditions per history (the treatment-history schema's limit).
MAX_CONDITIONS: Final = 2000


def _conditions(person: Person, as_of: datetime.date | None) -> list[dict[str, Any]]:
    """The person's diagnoses of the catalog's code lists as the history's ``conditions``:
    one per date and code, oldest first, up to the evaluation date (the latest kept if there
    are more than the schema allows)."""
    seen: set[tuple[datetime.date, str, str]] = set()
    found: list[dict[str, Any]] = []
    for diagnosis in person.diagnoses:
        key = (diagnosis.date, diagnosis.vocabulary, diagnosis.code)
        system = SYSTEMS.get(diagnosis.vocabulary)
        if key in seen or system is None or (as_of is not None and diagnosis.date > as_of):
            continue
        seen.add(key)
        coding = {"system": system, "code": diagnosis.code}
        if diagnosis.name:
            coding["display"] = diagnosis.name[:500]
        found.append({"codings": [coding], "date": diagnosis.date.isoformat()})
    return found[-MAX_CONDITIONS:]


def _infer(history: dict[str, Any], catalog: Catalog, settings: Settings) -> None:
    """Write the outcomes ``settings.inference`` infers, labelled, into the history's trials."""
    from trdcore.facts import read_history

    day = settings.as_of or datetime.date.today()
    trials = read_history(history, day, catalog)[0]
    followed = settings.inference.followed_by(trials)
    if not followed:
        return
    written = [dict(trial) for trial in history["trials"]]
    for position, after in followed.items():
        written[position]["outcome"] = "non-response"
        written[position]["outcome_inferred"] = settings.inference.label(
            trials[position], trials[after]
        )
    history["trials"] = written


def person_documents(
    person: Person, *, catalog: Catalog, settings: Settings, summary: Summary
) -> tuple[dict[str, Any] | None, list[str]]:
    """The document for one person (None: nothing to write) and its warnings."""
    summary.persons += 1
    fills = []
    for exposure in person.exposures:
        summary.exposures += 1
        fills.append(_fill(exposure, catalog, summary))
    for unmapped in person.unmapped:
        if unmapped.concept_id != 0:
            summary.unknown_concepts[unmapped.concept_id] += 1
        source_value = (unmapped.source_value or "").strip()
        recognised = catalog.recognise_drug(source_value) if source_value else None
        if recognised is None or not {"antidepressant", "augmentation"} & set(
            recognised.drug.model.roles
        ):
            summary.unmapped_named[source_value or "(no drug_source_value)"] += 1
            continue
        summary.unmapped_recognised[source_value] += 1
        fill: dict[str, Any] = {
            "id": str(unmapped.exposure_id),
            "date": unmapped.start.isoformat(),
            "drug": {"name": recognised.drug.model.name},
        }
        # No drug_strength row can hold its strength; an RxNorm normalized name states it.
        strength = _named_strength(recognised)
        if strength is None:
            summary.no_strength[f"{unmapped.concept_id} {source_value!r}"] += 1
        else:
            fill["strength"] = strength
        _supply(
            fill, unmapped.quantity, unmapped.days_supply, unmapped.start, unmapped.end, summary
        )
        fills.append(fill)
    if settings.as_of is not None:
        cutoff = settings.as_of.isoformat()
        kept = [fill for fill in fills if fill["date"] <= cutoff]
        summary.after_as_of += len(fills) - len(kept)
        fills = kept
    depression = [d for d in person.diagnoses if d.depression]
    diagnosed = any(settings.as_of is None or d.date <= settings.as_of for d in depression)
    if not fills and not diagnosed:
        summary.without_antidepressant += 1
        return None, []

    starts = sorted({datetime.date.fromisoformat(fill["date"]) for fill in fills})
    episode = episode_start(
        settings.episode,
        depression,
        starts,
        person.observation,
        lookback_days=settings.lookback_days,
        window_days=settings.window_days,
        as_of=settings.as_of,
    )
    identifier = str(person.person_id)
    scores = []
    for score in person.scores:
        value = score.value
        if value is None or not float(value).is_integer() or not 0 <= value <= 27:
            summary.invalid_scores += 1
            continue
        if episode.start is not None and score.date < episode.start:
            continue
        if settings.as_of is not None and score.date > settings.as_of:
            continue
        scores.append({"scale": "PHQ-9", "value": int(value), "date": score.date.isoformat()})
    episode_json: dict[str, Any] = {
        "start_date": episode.start.isoformat() if episode.start else "unknown"
    }
    if settings.events:
        summary.written += 1
        return {
            "schema": "dispensing-events@1.1.0",
            "id": identifier,
            "episode": episode_json,
            "events": fills,
        }, []
    built = trials_from_events(
        _as_model(identifier, fills),
        catalog=catalog,
        gap_days=settings.gap_days,
        stockpile=settings.stockpile,
        as_of=settings.as_of,
        end_date_first=True,
        augmentation=True,
    )
    history = dict(built.history)
    history["schema"] = "treatment-history@1.1.0"
    conditions = _conditions(person, settings.as_of)
    if conditions:
        history["conditions"] = conditions
    if settings.inference is not None:
        _infer(history, catalog, settings)
    if episode.diagnosis is not None and episode.diagnosis.vocabulary in SYSTEMS:
        coding = {
            "system": SYSTEMS[episode.diagnosis.vocabulary],
            "code": episode.diagnosis.code,
        }
        if episode.diagnosis.name:
            coding["display"] = episode.diagnosis.name[:500]
        episode_json["diagnoses"] = [coding]
    if scores:
        episode_json["scores"] = scores
    history["episode"] = episode_json
    history["notes"] = (
        f"imported from OMOP CDM person_id {person.person_id} by trdcore-omop; "
        f"{episode.note}; trials are drug eras (gap-days={settings.gap_days}, "
        f"stockpile={'yes' if settings.stockpile else 'no'})"
    )[:10_000]
    summary.written += 1
    return history, [f"person {identifier}: {warning}" for warning in built.warnings]
