"""Models hold exactly what a valid document says, and write the same document back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from strategies import document_names, documents
from trdcore.models import (
    MODELS,
    DailyDose,
    Duration,
    EvaluationResult,
    TrdDefinition,
    TreatmentHistory,
)
from trdcore.schemas import available_schemas, check


def exact_json(document: Any) -> str:
    """Text that tells 7 from 7.0 and True from 1, which == on dicts does not."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def test_every_document_schema_has_a_model() -> None:
    assert sorted(MODELS) == sorted(available_schemas())
    for name, model in MODELS.items():
        assert name == model.SCHEMA_NAME


@pytest.mark.parametrize("name", document_names())
# Generating large documents is slow on a busy machine; that is not what this test checks.
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_valid_documents_round_trip(name: str, data: st.DataObject) -> None:
    document = data.draw(documents(name), label="document")
    issues = check(document, name)
    note(f"schema issues: {issues}")
    assume(not issues)

    model = MODELS[name].from_json(document)
    written = model.to_json()

    assert written == document
    assert exact_json(written) == exact_json(document)
    assert MODELS[name].from_json(written) == model
    hash(model)


@pytest.fixture
def history_document() -> dict[str, Any]:
    """Sertraline then venlafaxine with aripiprazole added, then ECT; some facts unknown."""
    return {
        "schema": "treatment-history@1.0.0",
        "id": "patient-0042",
        "episode": {
            "start_date": "2023-11-01",
            "severity": "moderate",
            "diagnoses": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}],
            "scores": [{"scale": "PHQ-9", "value": 19, "date": "2024-01-15"}],
        },
        "trials": [
            {
                "id": "t1",
                "drug": {"name": "sertraline"},
                "daily_dose": "unknown",
                "start_date": "2024-01-15",
                "end_date": "2024-03-20",
                "adherence": "full",
                "outcome": "non-response",
                "reason_stopped": "not-effective",
            },
            {
                "id": "t2",
                "drug": {
                    "name": "venlafaxine",
                    "codings": [
                        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "39786"}
                    ],
                },
                "daily_dose": {"value": 225, "unit": "mg"},
                "start_date": "2024-03-21",
                "end_date": "unknown",
                "augmentation": [
                    {
                        "drug": {"name": "aripiprazole"},
                        "daily_dose": {"value": 2.5, "unit": "mg"},
                        "duration": {"value": 6, "unit": "week"},
                    }
                ],
            },
        ],
        "courses": [
            {"kind": "ect", "name": "right unilateral ECT", "sessions": 12, "ongoing": True}
        ],
    }


@pytest.fixture
def history(history_document: dict[str, Any]) -> TreatmentHistory:
    assert check(history_document, "treatment-history") == []
    return TreatmentHistory.from_json(history_document)


def test_dates_become_dates(history: TreatmentHistory) -> None:
    assert history.episode.start_date == date(2023, 11, 1)
    assert history.trials[0].start_date == date(2024, 1, 15)
    assert history.episode.scores is not None
    assert history.episode.scores[0].date == date(2024, 1, 15)


def test_unknown_is_kept_apart_from_not_recorded(history: TreatmentHistory) -> None:
    first, second = history.trials
    assert first.daily_dose == "unknown"
    assert second.end_date == "unknown"
    assert first.duration is None
    assert second.adherence is None
    assert history.identifiers is None


def test_doses_and_augmentation(history: TreatmentHistory) -> None:
    second = history.trials[1]
    assert second.daily_dose == DailyDose(value=225, unit="mg")
    assert second.drug.codings is not None
    assert second.drug.codings[0].code == "39786"
    assert second.augmentation is not None
    (aripiprazole,) = second.augmentation
    assert aripiprazole.drug.name == "aripiprazole"
    assert aripiprazole.daily_dose == DailyDose(value=2.5, unit="mg")
    assert aripiprazole.duration == Duration(value=6, unit="week")
    assert aripiprazole.start_date is None


def test_ect_course(history: TreatmentHistory) -> None:
    assert history.courses is not None
    (ect,) = history.courses
    assert (ect.kind, ect.sessions, ect.ongoing) == ("ect", 12, True)
    assert ect.end_date is None


def test_history_writes_back_what_it_read(
    history: TreatmentHistory, history_document: dict[str, Any]
) -> None:
    assert exact_json(history.to_json()) == exact_json(history_document)


def test_schema_field_is_written_only_when_given(history_document: dict[str, Any]) -> None:
    del history_document["schema"]
    written = TreatmentHistory.from_json(history_document).to_json()
    assert "schema" not in written
    assert written == history_document


def test_models_are_frozen(history: TreatmentHistory) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        history.trials[0].outcome = "remission"  # type: ignore[misc]


def test_unknown_counted_is_written_as_null() -> None:
    document = {
        "definition": "two-trials@1.0.0",
        "catalog_version": "1.0.0",
        "as_of": "2024-06-30",
        "status": "indeterminate",
        "trials": [
            {
                "pointer": "/trials/0",
                "kind": "antidepressant",
                "counted": None,
                "criteria": [
                    {"criterion": "dose", "result": "unknown", "detail": "dose not recorded"}
                ],
                "reason": "the dose is unknown",
            }
        ],
        "counts": {"adequate_failed_trials": 0, "possible_failed_trials": 1, "distinct_classes": 0},
        "missing": [{"pointer": "/trials/0/daily_dose", "what": "daily dose"}],
        "warnings": [],
        "engine": {"name": "trdcore", "version": "0.1.0"},
    }
    assert check(document, "evaluation-result") == []
    result = EvaluationResult.from_json(document)
    assert result.as_of == date(2024, 6, 30)
    assert result.trials[0].counted is None
    assert result.to_json()["trials"][0]["counted"] is None
    assert result.to_json() == document


def test_definition_parameters_keep_hyphenated_keys_and_sources() -> None:
    sourced = {"sources": ["sforzini-2022"], "verification": "verified"}
    document = {
        "id": "two-trials",
        "version": "1.0.0",
        "status": "active",
        "title": "Two adequate failed trials",
        "summary": "Two adequate antidepressant trials without response in this episode.",
        "parameters": {
            "min_failed_trials": {"value": 2, **sourced},
            "distinct_classes": {"required": False, **sourced},
            "min_trial_weeks": {"value": 6, **sourced},
            "adequate_dose": {"method": "clinician-judgment", **sourced},
            "non_response": {"method": "recorded-outcome", **sourced},
            "counts_as_trial": {
                "antidepressant": True,
                "augmentation": True,
                "psychotherapy": False,
                "ect": False,
                "other-neurostimulation": False,
                **sourced,
            },
            "episode_scope": {"value": "current-episode", **sourced},
            "adherence_required": {"value": True, **sourced},
            "intolerance_counts_as_failure": {"value": False, **sourced},
            "missing_data": "indeterminate",
        },
        "sources": ["sforzini-2022"],
    }
    assert check(document, "trd-definition") == []
    definition = TrdDefinition.from_json(document)
    parameters = definition.parameters
    assert parameters.min_failed_trials.value == 2
    assert parameters.episode_scope.value == "current-episode"
    assert parameters.counts_as_trial.other_neurostimulation is False
    assert parameters.early_stop_weeks is None
    assert parameters.min_trial_weeks.sources == ("sforzini-2022",)
    assert exact_json(definition.to_json()) == exact_json(document)
