"""Models hold exactly what a valid document says, and write the same document back."""

from __future__ import annotations

import copy
import json
import pickle
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
    DrugReference,
    Duration,
    Episode,
    EvaluationResult,
    ScaleScore,
    TrdDefinition,
    TreatmentHistory,
    Trial,
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


# Histories: the document each keeps, and the converter that writes one from the fields.
_HISTORY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def valid_history_document(data: st.DataObject) -> dict[str, Any]:
    document = data.draw(documents("treatment-history"), label="document")
    assume(not check(document, "treatment-history"))
    return document


def empty_every_container(value: Any) -> None:
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            empty_every_container(child)
        value.clear()


@_HISTORY_SETTINGS
@given(data=st.data())
def test_a_history_keeps_the_document_it_was_read_from_and_gives_out_copies(
    data: st.DataObject,
) -> None:
    """Kept, not copied (a copy costs more than the model); what it hands out is a copy."""
    document = valid_history_document(data)
    original = exact_json(document)

    history = TreatmentHistory.from_json(document)

    assert history.document is document
    written = history.to_json()
    assert written is not document
    assert exact_json(written) == original
    empty_every_container(written)  # changing a copy leaves the model as it was
    assert exact_json(history.document) == original
    assert exact_json(history.to_json()) == original


@_HISTORY_SETTINGS
@given(data=st.data())
def test_a_history_built_from_its_fields_writes_the_same_document(data: st.DataObject) -> None:
    """attrs.evolve calls the constructor, so this is the converter's own output."""
    document = valid_history_document(data)
    history = TreatmentHistory.from_json(document)

    rebuilt = attrs.evolve(history)

    assert exact_json(rebuilt.document) == exact_json(document)
    assert rebuilt == history
    assert hash(rebuilt) == hash(history)


@_HISTORY_SETTINGS
@given(data=st.data())
def test_histories_pickle(data: st.DataObject) -> None:
    history = TreatmentHistory.from_json(valid_history_document(data))

    unpickled = pickle.loads(pickle.dumps(history))

    assert unpickled == history
    assert exact_json(unpickled.document) == exact_json(history.document)
    assert exact_json(unpickled.to_json()) == exact_json(history.to_json())


def test_to_json_gives_a_copy_of_the_document(history: TreatmentHistory) -> None:
    written = history.to_json()
    assert written == history.document
    assert written is not history.document
    written["trials"][0]["drug"]["name"] = "changed"
    assert history.document["trials"][0]["drug"]["name"] == "sertraline"


def test_a_history_constructed_directly_has_its_document() -> None:
    history = TreatmentHistory(
        episode=Episode(start_date=date(2024, 1, 2)),
        trials=(Trial(drug=DrugReference(name="sertraline"), daily_dose="unknown"),),
    )
    assert history.document == {
        "episode": {"start_date": "2024-01-02"},
        "trials": [{"drug": {"name": "sertraline"}, "daily_dose": "unknown"}],
    }
    assert TreatmentHistory.from_json(history.document) == history


def test_evolve_writes_the_changed_history_s_document(history: TreatmentHistory) -> None:
    before = copy.deepcopy(history.document)

    changed = attrs.evolve(history, notes="seen again", courses=None)

    assert changed.document["notes"] == "seen again"
    assert "courses" not in changed.document
    assert history.document == before


def test_the_document_is_not_part_of_the_value(history_document: dict[str, Any]) -> None:
    read = TreatmentHistory.from_json(history_document)
    built = attrs.evolve(read)
    assert read == built
    assert hash(read) == hash(built)
    assert "document" not in repr(read)
    assert "_read_from" not in repr(read)


@pytest.mark.parametrize("value", [7, 7.0, 2.5])
def test_numbers_keep_their_kind(value: float, history_document: dict[str, Any]) -> None:
    """Nothing turns 7 into 7.0 or back: the converter copies numbers as they are."""
    dose = {"value": value, "unit": "mg"}
    score = {"scale": "PHQ-9", "value": value}
    assert exact_json(DailyDose.from_json(dose).to_json()) == exact_json(dose)
    assert exact_json(ScaleScore.from_json(score).to_json()) == exact_json(score)

    history_document["trials"][1]["daily_dose"] = dose
    history = TreatmentHistory.from_json(history_document)
    dose_read = history.trials[1].daily_dose
    assert isinstance(dose_read, DailyDose)
    assert type(dose_read.value) is type(value)
    for written in (history.to_json(), attrs.evolve(history).document):
        assert exact_json(written) == exact_json(history_document)


def test_absent_optional_fields_are_none_and_left_out_again() -> None:
    """(A field without a default is written even when None: see the unknown counted above.)"""
    trial = {"drug": {"name": "sertraline"}}
    model = Trial.from_json(trial)
    assert (model.daily_dose, model.outcome, model.start_date) == (None, None, None)
    assert model.to_json() == trial


def test_unions_are_read_by_the_json_value_s_kind() -> None:
    unknown = Trial.from_json({"drug": {}, "daily_dose": "unknown", "start_date": "unknown"})
    assert (unknown.daily_dose, unknown.start_date) == ("unknown", "unknown")
    known = Trial.from_json(
        {"drug": {}, "daily_dose": {"value": 20, "unit": "mg"}, "start_date": "2024-05-06"}
    )
    assert known.daily_dose == DailyDose(value=20, unit="mg")
    assert known.start_date == date(2024, 5, 6)


def test_to_json_writes_keys_in_the_order_of_the_model_fields(catalog: Any) -> None:
    """Exports and listings show documents as written; cattrs alone puts defaults last."""
    import attrs

    from trdcore.models._json import JSON_KEY

    for entry in catalog.entries:
        written = list(entry.model.to_json())
        order = [
            field.metadata.get(JSON_KEY, field.name) for field in attrs.fields(type(entry.model))
        ]
        assert written == [key for key in order if key in written], entry.ref
