"""The designed persons of scripts/build-omop-fixture, imported, against answers worked out by hand.

Each expectation was worked out from the rows the builder writes (see its ``designed``
function), the OMOP conventions the importer follows and the catalog, before the importer
was run: the comment above each test says how.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from trdcore_omop import settings_from
from trdcore_omop.run import OmopRun

import trdcore


def imported(location: Path | str, **options: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The documents by person id and the warnings of one import of persons 1-10."""
    run = OmopRun.open(
        str(location),
        settings_from({"person-id": tuple(str(n) for n in range(1, 11))} | options),
    )
    documents = {document["id"]: document for document in run.documents()}
    for document in documents.values():
        assert trdcore.issues(document) == [], document["id"]
    return documents, run.warnings


@pytest.fixture(scope="module")
def designed(cdm54: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    return imported(cdm54)


def trials(document: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    return [
        (t["drug"]["name"], t["start_date"], t.get("end_date", "ongoing"), t["daily_dose"])
        for t in document["trials"]
    ]


# Person 1: sertraline 100 MG Oral Tablet (concept 739207, strength 100 mg) filled 15 Jan, 14 Feb
# and 16 Mar 2023, 30 tablets for 30 days each, ending 30 days later: one era, 15 Jan to 15 Apr,
# 100 mg a day. Fluoxetine 20 MG Oral Capsule filled 1 May (30 capsules: 20 mg/day), 31 May and
# 30 Jun (60 capsules: 40 mg/day): one era, 1 May to 30 Jul, the most common dose 40 mg.
def test_clinical_drug_exposures_become_eras_with_their_doses(designed: Any) -> None:
    documents, _ = designed
    assert trials(documents["1"]) == [
        ("sertraline", "2023-01-15", "2023-04-15", {"value": 100, "unit": "mg"}),
        ("fluoxetine", "2023-05-01", "2023-07-30", {"value": 40, "unit": "mg"}),
    ]


# Person 1's only diagnosis is major depressive disorder (SNOMED 370143000) on 10 Jan 2023, with
# observation from 2015: a clean look-back. Its PHQ-9 totals (LOINC 44261-6) 18, 16 and 15 come
# from observation and measurement.
def test_the_episode_starts_at_the_diagnosis_and_keeps_its_phq9_totals(designed: Any) -> None:
    documents, _ = designed
    episode = documents["1"]["episode"]
    assert episode["start_date"] == "2023-01-10"
    assert episode["diagnoses"] == [
        {
            "system": "http://snomed.info/sct",
            "code": "370143000",
            "display": "Major depressive disorder",
        }
    ]
    assert [(s["date"], s["value"]) for s in episode["scores"]] == [
        ("2023-01-10", 18),
        ("2023-04-20", 16),
        ("2023-08-01", 15),
    ]
    assert "look-back incomplete" not in documents["1"]["notes"]


# Person 2 has only cetirizine (not an antidepressant) and no diagnosis.
def test_a_person_with_no_antidepressant_and_no_diagnosis_is_counted_not_written(
    designed: Any,
) -> None:
    documents, warnings = designed
    assert "2" not in documents
    assert any(
        "wrote 9" in w and "neither an antidepressant" in w and ": 1 with" in w for w in warnings
    )
    assert any("40228214 'cetirizine hydrochloride 10 MG Oral Tablet' (1)" in w for w in warnings)


# Person 3: drug_concept_id 0 with drug_source_value "sertraline 50 MG Oral Tablet": an RxNorm
# normalized name, so sertraline at 50 mg a tablet; 30 tablets for 30 days ending 2 Mar.
# Person 4: a concept id missing from concept, source value "Zoloft" (a sertraline brand): the
# drug is known, its strength is not.
def test_exposures_the_vocabulary_cannot_place_are_read_by_their_source_value(
    designed: Any,
) -> None:
    documents, warnings = designed
    assert trials(documents["3"]) == [
        ("sertraline", "2024-02-01", "2024-03-02", {"value": 50, "unit": "mg"})
    ]
    assert trials(documents["4"]) == [("sertraline", "2024-05-01", "2024-05-31", "unknown")]
    assert any(
        w.startswith("drug_exposure.drug_concept_id: 1 concept ids are not in the concept table")
        and "2099999999 (1)" in w
        for w in warnings
    )


# Person 5: escitalopram at ingredient level (no drug_strength row), 1 Mar and 1 May 2023, each
# 30 days: the first supply runs out 31 Mar, the refill comes 31 days later (more than 30), so
# two eras. The only diagnosis is "depressive disorder" (35489007), not a major depression code.
def test_a_gap_of_31_days_starts_a_new_era_and_depressive_disorder_is_not_the_episode(
    designed: Any,
) -> None:
    documents, warnings = designed
    assert trials(documents["5"]) == [
        ("escitalopram", "2023-03-01", "2023-03-31", "unknown"),
        ("escitalopram", "2023-05-01", "2023-05-31", "unknown"),
    ]
    assert documents["5"]["episode"] == {"start_date": "unknown"}
    assert "no depression diagnosis recorded" in documents["5"]["notes"]
    assert any("715939 'Escitalopram' (2)" in w for w in warnings)


# Person 6: duloxetine with no days' supply and an end date on the fill day: as OMOP's drug-era
# script, the era ends that day; without a days' supply the dose cannot be derived.
def test_an_exposure_ending_on_its_start_day_is_a_one_day_era(designed: Any) -> None:
    documents, _ = designed
    assert trials(documents["6"]) == [("duloxetine", "2024-01-05", "2024-01-05", "unknown")]


# Person 7: diagnoses on 1 Mar 2018, 1 Jun 2018, 1 Sep 2021 and 1 Oct 2021. More than 365 days
# lie between June 2018 and September 2021, so the current episode starts 1 Sep 2021. With
# --episode first-antidepressant the first antidepressant (citalopram, 5 Mar 2018) has a
# diagnosis 4 days before it, within 30 days.
def test_the_current_episode_is_the_latest_after_a_clean_look_back(
    designed: Any, cdm54: Path
) -> None:
    documents, _ = designed
    assert documents["7"]["episode"]["start_date"] == "2021-09-01"
    assert trials(documents["7"]) == [
        ("citalopram", "2018-03-05", "2018-06-03", "unknown"),
        ("bupropion", "2021-09-10", "2021-10-10", "unknown"),
    ]
    by_exposure, _ = imported(cdm54, episode="first-antidepressant")
    assert by_exposure["7"]["episode"]["start_date"] == "2018-03-05"
    assert "episode rule first-antidepressant (window-days=30)" in by_exposure["7"]["notes"]


# Person 8 was observed from 1 Jan 2024 and diagnosed on 1 Feb 2024: 31 days of look-back.
def test_a_short_observation_before_the_diagnosis_is_said_in_the_notes(designed: Any) -> None:
    documents, _ = designed
    assert documents["8"]["episode"]["start_date"] == "2024-02-01"
    assert "look-back incomplete: observed 31 days before it" in documents["8"]["notes"]


# Person 9: a diagnosis and no antidepressant; PHQ-9 totals 12.5 (not a whole number: refused,
# counted) and 9. With no trial, no definition can be met.
def test_a_diagnosed_person_without_trials_is_written_and_meets_no_definition(
    designed: Any,
) -> None:
    documents, warnings = designed
    history = documents["9"]
    assert history["trials"] == []
    assert history["episode"]["scores"] == [{"scale": "PHQ-9", "value": 9, "date": "2025-03-01"}]
    assert any(w.startswith("1 PHQ-9 totals (LOINC 44261-6)") for w in warnings)
    results = trdcore.evaluate_all(history, as_of="2026-11-27")
    assert set(results.statuses().values()) == {trdcore.Status.NOT_MET}


# Person 10: a quantity of 0 is "not recorded" (dose unknown); bipolar disorder is not a
# depression diagnosis.
def test_a_quantity_of_zero_leaves_the_dose_unknown(designed: Any) -> None:
    documents, warnings = designed
    assert trials(documents["10"]) == [("sertraline", "2022-06-01", "2022-07-01", "unknown")]
    assert documents["10"]["episode"] == {"start_date": "unknown"}
    assert any(w.startswith("1 antidepressant exposures have no quantity") for w in warnings)


def test_with_events_each_exposure_is_a_fill_of_a_dispensing_events_document(
    cdm54: Path,
) -> None:
    documents, _ = imported(cdm54, events=True)
    person = documents["1"]
    assert person["schema"] == "dispensing-events@1.1.0"
    first = person["events"][0]
    assert first["date"] == "2023-01-15"
    assert first["drug"]["codings"] == [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "36437"}
    ]
    assert first["strength"] == {"value": 100.0, "unit": "mg"}
    assert (first["quantity"], first["days_supply"], first["end_date"]) == (30, 30, "2023-02-14")


def test_cdm_5_3_gives_the_same_documents(cdm53: Path, designed: Any) -> None:
    assert imported(cdm53) == designed


# With --as-of 2023-03-01, person 1's third sertraline fill (16 Mar) and its three fluoxetine
# fills are later: not used. The supply of the first two (to 16 Mar) runs past 1 Mar, so the
# trial is ongoing. Later exposures of the other persons: 3, 4, 6 and 8 (2024), and person 5's
# second (1 May 2023): 9 in all. Persons 3, 4, 6 and 8 have nothing before that date (their
# diagnoses are later too), nor has person 9 (diagnosed in 2025), so they are not written.
def test_as_of_makes_supply_beyond_it_ongoing_and_leaves_later_exposures_out(
    cdm54: Path,
) -> None:
    documents, warnings = imported(cdm54, **{"as-of": "2023-03-01"})
    (trial,) = documents["1"]["trials"]
    assert (trial["drug"]["name"], trial["start_date"], trial.get("ongoing")) == (
        "sertraline",
        "2023-01-15",
        True,
    )
    assert "end_date" not in trial
    assert documents["1"]["episode"]["scores"] == [
        {"scale": "PHQ-9", "value": 18, "date": "2023-01-10"}
    ]
    assert any(w.startswith("9 antidepressant exposures start after --as-of") for w in warnings)
    assert sorted(documents, key=int) == ["1", "5", "7", "10"]
