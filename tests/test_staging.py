"""Staging models computed from a treatment history: vignettes with the stage and points each
model's source gives (the catalog sources hagg-2020 Panel 1, fekadu-2018 Table 3 and the
secondary summaries medalg-souery-crd and medalg-thase-rush), indeterminate cases, and
properties that must hold for every history."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trdcore
from trdcore import stage, stage_all
from trdcore.catalog import Catalog
from trdcore.exceptions import UnknownTargetError
from trdcore.rules import staging
from trdcore.rules.staging import NO_RESISTANCE
from trdcore.schemas import check

AS_OF = datetime.date(2026, 11, 27)
MODELS = ("thase-rush", "european-staging", "mgh-s", "maudsley")


def trial(drug: str, dose: float | None, weeks: float = 8, **extra: Any) -> dict[str, Any]:
    """An adequate-looking failed trial: full adherence, no response, ``weeks`` long."""
    item: dict[str, Any] = {
        "drug": {"name": drug},
        "duration": {"value": weeks, "unit": "week"},
        "adherence": "full",
        "outcome": "non-response",
    }
    if dose is not None:
        item["daily_dose"] = {"value": dose, "unit": "mg"}
    item.update(extra)
    return item


def ect(name: str | None = "bilateral ECT", **extra: Any) -> dict[str, Any]:
    course: dict[str, Any] = {"kind": "ect", "outcome": "non-response", **extra}
    if name is not None:
        course["name"] = name
    return course


def history(
    *trials: dict[str, Any],
    courses: list[dict[str, Any]] | None = None,
    start: str = "2023-06-01",
    severity: str | None = "moderate",
) -> Any:
    episode: dict[str, Any] = {"start_date": start}
    if severity is not None:
        episode["severity"] = severity
    document: dict[str, Any] = {"episode": episode, "trials": list(trials)}
    if courses:
        document["courses"] = courses
    return trdcore.validate(document, "treatment-history")


def points(result: dict[str, Any]) -> dict[str, float]:
    """Total points per dimension."""
    totals: dict[str, float] = {}
    for point in result.get("points", []):
        totals[point["dimension"]] = totals.get(point["dimension"], 0) + point["points"]
    return totals


SSRI = trial("sertraline", 150)
SSRI_2 = trial("escitalopram", 20)
SNRI = trial("venlafaxine", 225)
TCA = trial("nortriptyline", 100)
TCA_2 = trial("amitriptyline", 150)
MAOI = trial("phenelzine", 60)


# --- Thase-Rush (medalg-thase-rush, a secondary summary citing Fava 2003, p. 650) --------------


def test_thase_rush_without_a_failed_trial_is_stage_0(catalog: Catalog) -> None:
    """Row 0: stage 0 is no resistance; trdcore also gives it when no trial failed."""
    result = stage(history(), "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["stage"] == "0"
    assert set(points(result).values()) == {0}


def test_thase_rush_two_ssris_are_stage_i(catalog: Catalog) -> None:
    """Stages I-II: a second failure in the same class does not reach stage II."""
    result = stage(history(SSRI, SSRI_2), "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["stage"] == "I"
    assert points(result) == {
        "one-class": 1,
        "different-class": 0,
        "tca": 0,
        "maoi": 0,
        "bilateral-ect": 0,
    }


def test_thase_rush_a_different_class_is_stage_ii(catalog: Catalog) -> None:
    """Stage II: stage I plus a failure in a totally different class (SSRI then SNRI)."""
    result = stage(history(SSRI, SNRI), "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["stage"] == "II"


def test_thase_rush_each_stage_adds_a_further_trial(catalog: Catalog) -> None:
    """Stage III, read literally, is stage II *plus* a TCA, so an SSRI and a TCA
    (the TCA being the different class) are stage II; a second TCA reaches III."""
    assert stage(history(SSRI, TCA), "thase-rush", as_of=AS_OF, catalog=catalog)["stage"] == "II"
    result = stage(history(SSRI, TCA, TCA_2), "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["stage"] == "III"


@pytest.mark.parametrize(
    ("trials", "courses", "expected"),
    [
        ((SSRI, SNRI, TCA), [], "III"),
        ((SSRI, SNRI, TCA, MAOI), [], "IV"),
        ((SSRI, SNRI, TCA, MAOI), [ect()], "V"),
        ((SSRI, SNRI, TCA, MAOI), [ect("right unilateral ECT")], "IV"),
        ((SSRI, SNRI, TCA, MAOI), [ect(outcome="response")], "IV"),
        ((SSRI, SNRI), [ect()], "II"),
    ],
)
def test_thase_rush_vignettes(
    catalog: Catalog,
    trials: tuple[dict[str, Any], ...],
    courses: list[dict[str, Any]],
    expected: str,
) -> None:
    """Stages III-V: TCA, then MAOI, then a failed course of bilateral ECT, each on top of the
    stage before."""
    result = stage(history(*trials, courses=courses), "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["stage"] == expected
    assert sum(points(result).values()) == ["0", "I", "II", "III", "IV", "V"].index(expected)


def test_thase_rush_ect_of_unrecorded_placement_is_indeterminate_at_stage_iv(
    catalog: Catalog,
) -> None:
    """Stage V needs *bilateral* ECT; a history does not record placement unless named."""
    document = history(SSRI, SNRI, TCA, MAOI, courses=[ect(name=None)])
    result = stage(document, "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "indeterminate"
    assert "stage" not in result
    assert any("bilateral" in sentence for sentence in result["missing"])
    assert points(result)["maoi"] == 1


def test_thase_rush_an_unknown_drug_could_be_the_tca(catalog: Catalog) -> None:
    """A drug trdcore does not know may be of any class, so it could reach stage III."""
    document = history(SSRI, SNRI, trial("drug-x", 100))
    result = stage(document, "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "indeterminate"
    assert any("drug-x" in sentence for sentence in result["missing"])


def test_thase_rush_an_undecided_trial_that_cannot_change_the_stage_is_ignored(
    catalog: Catalog,
) -> None:
    """A second SSRI of unknown adherence cannot move an SSRI failure beyond stage I."""
    document = history(SSRI, trial("escitalopram", 20, adherence="unknown"))
    result = stage(document, "thase-rush", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["stage"] == "I"


# --- European Staging Model (Souery et al. 1999 per medalg-souery-crd; hagg-2020 Panel 1) ------


@pytest.mark.parametrize(
    ("trials", "expected", "weeks"),
    [
        ((), NO_RESISTANCE, None),
        ((SSRI,), "Non-responder", None),
        ((trial("sertraline", 150, 8), trial("venlafaxine", 225, 8)), "TRD1", 16),
        ((trial("sertraline", 150, 10), trial("venlafaxine", 225, 10)), "TRD2", 20),
        ((trial("sertraline", 150, 14), trial("venlafaxine", 225, 14)), "TRD3", 28),
        ((trial("sertraline", 150, 20), trial("venlafaxine", 225, 20)), "TRD5", 40),
        ((trial("sertraline", 150, 30), trial("venlafaxine", 225, 30)), "Chronic", 60),
    ],
)
def test_european_vignettes(
    catalog: Catalog, trials: tuple[dict[str, Any], ...], expected: str, weeks: float | None
) -> None:
    """Souery et al. 1999 (medalg-souery-crd) and Hägg 2020 Panel 1: one failure is a
    non-responder; two or more are TRD, sub-staged by the total weeks of failed trials; 12 months
    or more is chronic resistant depression."""
    result = stage(history(*trials), "european-staging", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["stage"].startswith(expected)
    assert points(result).get("resistance-weeks") == weeks
    assert points(result)["failed-trials"] == len(trials)


@pytest.mark.parametrize(
    ("each", "expected", "mark"),
    [
        (12, "TRD3", "overlap"),  # 24 weeks: TRD2 ends where TRD3 begins
        (8.5, "TRD1", "no published range"),  # 17 weeks: the 16-18 gap
        (15.5, "TRD4", "overlap"),  # 31 weeks: TRD3 24-32 and TRD4 30-40
    ],
)
def test_european_boundaries_are_resolved_and_marked(
    catalog: Catalog, each: float, expected: str, mark: str
) -> None:
    """Hägg 2020 Panel 1's TRD1-TRD5 ranges overlap and leave a gap; trdcore takes the highest
    sub-stage already begun and says so in the detail."""
    document = history(trial("sertraline", 150, each), trial("venlafaxine", 225, each))
    result = stage(document, "european-staging", as_of=AS_OF, catalog=catalog)
    assert result["stage"] == expected
    detail = next(p["detail"] for p in result["points"] if p["dimension"] == "resistance-weeks")
    assert mark in detail
    assert "[trdcore rule]" in detail


def test_european_a_failed_ect_course_counts_as_a_trial(catalog: Catalog) -> None:
    """Souery et al. (per medalg-souery-crd) list ECT among the trials; a course without dates
    leaves the weeks open."""
    dated = ect(start_date="2024-01-01", end_date="2024-02-26")
    result = stage(history(SSRI, courses=[dated]), "european-staging", as_of=AS_OF, catalog=catalog)
    assert result["stage"] == "TRD1"
    undated = stage(
        history(SSRI, courses=[ect()]), "european-staging", as_of=AS_OF, catalog=catalog
    )
    assert undated["status"] == "indeterminate"
    assert any("/courses/0" in sentence for sentence in undated["missing"])


def test_european_under_12_weeks_is_trd1_when_the_adequacy_rule_allows_short_trials(
    catalog: Catalog,
) -> None:
    """The Canadian consensus (4 weeks) lets two 5-week trials at adequate doses count."""
    document = history(trial("sertraline", 100, 5), trial("venlafaxine", 150, 5))
    result = stage(
        document,
        "european-staging",
        as_of=AS_OF,
        catalog=catalog,
        adequacy="canadian-consensus-2021",
    )
    assert result["stage"] == "TRD1"
    assert "under TRD1" in result["points"][1]["detail"]
    default = stage(document, "european-staging", as_of=AS_OF, catalog=catalog)
    assert default["stage"] == NO_RESISTANCE


# --- MGH-S (Fava 2003, as tabulated in hagg-2020 Panel 1) --------------------------------------


def test_mgh_s_sums_trials_augmentation_and_ect(catalog: Catalog) -> None:
    """Hägg 2020 Panel 1: 1 per failed trial, 0.5 per augmented trial, 3 for ECT."""
    augmented = trial("sertraline", 150, augmentation=[{"drug": {"name": "lithium"}}])
    result = stage(history(augmented, SNRI, courses=[ect()]), "mgh-s", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["score"] == 5.5
    assert "stage" not in result  # no bands are published (none in Hägg 2020 Panel 1)
    assert points(result) == {
        "failed-antidepressant-trials": 2,
        "augmentation": 0.5,
        "dose-optimisation": 0,
        "ect": 3,
    }


def test_mgh_s_augmentation_of_a_trial_that_does_not_count_adds_nothing(catalog: Catalog) -> None:
    short = trial("sertraline", 150, 3, augmentation=[{"drug": {"name": "lithium"}}])
    result = stage(history(short, SNRI), "mgh-s", as_of=AS_OF, catalog=catalog)
    assert result["score"] == 1


def test_mgh_s_an_undecided_trial_leaves_the_score_open(catalog: Catalog) -> None:
    document = history(SSRI, trial("venlafaxine", None))
    result = stage(document, "mgh-s", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "indeterminate"
    assert result["missing"] == ["/trials/1 (venlafaxine): dose: the daily dose is not recorded"]
    assert points(result)["failed-antidepressant-trials"] == 1


# --- Maudsley (fekadu-2018 Table 3; treatment-failure points hagg-2020 Panel 1) ----------------


def test_maudsley_severe_vignette(catalog: Catalog) -> None:
    """Fekadu 2018 Table 3 and Hägg 2020 Panel 1: chronic episode 3 + severe without psychosis 4
    + 4 failed medications 2 + augmentation 1 + ECT 1 = 11, severe (Table 3 bands)."""
    augmented = trial("sertraline", 150, augmentation=[{"drug": {"name": "lithium"}}])
    document = history(
        augmented,
        SNRI,
        TCA,
        MAOI,
        courses=[ect()],
        start="2023-06-01",
        severity="severe-without-psychotic-features",
    )
    result = stage(document, "maudsley", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert (result["score"], result["stage"]) == (11, "Severe")
    assert [p["dimension"] for p in result["points"]] == [
        "episode-duration",
        "symptom-severity",
        "failed-antidepressants",
        "augmentation",
        "ect",
    ]
    assert [p["points"] for p in result["points"]] == [3, 4, 2, 1, 1]


def test_maudsley_mild_vignette(catalog: Catalog) -> None:
    """Acute 1 + moderate 3 + one failed medication 1 = 5, mild (Fekadu 2018 Table 3; the
    medication point from Hägg 2020 Panel 1)."""
    document = history(SSRI, start="2026-03-01", severity="moderate")
    result = stage(document, "maudsley", as_of=AS_OF, catalog=catalog)
    assert (result["score"], result["stage"]) == (5, "Mild")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-11-27", 1),  # exactly 12 months: acute
        ("2025-11-26", 2),  # a day more: sub-acute
        ("2024-11-27", 2),  # exactly 24 months
        ("2024-11-26", 3),  # chronic
    ],
)
def test_maudsley_episode_duration_boundaries(catalog: Catalog, start: str, expected: int) -> None:
    """Fekadu 2018 Table 3: acute up to 12 months, sub-acute to 24, chronic beyond."""
    result = stage(history(SSRI, start=start), "maudsley", as_of=AS_OF, catalog=catalog)
    assert points(result)["episode-duration"] == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5)],
)
def test_maudsley_failed_medication_bands(catalog: Catalog, count: int, expected: int) -> None:
    """Hägg 2020 Panel 1: 1-2, 3-4, 5-6, 7-10 and more than 10 failed medications."""
    drugs = [
        "sertraline",
        "fluoxetine",
        "paroxetine",
        "citalopram",
        "escitalopram",
        "fluvoxamine",
        "venlafaxine",
        "duloxetine",
        "mirtazapine",
        "bupropion",
        "nortriptyline",
    ][:count]
    document = history(*(trial(drug, 1000) for drug in drugs))
    result = stage(document, "maudsley", as_of=AS_OF, catalog=catalog)
    assert points(result)["failed-antidepressants"] == expected


@pytest.mark.parametrize(
    ("start", "severity", "named"),
    [
        ("2023-06-01", None, "/episode/severity"),
        ("2023-06-01", "unknown", "/episode/severity"),
        ("unknown", "moderate", "/episode/start_date"),
    ],
)
def test_maudsley_without_duration_or_severity_is_indeterminate(
    catalog: Catalog, start: str, severity: str | None, named: str
) -> None:
    result = stage(
        history(SSRI, start=start, severity=severity), "maudsley", as_of=AS_OF, catalog=catalog
    )
    assert result["status"] == "indeterminate"
    assert "score" not in result
    assert [sentence.split(":")[0] for sentence in result["missing"]] == [named]
    assert points(result)["failed-antidepressants"] == 1


def test_maudsley_without_a_failed_medication_is_no_resistance(catalog: Catalog) -> None:
    """Fekadu 2018 Table 3: the minimum total of 3 implies at least one failed treatment."""
    result = stage(history(severity=None), "maudsley", as_of=AS_OF, catalog=catalog)
    assert result["status"] == "staged"
    assert result["stage"] == NO_RESISTANCE
    assert "score" not in result


# --- API --------------------------------------------------------------------------------------


def test_stage_all_runs_every_model_and_each_result_fits_the_schema(catalog: Catalog) -> None:
    document = history(SSRI, SNRI, trial("bupropion", None), courses=[ect(name=None)])
    results = stage_all(document, as_of=AS_OF, catalog=catalog)
    assert sorted(result["model"] for result in results) == sorted(f"{m}@1.0.0" for m in MODELS)
    evaluation = {
        "definition": "esketamine-trials@2.0.0",
        "catalog_version": trdcore.__version__,
        "as_of": AS_OF.isoformat(),
        "status": "indeterminate",
        "trials": [],
        "counts": {"adequate_failed_trials": 0, "distinct_classes": 0},
        "missing": [],
        "warnings": [],
        "engine": {"name": "trdcore", "version": trdcore.__version__},
        "stages": results,
    }
    assert check(evaluation, "evaluation-result@1.2.0") == []
    for result in results:
        assert (result["status"] == "indeterminate") == bool(result.get("missing"))


def test_a_model_can_be_named_with_its_version(catalog: Catalog) -> None:
    result = stage(history(SSRI), "maudsley@1.0.0", as_of=AS_OF, catalog=catalog)
    assert result["model"] == "maudsley@1.0.0"


def test_an_unknown_model_or_adequacy_definition_is_refused(catalog: Catalog) -> None:
    with pytest.raises(UnknownTargetError, match=r"maudsley@1\.0\.0"):
        stage(history(), "dm-trd", as_of=AS_OF, catalog=catalog)
    with pytest.raises(UnknownTargetError, match="esketamine-trials"):
        stage(history(), "mgh-s", as_of=AS_OF, catalog=catalog, adequacy="nope")


def test_a_history_document_is_accepted_too(catalog: Catalog) -> None:
    document = {"episode": {"start_date": "2023-06-01"}, "trials": [SSRI]}
    assert stage(document, "thase-rush", as_of=AS_OF, catalog=catalog)["stage"] == "I"


# --- the coded ranges agree with the content documents ----------------------------------------


def test_european_week_ranges_match_the_content_document(catalog: Catalog) -> None:
    entry = catalog.get("staging-model", "european-staging")
    assert entry is not None
    criteria = {item.label: item.criterion for item in entry.model.stages}
    for label, low, high in staging._TRD_WEEKS:
        assert re.search(rf"\b{low}-{high} weeks", criteria[label])


def test_maudsley_options_the_rules_use_exist(catalog: Catalog) -> None:
    entry = catalog.get("staging-model", "maudsley")
    assert entry is not None
    options = {d.id: [o.id for o in d.options] for d in entry.model.dimensions}
    assert [option for _, option in staging._EPISODE_MONTHS] == options["episode-duration"][:2]
    assert set(staging._SEVERITY.values()) <= set(options["symptom-severity"])
    coded = [option for _, option in staging._FAILED_MEDICATIONS] + [staging._MANY_FAILED]
    assert coded == options["failed-antidepressants"]
    for most, option in staging._FAILED_MEDICATIONS:
        assert option.endswith(f"-{most}")


# --- properties -------------------------------------------------------------------------------

DRUGS = ["sertraline", "escitalopram", "venlafaxine", "nortriptyline", "phenelzine", "drug-x"]


@st.composite
def trials(draw: st.DrawFn) -> dict[str, Any]:
    item = trial(
        draw(st.sampled_from(DRUGS)),
        draw(st.sampled_from([None, 10, 300])),
        draw(st.sampled_from([4, 6, 8, 20, 40])),
        adherence=draw(st.sampled_from(["full", "full", "poor", "unknown"])),
        outcome=draw(st.sampled_from(["non-response", "non-response", "response", "unknown"])),
    )
    if draw(st.booleans()):
        item["augmentation"] = [{"drug": {"name": "lithium"}}]
    return item


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    courses = draw(
        st.lists(
            st.builds(
                ect,
                name=st.sampled_from([None, "bilateral ECT", "unilateral ECT"]),
                outcome=st.sampled_from(["non-response", "response"]),
            ),
            max_size=1,
        )
    )
    document: dict[str, Any] = {
        "episode": {
            "start_date": draw(st.sampled_from(["2026-06-01", "2025-06-01", "2020-01-01"])),
            "severity": draw(st.sampled_from(["mild", "severe-with-psychotic-features"])),
        },
        "trials": draw(st.lists(trials(), max_size=6)),
    }
    if courses:
        document["courses"] = courses
    return document


def summary(result: dict[str, Any]) -> tuple[Any, ...]:
    values = sorted((p["dimension"], p["points"]) for p in result.get("points", []))
    return result["status"], result.get("stage"), result.get("score"), values


def rank(entry_id: str, result: dict[str, Any], catalog: Catalog) -> float:
    entry = catalog.get("staging-model", entry_id)
    assert entry is not None
    if entry_id == "mgh-s":
        return float(result["score"])
    if entry.model.stages:
        labels = [s.label for s in entry.model.stages]
    else:
        labels = [band.label for band in entry.model.bands]
    if entry_id != "thase-rush":
        labels = [NO_RESISTANCE, *labels]
    return labels.index(result["stage"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=histories(), data=st.data())
def test_trial_order_never_changes_the_result(
    catalog: Catalog, document: dict[str, Any], data: st.DataObject
) -> None:
    shuffled = dict(document, trials=data.draw(st.permutations(document["trials"])))
    for model in MODELS:
        first = stage(document, model, as_of=AS_OF, catalog=catalog)
        second = stage(shuffled, model, as_of=AS_OF, catalog=catalog)
        assert summary(first) == summary(second)
        assert (first["status"] == "indeterminate") == bool(first.get("missing"))
        assert len(first.get("missing", [])) == len(second.get("missing", []))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=histories(), added=st.sampled_from(DRUGS[:-1]), position=st.integers(0, 6))
def test_adding_an_adequate_failed_trial_never_lowers_a_stage(
    catalog: Catalog, document: dict[str, Any], added: str, position: int
) -> None:
    more = list(document["trials"])
    more.insert(position, trial(added, 300))
    longer = dict(document, trials=more)
    for model in MODELS:
        before = stage(document, model, as_of=AS_OF, catalog=catalog)
        after = stage(longer, model, as_of=AS_OF, catalog=catalog)
        if before["status"] == after["status"] == "staged":
            assert rank(model, after, catalog) >= rank(model, before, catalog)
