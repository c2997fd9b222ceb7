"""OHDSI phenotype 1009 beside a clinical definition: one designed history per difference.

Each case is a row of the table in docs/evaluation/ohdsi-1009.md. The expected verdicts
were worked out by hand from the cohort's published logic (data/omop/NOTES-issue-17.md,
section 1.2: the JSON pointers of data/omop/phenotype-library-1009.json) and from the
parameters of two-trials-gaynes-2020 (2 failed trials of 6 weeks or more at an MGH-ATRQ
minimum dose, taken as prescribed, recorded as non-response, in the current episode), not
from running the code. Exclusions, the required diagnosis and the next-treatment rule are
then held to their edges one by one.
"""

from __future__ import annotations

from typing import Any

import pytest

from trdcore.app import load_catalog
from trdcore.engine import Engine
from trdcore.evaluation import Status
from trdcore.rules.inference import RXNORM, SwitchInference
from trdcore.validation import checked

SNOMED = "http://snomed.info/sct"
MDD = {"codings": [{"system": SNOMED, "code": "370143000"}], "name": "Major depressive disorder"}
BIPOLAR = {"codings": [{"system": SNOMED, "code": "13746004"}], "name": "Bipolar disorder"}
AS_OF = "2021-06-30"
OHDSI, CLINICAL = "ohdsi-phenotype-1009", "two-trials-gaynes-2020"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.for_catalog(load_catalog())


def trial(name: str, start: str, end: str | None, mg: float | None = None, **more: Any) -> dict:
    found: dict[str, Any] = {"drug": {"name": name}, "start_date": start}
    if end is None:
        found["ongoing"] = True
    else:
        found["end_date"] = end
    if mg is not None:
        found["daily_dose"] = {"value": mg, "unit": "mg"}
    return found | more


def failed(name: str, start: str, end: str, mg: float) -> dict:
    """A trial that a clinical definition can count: dose, adherence and outcome recorded."""
    return trial(name, start, end, mg, adherence="full", outcome="non-response")


def history(*trials: dict, conditions: list[dict] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": "treatment-history@1.1.0",
        "episode": {"start_date": "2020-01-01"},
        "trials": list(trials),
    }
    if conditions is not None:
        document["conditions"] = conditions
    return document


def on(day: str, condition: dict) -> dict:
    return condition | {"date": day}


DIAGNOSED = [on("2020-01-02", MDD)]

#: (row of the docs table, history, 1009 status, two-trials-gaynes-2020 status)
CASES = [
    (
        "too-short trials",
        history(
            trial("sertraline", "2020-02-01", "2020-02-22", 100),
            trial("citalopram", "2020-03-01", "2020-03-22", 40),
            trial("bupropion", "2020-04-01", None, 300),
            conditions=DIAGNOSED,
        ),
        "met",
        "not_met",
    ),
    (
        "low doses",
        history(
            failed("sertraline", "2020-02-01", "2020-04-01", 25),
            failed("citalopram", "2020-04-15", "2020-06-15", 10),
            trial("bupropion", "2020-07-01", None),
            conditions=DIAGNOSED,
        ),
        "met",
        "not_met",
    ),
    (
        "one antidepressant, then an antipsychotic",
        history(
            failed("sertraline", "2020-02-01", "2020-05-01", 100),
            trial("aripiprazole", "2020-04-01", None, 5),
            conditions=DIAGNOSED,
        ),
        "met",
        "not_met",
    ),
    (
        "esketamine",
        history(
            trial("sertraline", "2020-02-01", "2020-03-01"),
            trial("citalopram", "2020-03-15", "2020-04-15"),
            trial("esketamine", "2020-05-01", None),
            conditions=DIAGNOSED,
        ),
        "met",
        "not_met",
    ),
    (
        "drugs started together",
        history(
            failed("sertraline", "2020-02-01", "2020-05-01", 100),
            failed("citalopram", "2020-02-01", "2020-05-01", 40),
            conditions=DIAGNOSED,
        ),
        "not_met",
        "met",
    ),
    (
        "exclusions",
        history(
            failed("sertraline", "2020-02-01", "2020-04-01", 100),
            failed("citalopram", "2020-04-15", "2020-06-15", 40),
            trial("bupropion", "2020-07-01", None),
            conditions=[on("2015-03-01", BIPOLAR), *DIAGNOSED],
        ),
        "not_met",
        "met",
    ),
    (
        "diagnosis timing",
        history(
            failed("sertraline", "2020-02-01", "2020-04-01", 100),
            failed("citalopram", "2020-04-15", "2020-06-15", 40),
            trial("bupropion", "2020-07-01", None),
            conditions=[on("2018-01-02", MDD)],
        ),
        "not_met",
        "met",
    ),
    (
        "drugs missing from one list",
        history(
            failed("sertraline", "2020-02-01", "2020-04-01", 100),
            failed("levomilnacipran", "2020-04-15", "2020-06-15", 80),
            trial("bupropion", "2020-07-01", None),
            conditions=DIAGNOSED,
        ),
        "not_met",
        "met",
    ),
]


@pytest.mark.parametrize(("row", "document", "ohdsi", "clinical"), CASES, ids=[c[0] for c in CASES])
def test_each_difference_of_the_docs_table(
    engine: Engine, row: str, document: dict, ohdsi: str, clinical: str
) -> None:
    assert engine.evaluator(OHDSI).verdict(document, as_of=AS_OF).status == ohdsi
    assert engine.evaluator(CLINICAL).verdict(document, as_of=AS_OF).status == clinical


@pytest.mark.parametrize(("row", "document", "ohdsi", "clinical"), CASES, ids=[c[0] for c in CASES])
def test_results_are_valid_and_agree_with_the_verdicts(
    engine: Engine, row: str, document: dict, ohdsi: str, clinical: str
) -> None:
    for name in (OHDSI, CLINICAL):
        evaluator = engine.evaluator(name)
        result = evaluator.document(document, as_of=AS_OF)
        checked(result)
        verdict = evaluator.verdict(document, as_of=AS_OF)
        assert result["status"] == verdict.status
        assert [t["counted"] for t in result["trials"]] == list(verdict.counted)


def test_the_index_is_the_start_that_marks_the_failures(engine: Engine) -> None:
    document = CASES[0][1]
    result = engine.evaluator(OHDSI).document(document, as_of=AS_OF)
    assert result["index"] == {
        "pointer": "/trials/2",
        "date": "2020-04-01",
        "drug_input": "bupropion",
    }
    assert result["inferred"] == ["/trials/0", "/trials/1"]
    assessment = result["trials"][0]
    assert assessment["outcome_inferred"]["method"] == "next-treatment"
    assert assessment["outcome_inferred"]["next_start"] == "2020-04-01"
    assert "inferred" in assessment["reason"]


def test_an_exclusion_names_the_condition_and_its_date(engine: Engine) -> None:
    result = engine.evaluator(OHDSI).document(CASES[5][1], as_of=AS_OF)
    assert result["status"] == "not_met"
    assert result["exclusion"]["code_list"] == "vsac-bipolar-disorder@1.0.0"
    assert result["exclusion"]["date"] == "2015-03-01"
    assert result["exclusion"]["condition"] == "/conditions/0"
    assert "Bipolar disorder recorded on 2015-03-01" in result["explanation"]
    summary = engine.evaluator(OHDSI).verdict(CASES[5][1], as_of=AS_OF)
    assert summary.excluded_by == {
        "code_list": "vsac-bipolar-disorder@1.0.0",
        "condition": "/conditions/0",
        "date": "2015-03-01",
    }


def test_a_condition_after_the_index_does_not_exclude(engine: Engine) -> None:
    document = history(*CASES[5][1]["trials"], conditions=[*DIAGNOSED, on("2020-07-02", BIPOLAR)])
    assert engine.evaluator(OHDSI).verdict(document, as_of=AS_OF).status == "met"


def test_the_diagnosis_window_includes_both_ends(engine: Engine) -> None:
    trials = CASES[5][1]["trials"]  # the index is 2020-07-01
    on_the_edge = history(*trials, conditions=[on("2019-07-02", MDD)])  # 365 days before
    one_day_out = history(*trials, conditions=[on("2019-07-01", MDD)])
    assert engine.evaluator(OHDSI).verdict(on_the_edge, as_of=AS_OF).status == "met"
    assert engine.evaluator(OHDSI).verdict(one_day_out, as_of=AS_OF).status == "not_met"


def test_an_earlier_trial_counts_when_it_ended_365_days_before_the_next_start(
    engine: Engine,
) -> None:
    def case(end: str) -> dict:
        return history(
            trial("sertraline", "2018-01-01", end),
            trial("citalopram", "2019-06-01", "2019-08-01"),
            trial("bupropion", "2019-09-01", None),
            conditions=[on("2019-08-15", MDD)],
        )

    assert engine.evaluator(OHDSI).verdict(case("2018-09-01"), as_of=AS_OF).status == "met"
    assert engine.evaluator(OHDSI).verdict(case("2018-08-31"), as_of=AS_OF).status == "not_met"


def test_without_conditions_on_record_the_phenotype_is_not_met(engine: Engine) -> None:
    document = history(*CASES[0][1]["trials"])
    result = engine.evaluator(OHDSI).document(document, as_of=AS_OF)
    assert result["status"] == "not_met"
    assert "no conditions are recorded" in result["explanation"]


def test_the_trial_drug_list_is_concept_set_16(engine: Engine) -> None:
    """Of the 48 items of concept set 16, 46 have RxNorm codes (agomelatine and oxitriptan do
    not), and 31 of those are drugs of trdcore's catalog: the definition's note says so."""
    catalog = engine.catalog
    listed = catalog.code_list("ohdsi-1009-first-line-antidepressants")
    assert len(listed.codes(RXNORM)) == 46
    in_catalog = [
        entry.id
        for entry in catalog.items("drug")
        if any(
            c.system == RXNORM and listed.contains(RXNORM, c.code)
            for c in entry.model.codings or ()
        )
    ]
    assert len(in_catalog) == 31
    assert "levomilnacipran" not in in_catalog
    assert "esketamine" not in in_catalog


# --- exclusions in a clinical-style definition, and the switch inference -------------------


def with_exclusions(engine: Engine, missing_data: str = "indeterminate") -> Any:
    """two-trials-gaynes-2020 with the three VSAC exclusion lists added (a test definition)."""
    document = engine.catalog.resolve("trd-definition", CLINICAL).model.to_json()
    document["schema"] = "trd-definition@1.2.0"
    document["id"] = "gaynes-with-exclusions"
    document["parameters"]["missing_data"] = missing_data
    document["parameters"]["exclusions"] = {
        "code_lists": ["vsac-bipolar-disorder", "vsac-schizophrenia-or-psychotic-disorder"],
        "sources": ["ohdsi-phenotype-1009"],
        "verification": "unverified",
    }
    from trdcore.catalog import Catalog

    catalog = Catalog.from_documents([*engine.catalog.documents, ("test", document)])
    assert catalog.problems == ()
    return Engine.for_catalog(catalog).evaluator("gaynes-with-exclusions")


def test_exclusions_read_conditions_up_to_the_evaluation_date(engine: Engine) -> None:
    evaluator = with_exclusions(engine)
    trials = CASES[5][1]["trials"]
    assert evaluator.verdict(history(*trials, conditions=[]), as_of=AS_OF).status == "met"
    late = history(*trials, conditions=[on("2021-07-01", BIPOLAR)])
    assert evaluator.verdict(late, as_of=AS_OF).status == "met"
    assert evaluator.verdict(late, as_of="2021-07-01").status == "not_met"


def test_conditions_not_on_record_make_a_met_verdict_indeterminate(engine: Engine) -> None:
    trials = CASES[5][1]["trials"]
    result = with_exclusions(engine).document(history(*trials), as_of=AS_OF)
    assert result["status"] == "indeterminate"
    assert result["missing"][-1]["pointer"] == "/conditions"
    lenient = with_exclusions(engine, "not-counted")
    assert lenient.verdict(history(*trials), as_of=AS_OF).status == "met"


def test_switch_inference_fills_only_outcomes_not_recorded(engine: Engine) -> None:
    document = history(
        trial("sertraline", "2020-02-01", "2020-04-01", 100, adherence="full"),
        trial("citalopram", "2020-05-01", "2020-07-01", 40, adherence="full", outcome="response"),
        trial("bupropion", "2020-07-20", None, 300, adherence="full"),
    )
    facts = engine.facts(document, as_of=AS_OF, inference=SwitchInference(30))
    inferred = [item.inferred for item in facts.trials]
    assert inferred[0] == {
        "method": "switch",
        "within_days": 30,
        "next_start": "2020-05-01",
        "next_drug": "citalopram",
    }
    assert inferred[1] is None  # a recorded outcome is kept
    assert inferred[2] is None  # nothing followed it
    assert facts.trials[1].outcome == "response"
    too_short = engine.facts(document, as_of=AS_OF, inference=SwitchInference(29))
    assert too_short.trials[0].inferred is None


def test_a_restart_of_the_same_drug_is_not_a_switch(engine: Engine) -> None:
    document = history(
        trial("sertraline", "2020-02-01", "2020-04-01", 100),
        trial("sertraline", "2020-04-10", "2020-06-01", 100),
    )
    facts = engine.facts(document, as_of=AS_OF, inference=SwitchInference(90))
    assert [item.inferred for item in facts.trials] == [None, None]


def test_inferred_failures_are_labelled_in_summaries(engine: Engine) -> None:
    document = history(
        trial("sertraline", "2020-02-01", "2020-04-01", 100, adherence="full"),
        trial("citalopram", "2020-04-20", "2020-07-01", 40, adherence="full"),
        trial("bupropion", "2020-07-20", None, 300, adherence="full"),
    )
    panel = engine.panel(engine.evaluators([CLINICAL]))
    facts = engine.facts(document, as_of=AS_OF, inference=SwitchInference(42))
    summary = panel.document(facts)
    checked(summary)
    assert summary["infer_outcomes"] == {"method": "switch", "within_days": 42}
    (result,) = summary["results"]
    assert result["status"] == Status.MET
    assert result["inferred"] == ["/trials/0", "/trials/1"]


def test_a_definition_naming_an_unknown_code_list_is_an_error_naming_it(engine: Engine) -> None:
    from trdcore.catalog import Catalog
    from trdcore.exceptions import PluginError

    document = engine.catalog.resolve("trd-definition", OHDSI).model.to_json()
    document["id"] = "broken-1009"
    document["parameters"]["exclusions"]["code_lists"] = ["vsac-bipolar-disorders"]
    catalog = Catalog.from_documents([*engine.catalog.documents, ("my-plugin", document)])
    with pytest.raises(PluginError) as raised:
        Engine.for_catalog(catalog).evaluator("broken-1009")
    message = str(raised.value)
    assert "definition broken-1009@1.0.0 /parameters/exclusions/code_lists/0" in message
    assert "no code list 'vsac-bipolar-disorders'" in message
    assert "vsac-bipolar-disorder," in message
    assert raised.value.plugin == "my-plugin"


def test_staging_names_the_failures_that_were_inferred(engine: Engine) -> None:
    from trdcore.app import stage_all

    document = history(
        trial("sertraline", "2020-02-01", "2020-04-01", 100, adherence="full"),
        trial("citalopram", "2020-04-20", "2020-07-01", 40, adherence="full"),
        failed("bupropion", "2020-07-20", "2020-10-20", 300),
    )
    facts = engine.facts(document, as_of=AS_OF, inference=SwitchInference(42))
    stages = {
        stage["model"].split("@")[0]: stage
        for stage in stage_all(facts, as_of=AS_OF, engine=engine)
    }
    detail = stages["european-staging"]["points"][0]["detail"]
    assert "citalopram (/trials/1, SSRI, failure inferred from the next treatment)" in detail
    assert "bupropion (/trials/2, atypical/other)," in detail


def test_an_inferred_outcome_is_listed_even_when_the_trial_cannot_count(engine: Engine) -> None:
    """Adherence is not recorded, so the clinical definition cannot count either trial; the
    summary still says which outcomes were inferred."""
    document = history(
        trial("sertraline", "2020-02-01", "2020-04-01", 100),
        trial("citalopram", "2020-04-20", "2020-07-01", 40),
    )
    facts = engine.facts(document, as_of=AS_OF, inference=SwitchInference(42))
    verdict = engine.evaluator(CLINICAL).verdict(facts, as_of=facts.as_of)
    assert verdict.counted == (None, None)
    assert verdict.inferred == ("/trials/0",)


def test_an_inferred_outcome_that_is_not_a_non_response_is_refused() -> None:
    from trdcore.validation import issues

    label = {"method": "switch", "within_days": 30, "next_start": "2020-05-01"}
    document = history(trial("sertraline", "2020-02-01", "2020-04-01", outcome_inferred=label))
    found = issues(document)
    assert [(issue.pointer, issue.keyword) for issue in found] == [
        ("/trials/0/outcome", "inferred-outcome")
    ]
    document["trials"][0]["outcome"] = "non-response"
    assert issues(document) == []
