"""`trdcore definitions | drugs | treatments`: what the catalog holds, with ids and versions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trdcore.cli import build_cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(load_entry_points=False), list(args))
    return result.exit_code, result.output


def test_definitions_are_listed_with_ids_and_versions() -> None:
    code, output = run("definitions")
    assert code == 0
    assert "sforzini-2022@2.0.0" in output
    code, output = run("definitions", "--format", "json")
    listed = {item["id"]: item for item in json.loads(output)}
    assert listed["canadian-consensus-2021"]["version"] == "2.0.0"
    assert "<50% improvement" in listed["canadian-consensus-2021"]["summary"]


def test_a_definition_is_explained_in_words_with_its_sources() -> None:
    code, output = run("definitions", "show", "esketamine-trials")
    assert code == 0
    assert "at least 2 failed adequate trials" in output
    assert "at most 25% improvement" in output
    assert "minimum under the mgh-atrq dose scheme" in output
    assert "only trials in the current episode count" in output
    assert "Sources:" in output
    code, output = run("definitions", "show", "sforzini-2022", "--format", "json")
    parameters = {item["parameter"]: item for item in json.loads(output)["parameters"]}
    assert "stopped before 4 weeks" in parameters["early_stop_weeks"]["text"]
    assert parameters["non_response"]["sources"]


def test_an_unknown_definition_is_a_usage_error_listing_what_exists() -> None:
    code, output = run("definitions", "show", "who-knows")
    assert code == 2
    assert "two-trials-gaynes-2020@2.0.0" in output


@pytest.mark.parametrize(
    ("command", "expected"),
    [("drugs", "sertraline@1.0.0"), ("treatments", "esketamine-nasal-spray@1.0.0")],
)
def test_drugs_and_treatments_are_listed(command: str, expected: str) -> None:
    code, output = run(command)
    assert code == 0
    assert expected in output
    code, output = run(command, "--format", "json")
    assert any(item["id"] == expected.split("@")[0] for item in json.loads(output))
