"""`trdcore evaluate`: readable text, schema-valid JSON, streamed NDJSON, clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    assert "different-classes@2.0.0" in output
    assert "NOT MET" in output
    assert "/trials/0     sertraline" in output
    assert "✓ ✓ ✓ ✓ ✓" in output  # one column per definition
    assert "an adequate failed trial" in output
    assert "but not under different-classes@2.0.0" in output


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
    assert result["definition"] == "sforzini-2022@2.0.0"
    assert check(result, "evaluation-result") == []


def _evaluate_file(source: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRDCORE, "evaluate", str(source), "--as-of", "2026-11-27", *options],
        capture_output=True,
        text=True,
        check=False,
    )


def test_ndjson_writes_one_valid_summary_per_history_in_input_order(tmp_path: Path) -> None:
    lines = (EXAMPLES / "batch.ndjson").read_text().splitlines() * 40
    source = tmp_path / "many.ndjson"
    source.write_text("\n".join(lines) + "\n")
    result = _evaluate_file(source, "--all", "--format", "ndjson", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    summaries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["history_id"] for s in summaries] == [json.loads(line)["id"] for line in lines]
    assert [s["line"] for s in summaries] == list(range(1, len(lines) + 1))
    assert all(check(summary, "evaluation-summary") == [] for summary in summaries[:6])
    assert len(summaries[0]["results"]) == 5
    assert "stages" not in summaries[0]
    with_stages = _evaluate_file(
        source, "--format", "ndjson", "--stages", "--definition", "sforzini-2022"
    )
    assert {
        stage["model"] for stage in json.loads(with_stages.stdout.splitlines()[0])["stages"]
    } >= {"maudsley@1.0.0"}


def test_ndjson_explain_writes_every_full_result_and_agrees_with_the_summary(
    tmp_path: Path,
) -> None:
    source = EXAMPLES / "batch.ndjson"
    summaries = [
        json.loads(line)
        for line in _evaluate_file(source, "--format", "ndjson").stdout.splitlines()
    ]
    explained = _evaluate_file(source, "--format", "ndjson", "--explain")
    assert explained.returncode == 0, explained.stderr
    results = [json.loads(line) for line in explained.stdout.splitlines()]
    assert len(results) == 5 * len(summaries)
    assert all(check(result, "evaluation-result") == [] for result in results)
    assert "stages" in results[0]
    for index, summary in enumerate(summaries):
        for number, verdict in enumerate(summary["results"]):
            full = results[index * 5 + number]
            assert (verdict["definition"], verdict["status"]) == (
                full["definition"],
                full["status"],
            )
            assert verdict["counted"] == [trial["counted"] for trial in full["trials"]]


def test_explain_is_refused_outside_ndjson() -> None:
    code, output = run("evaluate", str(EXAMPLES / "two-ssri-trials.json"), "--explain")
    assert code == 2
    assert "--format ndjson" in output


def test_worker_processes_give_the_same_bytes_as_one_process() -> None:
    import datetime

    from trdcore import Engine, Kernel, load_catalog
    from trdcore.batch import evaluate_to_ndjson
    from trdcore.documents import read_ndjson_lines

    kernel = Kernel.of(
        Engine.for_catalog(load_catalog()),
        ("sforzini-2022@2.0.0", "different-classes@2.0.0"),
        as_of=datetime.date(2026, 11, 27),
        stages=True,
    )

    def output(jobs: int) -> bytes:
        with (EXAMPLES / "batch.ndjson").open("rb") as stream:
            records = [("batch", line) for line in read_ndjson_lines(stream, source="batch")] * 10
        parts = evaluate_to_ndjson(records, kernel, jobs=jobs, chunk_size=4)
        return b"".join(part.output for part in parts)

    single = output(1)
    assert single.count(b"\n") == 30
    assert output(2) == single

    # Blocks of whole lines, as the command line sends a large NDJSON file.
    import io

    from trdcore.documents import read_ndjson_blocks

    content = (EXAMPLES / "batch.ndjson").read_bytes() * 10

    def from_blocks(jobs: int) -> list[dict[str, Any]]:
        blocks = read_ndjson_blocks(io.BytesIO(content), block_bytes=700)
        one = Kernel.of(kernel.engine, ("sforzini-2022",), as_of=kernel.as_of)
        parts = evaluate_to_ndjson(
            [("batch", block) for block in blocks], one, jobs=jobs, chunk_size=1
        )
        return [json.loads(line) for part in parts for line in part.output.splitlines()]

    summaries = from_blocks(2)
    assert [summary["line"] for summary in summaries] == list(range(1, 31))
    assert summaries == from_blocks(1)


def test_an_invalid_history_is_reported_and_the_rest_evaluated(tmp_path: Path) -> None:
    good = (EXAMPLES / "batch.ndjson").read_text().splitlines()[0]
    source = tmp_path / "mixed.ndjson"
    source.write_text(
        good
        + "\n"
        + '{"episode": {"start_date": "2024-02-30"}, "trials": []}\n'
        + "\n"
        + "{not json\n"
        + good
        + "\n"
    )
    result = subprocess.run(
        [TRDCORE, "evaluate", str(source), "--format", "ndjson", "--definition", "sforzini-2022"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 5]
    assert f"{source}:2: not a valid treatment history" in result.stderr
    assert f"{source}:4: column 2: malformed JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_definition_is_a_usage_error() -> None:
    code, output = run("evaluate", str(EXAMPLES / "two-ssri-trials.json"), "--definition", "nope")
    assert code == 2
    assert "sforzini-2022@2.0.0" in output


def test_an_empty_file_is_an_error_in_every_format(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ndjson"
    empty.write_text("\n  \n")
    for output in ("text", "ndjson"):
        result = _evaluate_file(empty, "--format", output)
        assert result.returncode == 1
        assert "the file is empty" in result.stderr
