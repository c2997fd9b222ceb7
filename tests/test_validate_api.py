"""trdcore.validate(): a model back, or one error that lists every problem precisely."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trdcore
from trdcore import schemas
from trdcore.exceptions import SchemaValidationError, TrdcoreError, UnknownSchemaError

EXAMPLE = json.loads(
    (Path(__file__).parent.parent / "examples/histories/two-ssri-trials.json").read_text()
)


#: The example (a 1.0.0 history) as validation hands it back: carried to the newest version.
CARRIED = {**EXAMPLE, "schema": "treatment-history@1.1.0"}


def history(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(EXAMPLE)
    document.update(changes)
    return document


def test_a_valid_history_comes_back_as_a_model() -> None:
    model = trdcore.validate(history(), schema="treatment-history")
    assert model.trials[1].drug.name == "Lexapro"
    assert model.to_json() == CARRIED


def test_the_document_can_name_its_own_schema() -> None:
    assert trdcore.validate(history()).to_json() == CARRIED


def test_an_exact_version_can_be_asked_for() -> None:
    assert trdcore.validate(history(), "treatment-history@1.0.0").to_json() == CARRIED


def test_every_problem_is_listed_with_pointer_and_keyword() -> None:
    document = history()
    document["episode"]["start_date"] = "2024-13-01"
    document["trials"][0]["daily_dose"] = {"value": -5, "unit": "mg"}
    del document["trials"][1]["drug"]
    document["surprise"] = True
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(document)
    found = {(issue.pointer, issue.keyword) for issue in caught.value.issues}
    assert found == {
        ("/episode/start_date", "format"),
        ("/trials/0/daily_dose/value", "exclusiveMinimum"),
        ("/trials/1", "required"),
        ("", "additionalProperties"),
    }
    assert caught.value.best == caught.value.issues[0]
    assert "and 3 more problems" in str(caught.value)


def test_the_best_match_comes_first() -> None:
    document = history()
    document["trials"][0]["adherence"] = "sometimes"
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(document)
    best = caught.value.best
    assert (best.pointer, best.keyword) == ("/trials/0/adherence", "enum")
    assert "'sometimes' is not one of" in best.message


def test_an_alternative_form_is_named_in_the_message() -> None:
    document = history()
    document["trials"][0]["daily_dose"] = {"value": 10, "unit": "kg"}
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(document)
    issue = caught.value.best
    assert issue.pointer == "/trials/0/daily_dose/unit"
    assert "daily_dose may also be 'unknown'" in issue.message


def test_cross_field_problems_are_reported_like_schema_problems() -> None:
    document = history()
    document["trials"][0]["end_date"] = "2023-12-01"
    document["trials"][1]["id"] = "t1"
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(document)
    assert {(i.pointer, i.keyword) for i in caught.value.issues} == {
        ("/trials/0/end_date", "date-order"),
        ("/trials/1/id", "unique-id"),
    }


@pytest.mark.parametrize(
    ("scale", "impossible"),
    [("PHQ-9", 28), ("MADRS", 61), ("HAM-D-17", 53), ("CGI-S", 0), ("BDI-II", 64)],
)
def test_scores_outside_their_scale_are_impossible(scale: str, impossible: int) -> None:
    document = history()
    document["trials"][1]["end_score"] = {"scale": scale, "value": impossible}
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(document)
    assert caught.value.best.pointer == "/trials/1/end_score/value"
    assert caught.value.best.keyword in {"minimum", "maximum"}


def test_a_document_of_the_wrong_kind_is_rejected_at_its_schema_field() -> None:
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate(history(), schema="source")
    assert ("/schema", "const") in {(i.pointer, i.keyword) for i in caught.value.issues}


def test_unknown_schema_or_version_lists_what_exists() -> None:
    with pytest.raises(UnknownSchemaError, match=r"treatment-history \(1\.0\.0, 1\.1\.0\)"):
        trdcore.validate(history(), schema="treatment-history@2.0.0")
    with pytest.raises(UnknownSchemaError):
        trdcore.validate({"episode": {"start_date": "unknown"}, "trials": []})


def test_issues_returns_an_empty_list_for_a_valid_document() -> None:
    assert trdcore.issues(history()) == []


def test_errors_serialise_for_machines() -> None:
    with pytest.raises(SchemaValidationError) as caught:
        trdcore.validate({"episode": {}, "trials": []}, schema="treatment-history")
    data = caught.value.to_json()
    assert data["schema"] == "treatment-history@1.1.0"
    assert data["issues"] == [
        {
            "pointer": "/episode",
            "keyword": "required",
            "message": "'start_date' is a required property",
            "schema_path": "/properties/episode/required",
        }
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_histories(draw: st.DrawFn) -> dict[str, Any]:
    """The example history with a few random edits: values replaced, keys dropped or added."""
    document = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)[1:]))
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        if not isinstance(document, dict) or not document:
            break
    return document


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_histories())
def test_fast_verdict_and_detailed_report_always_agree(document: dict[str, Any]) -> None:
    fast = schemas.is_valid(document, "treatment-history")
    detailed = not list(
        schemas._detailed_validator(schemas.resolve_schema("treatment-history")).iter_errors(
            document
        )
    )
    assert fast == detailed


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_histories(), json_values))
def test_only_trdcore_errors_ever_escape(document: Any) -> None:
    error: TrdcoreError | None = None
    try:
        trdcore.validate(document, schema="treatment-history")
    except TrdcoreError as raised:
        error = raised
    assert not isinstance(error, jsonschema.ValidationError)
    if isinstance(error, SchemaValidationError):
        assert error.issues
        assert all(issue.pointer == "" or issue.pointer.startswith("/") for issue in error.issues)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_histories(), json_values, st.just(EXAMPLE)))
def test_a_compiled_checker_gives_what_checked_gives(document: Any) -> None:
    """checker() looks the schema up once for a batch; its answers must not differ."""
    from trdcore.validation import checked, checker

    def outcome(check: Any) -> Any:
        try:
            return check(document, source="batch.ndjson")
        except TrdcoreError as error:
            return (type(error), str(error))

    assert outcome(checker("treatment-history")) == outcome(
        lambda item, source: checked(item, "treatment-history", source=source)
    )


def test_a_compiled_checker_reports_cross_field_problems_with_the_file() -> None:
    from trdcore.validation import checker

    document = history()
    document["trials"][1]["id"] = "t1"
    with pytest.raises(SchemaValidationError) as caught:
        checker("treatment-history")(document, source="batch.ndjson")
    assert [(i.pointer, i.keyword) for i in caught.value.issues] == [("/trials/1/id", "unique-id")]
    assert "batch.ndjson" in str(caught.value)
