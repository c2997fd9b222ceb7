"""The evaluation engine: clinical vignettes with the answer each definition's source gives,
and properties that must hold for every history."""

from __future__ import annotations

import datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import trdcore
from strategies import documents
from trdcore import evaluate, evaluate_all
from trdcore.catalog import Catalog
from trdcore.schemas import check

AS_OF = datetime.date(2026, 11, 27)


def trial(drug: str, dose: float | None, start: str, end: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "drug": {"name": drug},
        "start_date": start,
        "end_date": end,
        "adherence": "full",
        "outcome": "non-response",
    }
    if dose is not None:
        item["daily_dose"] = {"value": dose, "unit": "mg"}
    item.update(extra)
    return item


def history(*trials: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"episode": {"start_date": "2023-06-01"}, "trials": list(trials), **extra}


def status(document: dict[str, Any], definition: str, catalog: Catalog) -> str:
    return str(evaluate(document, definition, as_of=AS_OF, catalog=catalog).status)


# --- vignettes ---------------------------------------------------------------------------------


def test_the_atrq_authors_worked_example(catalog: Catalog) -> None:
    """Current Psychiatry 2012 (current-psychiatry-2012-atrq): sertraline 100 mg for 3 months is a
    failed adequate trial; citalopram 20 mg for 1 month is too short; venlafaxine 75 mg for 7
    weeks is a dose too low. Judged with the MGH-ATRQ minimum doses (esketamine-trials)."""
    document = history(
        trial("sertraline", 100, "2023-06-05", "2023-09-05"),
        trial("citalopram", 20, "2023-09-10", "2023-10-10"),
        trial("venlafaxine", 75, "2023-10-15", "2023-12-03"),
    )
    result = evaluate(document, "esketamine-trials", as_of=AS_OF, catalog=catalog)
    verdicts = {
        t.drug_input: (t.counted, {c.criterion: c.result for c in t.criteria})
        for t in result.trials
    }
    assert verdicts["sertraline"][0] is True
    assert verdicts["citalopram"][0] is False
    assert verdicts["citalopram"][1]["duration"] == "fail"
    assert verdicts["venlafaxine"][0] is False
    assert verdicts["venlafaxine"][1]["dose"] == "fail"
    assert result.status == "not_met"
    assert result.counts.adequate_failed_trials == 1


def test_two_ssris_meet_the_two_trial_definition_but_not_different_classes(
    catalog: Catalog,
) -> None:
    document = history(
        trial("sertraline", 150, "2023-06-05", "2023-09-05"),
        trial("escitalopram", 20, "2023-09-10", "2023-12-10"),
    )
    assert status(document, "two-trials-gaynes-2020", catalog) == "met"
    result = evaluate(document, "different-classes", as_of=AS_OF, catalog=catalog)
    assert result.status == "not_met"
    assert "SSRI" in str(result.explanation)
    sentences = evaluate_all(document, as_of=AS_OF, catalog=catalog).differences
    [sentence] = [s for s in sentences if "different-classes@2.0.0:" in s]
    assert sentence.startswith("met under ")
    assert "two-trials-gaynes-2020@2.0.0" in sentence
    assert "but not under different-classes@2.0.0: " in sentence
    assert "all in 1 pharmacological class (SSRI)" in sentence


def test_an_ssri_and_an_snri_meet_the_different_classes_definition(catalog: Catalog) -> None:
    document = history(
        trial("sertraline", 150, "2023-06-05", "2023-09-05"),
        trial("venlafaxine", 225, "2023-09-10", "2023-12-10"),
    )
    assert status(document, "different-classes", catalog) == "met"


def scored(baseline: int, end: int) -> dict[str, Any]:
    return {
        "baseline_score": {"scale": "PHQ-9", "value": baseline},
        "end_score": {"scale": "PHQ-9", "value": end},
        "outcome": "partial-response",
    }


@pytest.mark.parametrize(
    ("definition", "end_score", "expected"),
    [
        # Canadian consensus 2021: non-response is less than 50% reduction (strict).
        ("canadian-consensus-2021", 11, "met"),  # 45%
        ("canadian-consensus-2021", 10, "not_met"),  # exactly 50%: a response
        # Esketamine trials: 25% improvement or less (inclusive).
        ("esketamine-trials", 15, "met"),  # exactly 25%
        ("esketamine-trials", 14, "not_met"),  # 30%
        # Sforzini 2022: fewer than 25% (strict).
        ("sforzini-2022", 16, "met"),  # 20%
        ("sforzini-2022", 15, "not_met"),  # exactly 25%
    ],
)
def test_non_response_thresholds_follow_each_source(
    catalog: Catalog, definition: str, end_score: int, expected: str
) -> None:
    first = trial("sertraline", 150, "2023-06-05", "2023-09-05")
    second = trial("bupropion", 300, "2023-09-10", "2023-12-10", **scored(20, end_score))
    assert status(history(first, second), definition, catalog) == expected


def test_missing_adherence_makes_the_verdict_indeterminate_and_is_named(catalog: Catalog) -> None:
    second = trial("bupropion", 300, "2023-09-10", "2023-12-10")
    del second["adherence"]
    document = history(trial("sertraline", 150, "2023-06-05", "2023-09-05"), second)
    result = evaluate(document, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    assert result.status == "indeterminate"
    assert [(m.pointer, m.what) for m in result.missing] == [
        ("/trials/1", "adherence: adherence is not recorded")
    ]


def test_a_repeat_of_the_same_drug_counts_once(catalog: Catalog) -> None:
    document = history(
        trial("sertraline", 150, "2023-06-05", "2023-09-05"),
        trial("Zoloft", 200, "2023-09-10", "2023-12-10"),
    )
    result = evaluate(document, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    assert result.counts.adequate_failed_trials == 1
    assert result.status == "not_met"


def test_unknown_drugs_and_implausible_doses_are_warnings_not_silence(catalog: Catalog) -> None:
    document = history(
        trial("sertraline", 5000, "2023-06-05", "2023-09-05"),
        trial("wonderzine", 10, "2023-09-10", "2023-12-10"),
    )
    result = evaluate(document, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    codes = {(w.code, w.pointer) for w in result.warnings}
    assert ("implausible-dose", "/trials/0/daily_dose") in codes
    assert ("unknown-drug", "/trials/1/drug") in codes
    assert result.status == "indeterminate"


def test_results_record_versions_and_validate_against_their_schema(catalog: Catalog) -> None:
    document = history(trial("sertraline", 150, "2023-06-05", "2023-09-05"), id="patient-7")
    result = evaluate(document, "sforzini-2022", as_of=AS_OF, catalog=catalog)
    data = result.to_json()
    assert data["definition"] == "sforzini-2022@2.0.0"
    assert data["catalog_version"] == trdcore.__version__
    assert data["as_of"] == "2026-11-27"
    assert data["history_id"] == "patient-7"
    assert check(data, "evaluation-result") == []
    assert all(t["sources"] for t in data["thresholds"])


# --- properties --------------------------------------------------------------------------------

DRUGS = [
    ("sertraline", 150),
    ("escitalopram", 20),
    ("venlafaxine", 225),
    ("bupropion", 300),
    ("mirtazapine", 30),
    ("citalopram", 10),
    ("wonderzine", 10),
]


@st.composite
def vignettes(draw: st.DrawFn) -> list[dict[str, Any]]:
    trials = []
    for index in range(draw(st.integers(0, 4))):
        drug, dose = draw(st.sampled_from(DRUGS))
        weeks = draw(st.integers(1, 16))
        start = datetime.date(2023, 7, 1) + datetime.timedelta(weeks=index * 17)
        item = trial(
            drug, dose, start.isoformat(), (start + datetime.timedelta(weeks=weeks)).isoformat()
        )
        item["outcome"] = draw(
            st.sampled_from(
                ["non-response", "response", "partial-response", "intolerance", "unknown"]
            )
        )
        item["adherence"] = draw(st.sampled_from(["full", "partial", "unknown"]))
        trials.append(item)
    return trials


DEFINITIONS = [
    "two-trials-gaynes-2020",
    "different-classes",
    "sforzini-2022",
    "canadian-consensus-2021",
    "esketamine-trials",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(vignettes(), st.sampled_from(DEFINITIONS), st.randoms())
def test_trial_order_never_changes_the_result(
    catalog: Catalog, trials: list[dict[str, Any]], definition: str, random: Any
) -> None:
    shuffled = list(trials)
    random.shuffle(shuffled)
    first = evaluate(history(*trials), definition, as_of=AS_OF, catalog=catalog)
    second = evaluate(history(*shuffled), definition, as_of=AS_OF, catalog=catalog)
    assert (first.status, first.counts) == (second.status, second.counts)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(vignettes(), st.sampled_from(DEFINITIONS))
def test_adding_an_adequate_failed_trial_never_turns_met_into_not_met(
    catalog: Catalog, trials: list[dict[str, Any]], definition: str
) -> None:
    before = evaluate(history(*trials), definition, as_of=AS_OF, catalog=catalog).status
    extra = trial("mirtazapine", 45, "2026-01-01", "2026-04-01")
    after = evaluate(history(*trials, extra), definition, as_of=AS_OF, catalog=catalog).status
    if before == "met":
        assert after == "met"
    if before == "indeterminate":
        assert after != "not_met"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(vignettes(), st.sampled_from(DEFINITIONS))
def test_results_are_deterministic(
    catalog: Catalog, trials: list[dict[str, Any]], definition: str
) -> None:
    document = history(*trials)
    assert evaluate(document, definition, as_of=AS_OF, catalog=catalog) == evaluate(
        document, definition, as_of=AS_OF, catalog=catalog
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(documents("treatment-history"), st.sampled_from(DEFINITIONS))
def test_every_valid_history_evaluates_to_a_valid_result(
    catalog: Catalog, document: dict[str, Any], definition: str
) -> None:
    from trdcore.models import TreatmentHistory

    assume(check(document, "treatment-history") == [])
    # Cross-field problems (an end before a start) must not crash the engine either.
    result = evaluate(
        TreatmentHistory.from_json(document), definition, as_of=AS_OF, catalog=catalog
    )
    assert check(result.to_json(), "evaluation-result") == []


@st.composite
def gappy_vignettes(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Trials where any of dose, dates, adherence and outcome may be missing or unknown."""
    trials = draw(vignettes())
    for item in trials:
        for field in ("daily_dose", "adherence", "outcome", "end_date"):
            if draw(st.booleans()):
                item.pop(field, None) if draw(st.booleans()) else item.update({field: "unknown"})
    return trials


def fill(item: dict[str, Any], draw: st.DrawFn, *, favourable: bool | None) -> dict[str, Any]:
    """The trial with every missing or unknown field filled (favourable=None: with any value)."""
    filled = dict(item)
    if filled.get("daily_dose") in (None, "unknown"):
        dose = 1000 if favourable else 1 if favourable is False else draw(st.integers(1, 600))
        filled["daily_dose"] = {"value": dose, "unit": "mg"}
    if filled.get("end_date") in (None, "unknown"):
        weeks = 20 if favourable else 1 if favourable is False else draw(st.integers(1, 20))
        start = datetime.date.fromisoformat(filled["start_date"])
        filled["end_date"] = (start + datetime.timedelta(weeks=weeks)).isoformat()
    if filled.get("adherence") in (None, "unknown"):
        choice = {True: "full", False: "poor"}.get(favourable)  # type: ignore[call-overload]
        filled["adherence"] = choice or draw(st.sampled_from(["full", "partial", "poor"]))
    if filled.get("outcome") in (None, "unknown", "partial-response"):
        choice = {True: "non-response", False: "response"}.get(favourable)  # type: ignore[call-overload]
        filled["outcome"] = choice or draw(
            st.sampled_from(["non-response", "response", "remission", "intolerance"])
        )
    if favourable is not None and filled["drug"]["name"] == "wonderzine":
        filled["drug"] = {"name": "mirtazapine" if favourable else "sertraline"}
    return filled


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(gappy_vignettes(), st.sampled_from(DEFINITIONS), st.data())
def test_filling_in_missing_data_never_flips_a_definite_answer(
    catalog: Catalog, trials: list[dict[str, Any]], definition: str, data: st.DataObject
) -> None:
    """A definite verdict already holds whatever the missing data turns out to be; an
    indeterminate one is resolved once every undecided trial is known."""
    before = evaluate(history(*trials), definition, as_of=AS_OF, catalog=catalog)
    undecided = {t.pointer for t in before.trials if t.counted is None}

    def completed(favourable: bool | None) -> str:
        filled = [
            fill(item, data.draw, favourable=favourable)
            if f"/trials/{index}" in undecided
            else item
            for index, item in enumerate(trials)
        ]
        return status(history(*filled), definition, catalog)

    if before.status != "indeterminate":
        assert completed(None) == before.status
    else:
        assert before.missing, "an indeterminate verdict names the missing data"
        assert completed(True) != "indeterminate"
        assert completed(False) == "not_met"


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(gappy_vignettes(), st.sampled_from(DEFINITIONS))
def test_the_verdict_only_path_agrees_with_the_full_explanation(
    catalog: Catalog, trials: list[dict[str, Any]], definition: str
) -> None:
    evaluator = trdcore.Engine.for_catalog(catalog).evaluator(definition)
    full = evaluator.document(history(*trials), as_of=AS_OF)
    quick = evaluator.verdict(history(*trials), as_of=AS_OF)
    assert quick.status == full["status"]
    assert quick.summary()["counts"] == full["counts"]
    assert list(quick.counted) == [t["counted"] for t in full["trials"]]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(
    documents("treatment-history") | gappy_vignettes().map(lambda trials: history(*trials)),
    st.sampled_from([AS_OF, datetime.date(2020, 1, 1)]),
)
def test_a_model_and_its_document_give_the_same_facts(
    catalog: Catalog, document: dict[str, Any], as_of: datetime.date
) -> None:
    """One normaliser: a model is read through the document it stands for."""
    from trdcore.models import TreatmentHistory
    from trdcore.validation import issues

    assume(issues(document, "treatment-history") == [])
    engine = trdcore.Engine.for_catalog(catalog)
    from_json = engine.facts(document, as_of=as_of)
    from_model = engine.facts(TreatmentHistory.from_json(document), as_of=as_of)
    assert from_json.trials == from_model.trials
    assert from_json.warnings == from_model.warnings
    assert from_json.history_id == from_model.history_id
    assert from_json.episode == from_model.episode


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(gappy_vignettes())
def test_a_summary_of_every_definition_agrees_with_each_definitions_own_verdict(
    catalog: Catalog, trials: list[dict[str, Any]]
) -> None:
    """Criteria shared by the definitions are judged once for all: the verdicts must not move."""
    engine = trdcore.Engine.for_catalog(catalog)
    evaluators = engine.evaluators(DEFINITIONS)
    panel = engine.panel(evaluators)
    facts = engine.facts(history(*trials), as_of=AS_OF)
    summary = panel.document(facts)
    assert summary["results"] == [
        evaluator.verdict(facts, as_of=AS_OF).summary() for evaluator in evaluators
    ]
    # The batch writes the same document as bytes, reusing serialised results.
    line = panel.line(facts, source="batch.ndjson", line=7)
    again = panel.line(facts, source="batch.ndjson", line=7)
    expected = panel.document(facts, source="batch.ndjson", line=7)
    assert line == again == orjson.dumps(expected)


def test_courses_count_only_where_the_definition_counts_them(catalog: Catalog) -> None:
    document = history(
        trial("sertraline", 150, "2023-06-05", "2023-09-05"),
        courses=[
            {
                "kind": "ect",
                "name": "right unilateral ECT",
                "sessions": 9,
                "start_date": "2023-10-01",
                "end_date": "2023-11-01",
                "outcome": "non-response",
            }
        ],
    )
    result = evaluate(document, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    [course] = [t for t in result.trials if t.pointer == "/courses/0"]
    assert course.kind == "ect"
    assert course.counted is False


def test_antidepressants_taken_together_are_reported_as_a_combination(catalog: Catalog) -> None:
    together = history(
        trial("sertraline", 150, "2023-06-05", "2023-10-05"),
        trial("mirtazapine", 30, "2023-07-01", "2023-10-05"),
    )
    switch = history(
        trial("sertraline", 150, "2023-06-05", "2023-09-05"),
        trial("bupropion", 300, "2023-08-29", "2023-12-05"),
    )
    combined = evaluate(together, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    assert [(w.code, w.pointer) for w in combined.warnings] == [("combination", "/trials/1")]
    crossed = evaluate(switch, "two-trials-gaynes-2020", as_of=AS_OF, catalog=catalog)
    assert [w.code for w in crossed.warnings] == []
