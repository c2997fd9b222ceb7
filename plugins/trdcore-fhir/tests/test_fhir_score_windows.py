"""Standard R4 PHQ-9 Observations, not linked to a trial, are read by date as its baseline and
end score (issue 16: only trdcore's own categories and partOf linked them, so standard data
never had a trial's improvement). The windows are trdcore's choice (ScoreWindows: 30 days
before to 7 after the start, 14 around the end) and an importer option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import PATIENT, bundle, depression, patient, phq9, statement, write_json
from trdcore_fhir import read_fhir
from trdcore_fhir.history_import import ScoreWindows

from trdcore.exceptions import UsageError
from trdcore.plugins import get_plugin_manager
from trdcore.testing import run_import


def plain_phq9(identifier: str, value: Any, day: str, *, as_text: bool = False) -> dict[str, Any]:
    """A PHQ-9 total as standard R4 writes it: LOINC 44261-6, no trdcore category."""
    observation = phq9(identifier, 0, day)
    observation.pop("partOf", None)
    observation["category"] = [
        c for c in observation.get("category", ()) if "trdcore" not in str(c)
    ]
    observation.pop("valueInteger", None)
    if as_text:
        observation["valueString"] = value
    else:
        observation["valueInteger"] = value
    return observation


def read(tmp_path: Path, *records: dict[str, Any], windows: ScoreWindows | None = None) -> Any:
    resources = [patient(), depression("c1", "2024-01-05"), *records]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    path = write_json(tmp_path / "in.json", bundle(*resources, full_urls=urls))
    return read_fhir(path, score_windows=windows)


SERTRALINE = ("ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-15")


def test_the_last_total_before_the_start_and_the_last_near_the_end_are_the_trials_scores(
    tmp_path: Path,
) -> None:
    imported = read(
        tmp_path,
        statement(*SERTRALINE),
        plain_phq9("o1", 22, "2023-12-20"),  # 21 days before the start
        plain_phq9("o2", 20, "2024-01-08"),  # 2 days before: the baseline
        plain_phq9("o3", 15, "2024-02-10"),  # mid-trial: neither
        plain_phq9("o4", 18, "2024-03-20"),  # 5 days after the end: the end score
    )
    [history] = imported.histories
    [trial] = history.document["trials"]
    assert trial["baseline_score"] == {"scale": "PHQ-9", "value": 20, "date": "2024-01-08"}
    assert trial["end_score"] == {"scale": "PHQ-9", "value": 18, "date": "2024-03-20"}
    assert "baseline PHQ-9 of 2024-01-08, end PHQ-9 of 2024-03-20" in trial["notes"]
    assert history.sources["/trials/0/baseline_score"] == ("Observation/o2",)
    assert history.sources["/trials/0/end_score"] == ("Observation/o4",)


def test_a_total_just_after_the_start_is_the_baseline_when_none_came_before(
    tmp_path: Path,
) -> None:
    imported = read(tmp_path, statement(*SERTRALINE), plain_phq9("o1", 19, "2024-01-15"))
    [trial] = imported.histories[0].document["trials"]
    assert trial["baseline_score"]["date"] == "2024-01-15"
    assert "end_score" not in trial


def test_totals_outside_the_windows_are_not_read_as_the_trials(tmp_path: Path) -> None:
    imported = read(
        tmp_path,
        statement(*SERTRALINE),
        plain_phq9("o1", 22, "2023-11-01"),
        plain_phq9("o2", 12, "2024-04-30"),
    )
    [trial] = imported.histories[0].document["trials"]
    assert "baseline_score" not in trial
    assert "end_score" not in trial


def test_wider_windows_are_an_importer_option(tmp_path: Path) -> None:
    record = statement(*SERTRALINE)
    early = plain_phq9("o1", 22, "2023-11-01")
    imported = read(tmp_path, record, early, windows=ScoreWindows(90, 7, 14))
    [trial] = imported.histories[0].document["trials"]
    assert trial["baseline_score"]["date"] == "2023-11-01"
    resources = [patient(), depression("c1", "2024-01-05"), record, early]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    path = write_json(tmp_path / "option.json", bundle(*resources, full_urls=urls))
    manager = get_plugin_manager()
    run = run_import("fhir", path, pm=manager, options={"score-windows": "90,7,14"})
    assert run.documents[0]["trials"][0]["baseline_score"]["date"] == "2023-11-01"
    bad = run_import("fhir", path, pm=manager, options={"score-windows": "ninety"})
    assert isinstance(bad.error, UsageError)  # exit 2 on the command line
    assert "score-windows must be three whole numbers" in str(bad.error)


def test_a_total_written_as_text_is_read_and_a_fraction_is_refused(tmp_path: Path) -> None:
    imported = read(
        tmp_path,
        statement(*SERTRALINE),
        plain_phq9("o1", " 17 ", "2024-01-08", as_text=True),
        plain_phq9("o2", 12.5, "2024-03-15"),
    )
    [trial] = imported.histories[0].document["trials"]
    assert trial["baseline_score"]["value"] == 17
    assert "end_score" not in trial
    assert any(
        "Observation/o2 value[x]" in w and "not a whole number" in w for w in imported.warnings
    )


@pytest.mark.parametrize("text", ["seventeen", ""])
def test_a_total_written_as_text_that_is_not_a_number_is_reported(
    tmp_path: Path, text: str
) -> None:
    imported = read(
        tmp_path, statement(*SERTRALINE), plain_phq9("o1", text, "2024-01-08", as_text=True)
    )
    assert any("Observation/o1 valueString" in w and "not a number" in w for w in imported.warnings)
