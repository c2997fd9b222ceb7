"""Trials built from prescription fills the way OMOP builds drug eras (trdcore.rules.events)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trdcore
from strategies import documents
from trdcore.catalog import Catalog
from trdcore.exceptions import SchemaValidationError
from trdcore.facts import read_history
from trdcore.models import DispensingEvent, DispensingEvents
from trdcore.rules.events import EventTrials, trials_from_events

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
START = date(2024, 1, 1)


def fill(
    day: date | str,
    drug: str = "sertraline",
    *,
    strength: float = 50,
    unit: str = "mg",
    quantity: float = 30,
    days_supply: int = 30,
    **extra: Any,
) -> dict[str, Any]:
    """One fill: by default sertraline 50 mg, 30 tablets for 30 days."""
    return {
        "date": day if isinstance(day, str) else day.isoformat(),
        "drug": {"name": drug},
        "strength": {"value": strength, "unit": unit},
        "quantity": quantity,
        "days_supply": days_supply,
        **extra,
    }


def build(catalog: Catalog, *events: dict[str, Any], **options: Any) -> EventTrials:
    result = trials_from_events({"events": list(events)}, catalog=catalog, **options)
    assert trdcore.issues(result.history, "treatment-history") == []
    return result


def only_trial(result: EventTrials) -> dict[str, Any]:
    (trial,) = result.history["trials"]
    return dict(trial)


# --- eras -------------------------------------------------------------------------------------


def test_two_fills_thirty_days_apart_are_one_trial(catalog: Catalog) -> None:
    result = build(catalog, fill(START), fill(START + timedelta(days=30)))
    assert only_trial(result) == {
        "id": "sertraline-era-1",
        "drug": {"name": "sertraline"},
        "daily_dose": {"value": 50, "unit": "mg"},
        "start_date": "2024-01-01",
        "end_date": "2024-03-01",
        "notes": "built from 2 fills by trdcore.rules.events (gap_days=30, stockpile=True)",
    }
    assert result.warnings == ()


def test_a_gap_of_gap_days_joins_and_one_more_day_splits(catalog: Catalog) -> None:
    runs_out = START + timedelta(days=30)  # a 30-day supply from 1 January
    joined = build(catalog, fill(START), fill(runs_out + timedelta(days=30)))
    assert [t["id"] for t in joined.history["trials"]] == ["sertraline-era-1"]

    split = build(catalog, fill(START), fill(runs_out + timedelta(days=31)))
    trials = split.history["trials"]
    assert [t["id"] for t in trials] == ["sertraline-era-1", "sertraline-era-2"]
    assert [(t["start_date"], t["end_date"]) for t in trials] == [
        ("2024-01-01", "2024-01-31"),
        ("2024-03-02", "2024-04-01"),
    ]


@pytest.mark.parametrize(("gap_days", "eras"), [(0, 2), (9, 2), (10, 1), (60, 1)])
def test_gap_days_is_the_persistence_window(catalog: Catalog, gap_days: int, eras: int) -> None:
    ten_days_late = START + timedelta(days=40)
    result = build(catalog, fill(START), fill(ten_days_late), gap_days=gap_days)
    assert len(result.history["trials"]) == eras
    assert f"gap_days={gap_days}" in result.history["trials"][0]["notes"]


def test_negative_gap_days_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="gap_days"):
        trials_from_events({"events": []}, catalog=catalog, gap_days=-1)


def test_an_early_refill_adds_its_days_when_stockpiling(catalog: Catalog) -> None:
    early = [fill(START), fill(START + timedelta(days=20))]
    assert only_trial(build(catalog, *early))["end_date"] == "2024-03-01"  # 60 days
    omop = only_trial(build(catalog, *early, stockpile=False))
    assert omop["end_date"] == "2024-02-20"  # overlap absorbed, as in OMOP drug eras
    assert "stockpile=False" in omop["notes"]


def test_each_drug_has_its_own_eras(catalog: Catalog) -> None:
    result = build(catalog, fill(START, "fluoxetine", strength=20), fill(START), fill("2024-02-01"))
    assert [(t["id"], t["daily_dose"]["value"]) for t in result.history["trials"]] == [
        ("fluoxetine-era-1", 20),
        ("sertraline-era-1", 50),
    ]
    assert [len(era.fills) for era in result.eras] == [1, 2]


def test_supply_beyond_as_of_makes_the_trial_ongoing(catalog: Catalog) -> None:
    events = [fill(START), fill("2024-01-31")]
    ongoing = only_trial(build(catalog, *events, as_of=date(2024, 2, 15)))
    assert ongoing["ongoing"] is True
    assert "end_date" not in ongoing

    ended = only_trial(build(catalog, *events, as_of=date(2024, 3, 1)))
    assert ended["end_date"] == "2024-03-01"
    assert "ongoing" not in ended


def test_fills_after_as_of_are_reported_not_used(catalog: Catalog) -> None:
    result = build(catalog, fill(START), fill("2024-03-01", id="rx-9"), as_of=date(2024, 1, 20))
    assert only_trial(result)["ongoing"] is True
    assert result.warnings == (
        "fill 'rx-9' of 'sertraline' on 2024-03-01: dated after as_of (2024-01-20); not used",
    )


def test_episode_and_id_are_carried_over(catalog: Catalog) -> None:
    document = {"id": "p-17", "episode": {"start_date": "2023-12-01"}, "events": [fill(START)]}
    history = trials_from_events(document, catalog=catalog).history
    assert history["id"] == "p-17"
    assert history["episode"] == {"start_date": "2023-12-01"}
    assert build(catalog).history == {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": "unknown"},
        "trials": [],
    }


def test_the_model_is_accepted_as_well_as_the_document(catalog: Catalog) -> None:
    document = {"events": [fill(START), fill("2024-02-01", "Prozac", strength=20)]}
    model = DispensingEvents.from_json(document)
    assert trials_from_events(model, catalog=catalog) == trials_from_events(
        document, catalog=catalog
    )


def test_an_invalid_document_is_refused_with_its_problems(catalog: Catalog) -> None:
    with pytest.raises(SchemaValidationError, match="days_supply"):
        trials_from_events({"events": [fill(START, days_supply=0)]}, catalog=catalog)


# --- daily dose -------------------------------------------------------------------------------


def test_daily_dose_is_strength_times_quantity_over_days_supply(catalog: Catalog) -> None:
    assert only_trial(build(catalog, fill(START)))["daily_dose"] == {"value": 50, "unit": "mg"}
    twice_daily = fill(START, strength=25, quantity=60, days_supply=30)
    assert only_trial(build(catalog, twice_daily))["daily_dose"] == {"value": 50, "unit": "mg"}
    odd = fill(START, strength=10, quantity=10, days_supply=3)
    assert only_trial(build(catalog, odd))["daily_dose"] == {"value": 33.333, "unit": "mg"}


@pytest.mark.parametrize(
    ("strength", "unit", "milligrams"),
    [(0.1, "g", 100), (100, "mg", 100), (100_000, "mcg", 100), (150, "mcg", 0.15)],
)
def test_grams_and_micrograms_are_converted(
    catalog: Catalog, strength: float, unit: str, milligrams: float
) -> None:
    event = fill(START, strength=strength, unit=unit)
    assert only_trial(build(catalog, event))["daily_dose"] == {"value": milligrams, "unit": "mg"}


def test_whole_doses_are_written_as_integers(catalog: Catalog) -> None:
    dose = only_trial(build(catalog, fill(START, strength=0.05, unit="g")))["daily_dose"]
    assert dose == {"value": 50, "unit": "mg"}
    assert isinstance(dose["value"], int)


def test_the_trial_dose_is_the_most_common_fill_dose(catalog: Catalog) -> None:
    doses = [50, 100, 100, 50, 100, 150]
    events = [fill(START + timedelta(days=30 * n), strength=d) for n, d in enumerate(doses)]
    assert only_trial(build(catalog, *events))["daily_dose"]["value"] == 100


def test_equally_common_doses_resolve_to_the_highest(catalog: Catalog) -> None:
    events = [fill(START, strength=100), fill("2024-01-31", strength=50)]
    assert only_trial(build(catalog, *events))["daily_dose"]["value"] == 100


def test_patches_keep_mg_per_24h(catalog: Catalog) -> None:
    patch = fill(START, "Emsam", strength=6, unit="mg/24h")
    trial = only_trial(build(catalog, patch))
    assert trial["daily_dose"] == {"value": 6, "unit": "mg/24h"}


def test_a_unit_that_does_not_fit_the_drug_leaves_the_dose_unknown(catalog: Catalog) -> None:
    result = build(catalog, fill(START, strength=50, unit="mg/24h", id="rx-1"))
    assert only_trial(result)["daily_dose"] == "unknown"
    assert result.warnings == (
        "fill 'rx-1' of 'sertraline' on 2024-01-01: strength in mg/24h cannot be converted "
        "to sertraline doses in mg; used with its dose unknown",
    )


def test_a_fill_with_an_unknown_dose_still_counts_towards_the_era(catalog: Catalog) -> None:
    events = [fill(START, unit="mg/24h"), fill("2024-01-31", strength=100)]
    trial = only_trial(build(catalog, *events))
    assert trial["daily_dose"] == {"value": 100, "unit": "mg"}
    assert trial["end_date"] == "2024-03-01"


# --- identifying the drug ---------------------------------------------------------------------


def test_a_brand_name_is_recognised(catalog: Catalog) -> None:
    trial = only_trial(build(catalog, fill(START, "Zoloft")))
    assert trial["drug"] == {"name": "sertraline"}
    assert trial["id"] == "sertraline-era-1"


def test_brand_and_generic_fills_form_one_era(catalog: Catalog) -> None:
    result = build(catalog, fill(START, "Zoloft"), fill("2024-01-31", "sertraline"))
    assert len(only_trial(result)["notes"].split("2 fills")) == 2


def test_an_rxcui_coding_is_recognised(catalog: Catalog) -> None:
    event = fill(START)
    event["drug"] = {"codings": [{"system": RXNORM, "code": "36437"}]}
    assert only_trial(build(catalog, event))["drug"] == {"name": "sertraline"}


def test_a_code_in_another_system_is_not_taken_for_an_rxcui(catalog: Catalog) -> None:
    event = fill(START)
    event["drug"] = {"codings": [{"system": "http://example.org/codes", "code": "36437"}]}
    result = build(catalog, event)
    assert result.history["trials"] == []
    assert "not in the catalog" in result.warnings[0]


def test_unknown_drugs_are_reported(catalog: Catalog) -> None:
    result = build(catalog, fill(START, "wonderzine", id="claim-3"))
    assert result.history["trials"] == []
    assert result.warnings == (
        "fill 'claim-3' of 'wonderzine' on 2024-01-01: the drug is not in the catalog (give "
        "a name, synonym or brand, or an ingredient RxNorm or ATC code); not used",
    )


def test_drugs_that_are_not_antidepressants_are_reported(catalog: Catalog) -> None:
    result = build(catalog, fill(START, "aripiprazole", strength=5), fill(START))
    assert only_trial(result)["id"] == "sertraline-era-1"
    assert result.warnings == (
        "fill of 'aripiprazole' on 2024-01-01: aripiprazole is not an antidepressant in the "
        "catalog (roles: augmentation); not used",
    )


def test_with_augmentation_an_augmentation_agent_becomes_a_trial_read_as_one(
    catalog: Catalog,
) -> None:
    result = build(catalog, fill(START, "aripiprazole", strength=5), fill(START), augmentation=True)
    assert [trial["id"] for trial in result.history["trials"]] == [
        "aripiprazole-era-1",
        "sertraline-era-1",
    ]
    assert result.warnings == ()
    facts = read_history(result.history, date(2024, 6, 1), catalog)[0]
    assert [item.kind for item in facts] == ["augmentation", "antidepressant"]


def test_a_name_and_code_that_disagree_are_reported(catalog: Catalog) -> None:
    event = fill(START, "fluoxetine")
    event["drug"]["codings"] = [{"system": RXNORM, "code": "36437"}]
    result = build(catalog, event)
    assert result.history["trials"] == []
    assert "name different drugs (fluoxetine, sertraline)" in result.warnings[0]


# --- properties -------------------------------------------------------------------------------

NAMES = ["sertraline", "Zoloft", "fluoxetine", "Emsam", "aripiprazole", "wonderzine"]


@st.composite
def fills(draw: st.DrawFn) -> dict[str, Any]:
    """Fills of a few drugs over a year, some by code, with every strength unit."""
    event = fill(
        START + timedelta(days=draw(st.integers(0, 365))),
        draw(st.sampled_from(NAMES)),
        strength=draw(st.sampled_from([0.02, 0.5, 6, 10, 25, 50, 150, 20_000])),
        unit=draw(st.sampled_from(["mg", "g", "mcg", "mg/24h"])),
        quantity=draw(st.sampled_from([1, 7, 14, 28, 30, 30.5, 90])),
        days_supply=draw(st.integers(1, 120)),
    )
    if draw(st.booleans()):
        event["id"] = draw(st.text("abc123", min_size=1, max_size=4))
    if draw(st.booleans()):
        event["drug"] = {
            "codings": [{"system": RXNORM, "code": draw(st.sampled_from(["36437", "4493", "1"]))}]
        }
    return event


options = st.fixed_dictionaries(
    {
        "gap_days": st.integers(0, 90),
        "stockpile": st.booleans(),
        "as_of": st.none() | st.dates(date(2024, 1, 1), date(2025, 6, 1)),
    }
)
fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(events=st.lists(fills(), max_size=12), options=options, data=st.data())
def test_the_order_of_events_never_matters(
    catalog: Catalog, events: list[dict[str, Any]], options: dict[str, Any], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events), label="shuffled")
    assert build(catalog, *shuffled, **options) == build(catalog, *events, **options)


def named(event: DispensingEvent) -> str:
    """How warnings name a fill: its id if any, its drug as given, its date."""
    drug = event.drug.name or ", ".join(f"{c.system} {c.code}" for c in event.drug.codings or ())
    return f"fill {event.id!r} of {drug!r}" if event.id else f"fill of {drug!r}"


@fast
@given(events=st.lists(fills(), max_size=12), options=options)
def test_every_event_is_used_once_or_reported(
    catalog: Catalog, events: list[dict[str, Any]], options: dict[str, Any]
) -> None:
    result = build(catalog, *events, **options)
    given_events = DispensingEvents.from_json({"events": events}).events
    used = Counter(fill.event for era in result.eras for fill in era.fills)
    assert not used - Counter(given_events)
    unused_by_name = Counter(
        f"{named(e)} on {e.date}" for e in (Counter(given_events) - used).elements()
    )
    reported = Counter(
        warning.split(": ", 1)[0] for warning in result.warnings if warning.endswith("not used")
    )
    assert reported == unused_by_name
    for era, trial in zip(result.eras, result.history["trials"], strict=True):
        assert trial["id"] == era.trial_id
        assert f"built from {len(era.fills)} fill" in trial["notes"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents("dispensing-events"), options=options)
def test_every_valid_document_gives_a_valid_history(
    catalog: Catalog, document: dict[str, Any], options: dict[str, Any]
) -> None:
    if trdcore.issues(document, "dispensing-events"):
        return
    result = trials_from_events(document, catalog=catalog, **options)
    assert trdcore.issues(result.history, "treatment-history") == []
    assert len(result.eras) == len(result.history["trials"])


# --- fills with fields not recorded (dispensing-events 1.1.0) ---------------------------------


def bare(day: date, drug: str = "sertraline", **recorded: Any) -> dict[str, Any]:
    """A fill with only its date, drug and what ``recorded`` gives, as claims often hold."""
    return {"date": day.isoformat(), "drug": {"name": drug}, **recorded}


def test_a_fill_without_strength_counts_as_exposure_with_its_dose_unknown(
    catalog: Catalog,
) -> None:
    result = build(
        catalog,
        bare(START, quantity=30, days_supply=30),
        bare(START + timedelta(days=30), quantity=30, days_supply=30),
    )
    trial = only_trial(result)
    assert trial["daily_dose"] == "unknown"
    assert (trial["start_date"], trial["end_date"]) == ("2024-01-01", "2024-03-01")
    assert trial["notes"].endswith("; not recorded: strength on 2 fills")
    assert result.warnings == ()


def test_the_dose_of_fills_that_have_one_is_kept_beside_fills_that_lack_it(
    catalog: Catalog,
) -> None:
    result = build(catalog, fill(START), bare(START + timedelta(days=30), days_supply=30))
    trial = only_trial(result)
    assert trial["daily_dose"] == {"value": 50, "unit": "mg"}
    assert "not recorded: quantity on 1 fill, strength on 1 fill" in trial["notes"]


def test_without_days_supply_the_end_date_says_when_the_supply_runs_out(
    catalog: Catalog,
) -> None:
    # OMOP's drug_exposure_end_date: the supply of a fill on 1 January with end date
    # 31 January runs out on 31 January, like a 30-day supply.
    result = build(catalog, bare(START, end_date="2024-01-31"))
    trial = only_trial(result)
    assert (trial["start_date"], trial["end_date"]) == ("2024-01-01", "2024-01-31")
    assert trial["daily_dose"] == "unknown"
    assert "supply read from the end date on 1 fill" in trial["notes"]


def test_days_supply_wins_over_the_end_date(catalog: Catalog) -> None:
    result = build(catalog, fill(START, end_date="2024-06-30"))
    assert only_trial(result)["end_date"] == "2024-01-31"


@pytest.mark.parametrize("fallback", [1, 30])
def test_with_neither_the_fallback_is_the_supply_and_the_note_says_so(
    catalog: Catalog, fallback: int
) -> None:
    result = build(catalog, bare(START), fallback_days_supply=fallback)
    trial = only_trial(result)
    assert trial["end_date"] == (START + timedelta(days=fallback)).isoformat()
    assert f"supply taken as {fallback} days (fallback_days_supply) on 1 fill" in trial["notes"]


def test_a_fallback_below_one_day_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="fallback_days_supply"):
        trials_from_events({"events": [bare(START)]}, catalog=catalog, fallback_days_supply=0)


def test_a_1_0_0_document_still_needs_every_field(catalog: Catalog) -> None:
    document = {"schema": "dispensing-events@1.0.0", "events": [bare(START, quantity=30)]}
    assert trdcore.issues(document)
    assert trdcore.issues({**document, "schema": "dispensing-events@1.1.0"}) == []


def test_with_end_date_first_the_end_date_decides_as_in_omops_era_script(
    catalog: Catalog,
) -> None:
    both = fill(START, end_date="2024-02-15")
    assert only_trial(build(catalog, both))["end_date"] == "2024-01-31"
    assert only_trial(build(catalog, both, end_date_first=True))["end_date"] == "2024-02-15"
    # Without an end date the days' supply still decides.
    assert only_trial(build(catalog, fill(START), end_date_first=True))["end_date"] == "2024-01-31"
