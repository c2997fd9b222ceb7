"""Every built-in definition checks the dose and counts only the current episode's trials.

The expected answers are worked out by hand from each definition's parameters and the drug
catalog: the MGH-ATRQ minimum daily doses (sertraline 50 mg, venlafaxine 150 mg; scheme
mgh-atrq, from the study-specific form mgh-atrq-comp006-form, provisional) and each
definition's minimum weeks (4 for canadian-consensus-2021 and sforzini-2022, 6 for the others).
In every vignette the episode began on 2024-01-01 and the history is evaluated on 2024-12-01.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trdcore import evaluate, evaluate_all, stage
from trdcore.catalog import Catalog
from trdcore.cli import build_cli
from trdcore.engine import Engine
from trdcore.exceptions import UnknownTargetError
from trdcore.testing import catalog_with

AS_OF = datetime.date(2024, 12, 1)
EPISODE_START = "2024-01-01"

#: Where each definition's dose and episode rules come from (its own parameters' sources and
#: notes). For the four whose source names no dose table, the dose scheme is trdcore's choice.
RULES = {
    "canadian-consensus-2021": "Table 3 of canadian-trd-consensus-2021: two 'adequately dosed' "
    "trials of 4-6 weeks; no dose table, so the MGH-ATRQ minimums (trdcore's choice); episode "
    "not stated (trdcore: current episode)",
    "different-classes": "jaffe-2019: two classes 'at an adequate dose' for long enough; no dose "
    "table (MGH-ATRQ, trdcore's choice); 'consecutive treatment' read as the current episode",
    "esketamine-trials": "esketamine-phase3-nct03434041 Table 1 footnote c: failures from the "
    "MGH-ATRQ (chandler-2010) in the current episode, at least 6 weeks each",
    "sforzini-2022": "sforzini-2022 Table 1 #3: two failed treatments 'with adequate dosing and "
    "duration' (4 weeks); no dose table (MGH-ATRQ, trdcore's choice); episode not in the part read",
    "two-trials-gaynes-2020": "gaynes-2020 abstract: two failures with confirmed adequate dose "
    "and duration; no agreed dose table (MGH-ATRQ, trdcore's choice) or episode rule",
}
DEFINITIONS = sorted(RULES)


def run_cli(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(build_cli(load_entry_points=False), list(args))
    return outcome.exit_code, outcome.output


def trial(drug: str, dose: Any, start: str, end: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "drug": {"name": drug},
        "start_date": start,
        "end_date": end,
        "adherence": "full",
        "outcome": "non-response",
    }
    if dose is not None:
        item["daily_dose"] = dose if dose == "unknown" else {"value": dose, "unit": "mg"}
    return item


def history(*trials: dict[str, Any], start: str = EPISODE_START) -> dict[str, Any]:
    return {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": start},
        "trials": list(trials),
    }


#: Two failed trials of two classes (SSRI, SNRI), 13 weeks each, well above both minimums.
SERTRALINE = trial("sertraline", 100, "2024-01-15", "2024-04-15")
VENLAFAXINE = trial("venlafaxine", 225, "2024-05-01", "2024-08-01")


def result(document: dict[str, Any], definition: str, catalog: Catalog, **options: Any) -> Any:
    return evaluate(document, definition, as_of=AS_OF, catalog=catalog, **options)


def assessment(found: Any, pointer: str) -> Any:
    return next(item for item in found.trials if item.pointer == pointer)


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_two_adequate_failed_trials_meet_every_definition(
    definition: str, catalog: Catalog
) -> None:
    found = result(history(SERTRALINE, VENLAFAXINE), definition, catalog)
    assert found.status == "met", RULES[definition]
    assert found.explanation.startswith("2 adequate failed trials")
    assert assessment(found, "/trials/0").reason == (
        "an adequate failed trial (dose and duration checked)"
    )


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_a_dose_below_the_schemes_minimum_is_not_counted(definition: str, catalog: Catalog) -> None:
    """Venlafaxine 75 mg/day for 13 weeks: below the MGH-ATRQ minimum of 150 mg/day (the ATRQ
    authors' worked example also rates 75 mg/day too low: current-psychiatry-2012-atrq)."""
    low = trial("venlafaxine", 75, "2024-05-01", "2024-08-01")
    found = result(history(SERTRALINE, low), definition, catalog)
    assert found.status == "not_met", RULES[definition]
    reason = assessment(found, "/trials/1").reason
    assert "75 mg/day is below the mgh-atrq minimum of 150" in reason


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_an_unknown_dose_that_decides_makes_the_verdict_indeterminate(
    definition: str, catalog: Catalog
) -> None:
    unknown = trial("venlafaxine", "unknown", "2024-05-01", "2024-08-01")
    found = result(history(SERTRALINE, unknown), definition, catalog)
    assert found.status == "indeterminate", RULES[definition]
    assert assessment(found, "/trials/1").counted is None
    assert [item.pointer for item in found.missing] == ["/trials/1"]
    assert "dose" in found.missing[0].what
    # No dose recorded at all is the same: the dose cannot be judged.
    absent = trial("venlafaxine", None, "2024-05-01", "2024-08-01")
    assert result(history(SERTRALINE, absent), definition, catalog).status == "indeterminate"


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_an_unknown_dose_that_does_not_decide_leaves_the_verdict(
    definition: str, catalog: Catalog
) -> None:
    extra = trial("mirtazapine", "unknown", "2024-08-15", "2024-11-15")
    found = result(history(SERTRALINE, VENLAFAXINE, extra), definition, catalog)
    assert found.status == "met", RULES[definition]
    assert assessment(found, "/trials/2").counted is None


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_a_trial_that_ended_before_the_episode_is_not_counted(
    definition: str, catalog: Catalog
) -> None:
    """A sertraline trial of 2019, years before the episode that began on 2024-01-01."""
    old = trial("sertraline", 100, "2019-01-10", "2019-06-30")
    found = result(history(old, VENLAFAXINE), definition, catalog)
    assert found.status == "not_met", RULES[definition]
    reason = assessment(found, "/trials/0").reason
    assert reason == "not counted: it ended on 2019-06-30, before the episode began on 2024-01-01"


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_a_trial_straddling_the_episode_start_counts_its_weeks_inside(
    definition: str, catalog: Catalog
) -> None:
    """2023-10-01 to 2024-03-31: 26 weeks in all, 12.9 (90 days) inside the episode, enough
    for every definition; 2023-10-01 to 2024-01-22: 16.1 weeks in all, 3.0 inside, too short
    for all."""
    long_inside = trial("sertraline", 100, "2023-10-01", "2024-03-31")
    found = result(history(long_inside, VENLAFAXINE), definition, catalog)
    assert found.status == "met", RULES[definition]
    criteria = {c.criterion: c for c in assessment(found, "/trials/0").criteria}
    assert criteria["duration"].detail.startswith("12.9 weeks from 2024-01-01 (of 26.0 in all)")
    assert "began before the episode began on 2024-01-01" in criteria["episode"].detail
    short_inside = trial("sertraline", 100, "2023-10-01", "2024-01-22")
    found = result(history(short_inside, VENLAFAXINE), definition, catalog)
    assert found.status == "not_met", RULES[definition]
    assert "3.0 weeks from 2024-01-01 (of 16.1 in all) is shorter than" in (
        assessment(found, "/trials/0").reason
    )


def test_another_dose_scheme_can_be_chosen_without_a_new_definition(
    catalog: Catalog, engine: Engine
) -> None:
    default = engine.evaluator("canadian-consensus-2021")
    chosen = engine.evaluator("canadian-consensus-2021", dose_scheme="mgh-atrq")
    assert default.dose_scheme is None
    assert chosen.dose_scheme == "mgh-atrq"
    document = result(history(SERTRALINE, VENLAFAXINE), "canadian-consensus-2021", catalog)
    first = document.thresholds[0]
    assert (first.parameter, first.value) == ("dose scheme", "mgh-atrq@1.0.0")
    picked = result(
        history(SERTRALINE, VENLAFAXINE), "canadian-consensus-2021", catalog, dose_scheme="mgh-atrq"
    )
    assert picked.thresholds[0].parameter == "dose scheme (chosen in place of the definition's)"
    with pytest.raises(UnknownTargetError, match="did you mean 'mgh-atrq'"):
        engine.evaluator("canadian-consensus-2021", dose_scheme="mgh-atrc")


def test_the_cli_names_the_chosen_scheme_in_every_summary_line(tmp_path: Any) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history(SERTRALINE, VENLAFAXINE)))
    code, output = run_cli(
        "evaluate", str(path), "--as-of", "2024-12-01", "--format", "ndjson",
        "--dose-scheme", "mgh-atrq",
    )  # fmt: skip
    assert code == 0
    line = json.loads(output)
    assert line["schema"] == "evaluation-summary@1.2.0"
    assert line["dose_scheme"] == "mgh-atrq@1.0.0"
    code, output = run_cli("evaluate", str(path), "--dose-scheme", "no-such-scheme")
    assert code == 2
    assert "unknown dose scheme 'no-such-scheme'" in output


def test_validate_warns_about_a_trial_before_the_episode_and_still_passes(tmp_path: Any) -> None:
    path = tmp_path / "history.json"
    old = trial("sertraline", 100, "2019-01-10", "2019-06-30")
    path.write_text(json.dumps(history(old, VENLAFAXINE)))
    code, output = run_cli("validate", str(path))
    assert code == 0
    assert "/trials/0/end_date: ended on 2019-06-30, before the episode began on 2024-01-01" in (
        output
    )
    assert "[before-episode]" in output


def test_a_definition_without_a_dose_scheme_never_calls_a_trial_adequate(
    catalog: Catalog,
) -> None:
    """A definition that leaves the dose to the clinician says so instead of 'adequate'."""
    entry = catalog.resolve("trd-definition", "two-trials-gaynes-2020")
    document = json.loads(json.dumps(entry.model.to_json()))
    document["id"] = "clinician-dosed"
    document["schema"] = "trd-definition@1.1.0"
    document["parameters"]["adequate_dose"] = {
        "method": "clinician-judgment",
        "sources": ["gaynes-2020"],
        "verification": "unverified",
    }
    extended = catalog_with(document)
    found = evaluate(history(SERTRALINE, VENLAFAXINE), "clinician-dosed", as_of=AS_OF,
                     catalog=extended)  # fmt: skip
    assert found.explanation.startswith("2 failed trials (dose not checked)")
    assert "adequate" not in found.explanation
    assert assessment(found, "/trials/0").reason == (
        "a failed trial of sufficient duration (dose not checked)"
    )


# --- properties --------------------------------------------------------------------------------


@st.composite
def dated_trials(draw: st.DrawFn) -> dict[str, Any]:
    drug = draw(st.sampled_from(["sertraline", "venlafaxine", "bupropion", "mirtazapine"]))
    start = datetime.date(2024, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 200)))
    end = start + datetime.timedelta(days=draw(st.integers(1, 150)))
    dose = draw(st.sampled_from([None, "unknown", 15, 75, 150, 300]))
    return trial(drug, dose, start.isoformat(), end.isoformat())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trials=st.lists(dated_trials(), min_size=1, max_size=5), data=st.data())
def test_a_non_deciding_trials_dose_becoming_unknown_never_changes_the_verdict(
    trials: list[dict[str, Any]], data: st.DataObject, engine: Engine
) -> None:
    """A trial does not decide when the verdict is the same without it and with it at a dose
    above every minimum (600 mg/day); then making its dose unknown changes nothing."""
    index = data.draw(st.integers(0, len(trials) - 1))
    without = history(*trials[:index], *trials[index + 1 :])
    high = history(*trials[:index], {**trials[index], "daily_dose": {"value": 600, "unit": "mg"}},
                   *trials[index + 1 :])  # fmt: skip
    unknown = history(*trials[:index], {**trials[index], "daily_dose": "unknown"},
                      *trials[index + 1 :])  # fmt: skip
    for definition in DEFINITIONS:
        evaluator = engine.evaluator(definition)
        status = evaluator.verdict(without, as_of=AS_OF).status
        if evaluator.verdict(high, as_of=AS_OF).status == status:
            assert evaluator.verdict(unknown, as_of=AS_OF).status == status, definition


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trials=st.lists(dated_trials(), max_size=4), old=dated_trials(), years=st.integers(1, 10))
def test_a_trial_that_ended_before_the_episode_never_changes_a_current_episode_verdict(
    trials: list[dict[str, Any]], old: dict[str, Any], years: int, engine: Engine
) -> None:
    # Moved back by at least two years: it ends before the episode began on 2024-01-01.
    shift = datetime.timedelta(days=366 * (years + 1))
    start = datetime.date.fromisoformat(old["start_date"]) - shift
    end = datetime.date.fromisoformat(old["end_date"]) - shift
    moved = {**old, "start_date": start.isoformat(), "end_date": end.isoformat()}
    for definition in DEFINITIONS:
        evaluator = engine.evaluator(definition)
        before = evaluator.verdict(history(*trials), as_of=AS_OF)
        after = evaluator.verdict(history(*trials, moved), as_of=AS_OF)
        assert after[1:4] == before[1:4], definition
        assert after.counted[-1] is False


def test_every_built_in_definition_names_its_dose_scheme_and_episode_rule(
    catalog: Catalog,
) -> None:
    for entry in catalog.active("trd-definition"):
        parameters = entry.model.parameters
        assert parameters.adequate_dose.method == "dose-scheme", entry.ref
        assert catalog.get("dose-scheme", parameters.adequate_dose.scheme) is not None, entry.ref
        assert parameters.episode_scope.value == "current-episode", entry.ref
    results = evaluate_all(history(SERTRALINE, VENLAFAXINE), as_of=AS_OF, catalog=catalog)
    assert {str(item.status) for item in results.results} == {"met"}


def test_a_look_back_window_counts_only_the_trials_inside_it(catalog: Catalog) -> None:
    """lookback-days 365 evaluated on 2024-12-01: the window began on 2023-12-02, so a trial
    that ended in June 2023 is not counted even though the episode began in 2022."""
    entry = catalog.resolve("trd-definition", "two-trials-gaynes-2020")
    document = json.loads(json.dumps(entry.model.to_json()))
    document.update(id="claims-year", schema="trd-definition@1.1.0")
    document["parameters"]["episode_scope"] = {
        "value": "lookback-days",
        "days": 365,
        "sources": ["gaynes-2020"],
        "verification": "unverified",
    }
    extended = catalog_with(document)
    old = trial("sertraline", 100, "2023-01-10", "2023-06-30")
    found = evaluate(
        history(old, VENLAFAXINE, start="2022-05-01"), "claims-year", as_of=AS_OF, catalog=extended
    )
    assert found.status == "not_met"
    assert assessment(found, "/trials/0").reason == (
        "not counted: it ended on 2023-06-30, before the 365-day look-back window began on "
        "2023-12-02"
    )
    in_episode = evaluate(
        history(old, VENLAFAXINE, start="2022-05-01"),
        "two-trials-gaynes-2020",
        as_of=AS_OF,
        catalog=extended,
    )
    assert in_episode.status == "met"  # the current episode began in 2022


def test_the_european_staging_model_adds_up_only_the_weeks_inside_the_episode(
    catalog: Catalog,
) -> None:
    """Staging uses its adequacy definition's episode rule: sertraline from 2023-10-01 to
    2024-03-31 adds its 12.9 weeks inside the episode (90 days), not its 26.0 weeks in all;
    with venlafaxine's 13.1 weeks (92 days) that is 26.0 weeks of resistance."""
    straddling = trial("sertraline", 100, "2023-10-01", "2024-03-31")
    result = stage(
        history(straddling, VENLAFAXINE), "european-staging", as_of=AS_OF, catalog=catalog
    )
    weeks = next(p for p in result["points"] if p["dimension"] == "resistance-weeks")
    assert weeks["points"] == round(90 / 7 + 92 / 7, 1)
    old = trial("sertraline", 100, "2019-01-10", "2019-06-30")
    before = stage(history(old, VENLAFAXINE), "european-staging", as_of=AS_OF, catalog=catalog)
    assert "resistance-weeks" not in {p["dimension"] for p in before["points"]}


def test_every_minimum_dose_names_a_dose_scheme_of_the_catalog(catalog: Catalog) -> None:
    schemes = {entry.id for entry in catalog.items("dose-scheme")}
    assert {"mgh-atrq", "us-label-minimum"} <= schemes
    for entry in catalog.items("drug"):
        for minimum in entry.model.adequate_doses or ():
            assert minimum.scheme in schemes, (entry.ref, minimum.scheme)
