"""`trdcore evaluate`: readable text, schema-valid JSON, streamed NDJSON, clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from trdcore.cli import build_cli
from trdcore.schemas import check

EXAMPLES = Path(__file__).parent.parent / "examples" / "histories"
TRDCORE = str(Path(sys.executable).parent / "trdcore")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(load_entry_points=False), list(args))
    return result.exit_code, result.output


def test_text_output_shows_verdicts_trials_and_differences() -> None:
    code, output = run("evaluate", str(EXAMPLES / "two-ssri-trials.json"), "--as-of", "2026-11-27")
    assert code == 0
    assert "different-classes@1.0.0" in output
    assert "NOT MET" in output
    assert "✓ /trials/0" in output
    assert "but not under different-classes@1.0.0" in output


def test_json_output_is_a_list_of_valid_evaluation_results() -> None:
    code, output = run(
        "evaluate",
        str(EXAMPLES / "augmentation-and-ect.yaml"),
        "--format",
        "json",
        "--as-of",
        "2026-11-27",
        "--definition",
        "sforzini-2022",
    )
    assert code == 0
    [result] = json.loads(output)
    assert result["definition"] == "sforzini-2022@1.0.0"
    assert check(result, "evaluation-result") == []


def test_ndjson_streams_one_result_per_history_and_definition_with_workers(tmp_path: Path) -> None:
    lines = (EXAMPLES / "batch.ndjson").read_text().splitlines() * 40
    source = tmp_path / "many.ndjson"
    source.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            TRDCORE,
            "evaluate",
            str(source),
            "--all",
            "--format",
            "ndjson",
            "--jobs",
            "2",
            "--as-of",
            "2026-11-27",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(lines) * 5
    assert [o["history_id"] for o in outputs[::5]] == [json.loads(line)["id"] for line in lines]


def test_an_invalid_history_is_reported_and_the_rest_evaluated(tmp_path: Path) -> None:
    good = (EXAMPLES / "batch.ndjson").read_text().splitlines()[0]
    source = tmp_path / "mixed.ndjson"
    source.write_text(good + "\n" + '{"episode": {"start_date": "2024-02-30"}, "trials": []}\n')
    result = subprocess.run(
        [TRDCORE, "evaluate", str(source), "--format", "ndjson", "--definition", "sforzini-2022"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    assert f"{source}:2: not a valid treatment history" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_definition_is_a_usage_error() -> None:
    code, output = run("evaluate", str(EXAMPLES / "two-ssri-trials.json"), "--definition", "nope")
    assert code == 2
    assert "sforzini-2022@1.0.0" in output
