"""Bad input: a clear message naming file and position, exit code 1, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trdcore.cli import main
from trdcore.documents import MAX_DEPTH, read_documents
from trdcore.testing import valid_document

VALID = valid_document("treatment-history", id="x")


def run(*args: str | Path) -> tuple[int, str]:
    """Run the CLI in-process as the console script does; return exit code and all output."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8")
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        try:
            main([str(arg) for arg in args])
        except SystemExit as done:
            code = int(done.code or 0)
        else:
            code = 0
        stream.flush()
    return code, buffer.getvalue().decode("utf-8")


def only_error(path: Path) -> str:
    documents = list(read_documents(path))
    assert len(documents) == 1
    assert documents[0].error is not None
    return str(documents[0].error)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", '{"episode": {"start_date": "2024-01-10",}\n, "trials": []}')
    assert only_error(path) == f"{path}:1:40: malformed JSON: trailing comma is not allowed"
    code, output = run("validate", path)
    assert code == 1
    assert f"{path}:1:40: malformed JSON" in output
    assert "Traceback" not in output


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "h.yaml", "episode:\n  start_date: 2024-01-10\ntrials: [\n  {drug: x\n")
    assert only_error(path).startswith(f"{path}:5:1: malformed YAML")


def test_yaml_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    message = only_error(path)
    assert message.startswith(f"{path}:2:")
    assert "anchors and aliases are not accepted" in message


def test_json_nested_ten_thousand_levels_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", "[" * 10_000 + "]" * 10_000)
    assert "nested too deeply" in only_error(path)
    code, output = run("validate", "--schema", "treatment-history", path)
    assert code == 1
    assert "Traceback" not in output


def test_yaml_nested_too_deep_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "[" * 10_000 + "]" * 10_000)
    assert f"at most {MAX_DEPTH} levels" in only_error(path)


def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.json", "empty.yaml", "empty.ndjson"):
        path = write(tmp_path, name, "  \n")
        assert only_error(path) == f"{path}: the file is empty"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "image.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary file" in only_error(path)
    path = write(tmp_path, "image.ndjson", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n")
    documents = list(read_documents(path))
    assert all(document.error is not None for document in documents)


def test_text_in_another_encoding(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "latin1.yaml",
        "episode:\n  start_date: unknown\nnotes: caf\xe9\n".encode("latin-1"),
    )
    assert only_error(path) == f"{path}:3: not UTF-8 text (invalid byte at offset 41)"


def test_duplicate_keys_are_refused_not_silently_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.json",
        '{"episode": {"start_date": "2024-01-10", "start_date": "2023-01-01"}, "trials": []}',
    )
    assert "duplicate key 'start_date' in the object at /episode" in only_error(path)
    path = write(
        tmp_path, "dup.yaml", "episode:\n  start_date: 2024-01-10\n  start_date: 2023-01-01\n"
    )
    assert only_error(path) == f"{path}:3:3: duplicate key 'start_date' (first given on line 2)"


def test_duplicate_key_detection_is_not_fooled_by_colons_in_text(tmp_path: Path) -> None:
    document = dict(VALID, notes='he said "stop": twice')
    path = write(tmp_path, "ok.json", json.dumps(document))
    assert next(read_documents(path)).data == document
    spaced = write(tmp_path, "spaced.json", '{"a" : 1, "b" : {"c" : 2}}')
    assert next(read_documents(spaced)).data == {"a": 1, "b": {"c": 2}}


def test_yaml_keeps_dates_as_text_and_only_true_false_as_booleans(tmp_path: Path) -> None:
    path = write(tmp_path, "h.yaml", "start_date: 2024-01-10\ncountry: NO\nongoing: true\n")
    assert next(read_documents(path)).data == {
        "start_date": "2024-01-10",
        "country": "NO",
        "ongoing": True,
    }


def test_wrong_types_are_reported_per_field(tmp_path: Path) -> None:
    document = json.loads(json.dumps(VALID))
    document["trials"][0]["daily_dose"]["value"] = "100"
    document["trials"] = document["trials"] * 2
    document["trials"][1] = "sertraline"
    path = write(tmp_path, "types.json", json.dumps(document))
    code, output = run("validate", path)
    assert code == 1
    assert "/trials/0/daily_dose/value: '100' is not of type 'number'" in output
    assert "/trials/1: 'sertraline' is not of type 'object' [type]" in output


def test_impossible_dates_are_reported_with_their_yaml_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dates.yaml",
        "schema: treatment-history@1.0.0\nepisode:\n  start_date: 2023-02-29\ntrials: []\n",
    )
    code, output = run("validate", path)
    assert code == 1
    assert "line 3, /episode/start_date: '2023-02-29' is not a 'date'" in output


def test_ndjson_errors_carry_line_numbers_and_the_stream_goes_on(tmp_path: Path) -> None:
    bad = dict(VALID, episode={"start_date": "2024-02-30"})
    lines = [json.dumps(VALID), "", "{not json", json.dumps(bad), json.dumps(VALID)]
    path = write(tmp_path, "batch.ndjson", "\n".join(lines) + "\n")
    code, output = run("validate", path)
    assert code == 1
    assert f"{path}:3:2: malformed JSON" in output
    assert "line 4, /episode/start_date" in output
    assert "2 valid, 2 invalid of 4 documents" in output


def test_json_output_is_machine_readable(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", json.dumps(VALID))
    bad = write(tmp_path, "bad.json", json.dumps({**VALID, "trials": "none"}))
    code, output = run("validate", "--format", "json", good, bad)
    assert code == 1
    report = json.loads(output)
    assert report["summary"] == {"files": 2, "documents": 2, "valid": 1, "invalid": 1}
    assert report["valid"] is False
    [problem] = report["files"][1]["problems"]
    assert problem["issues"][0]["pointer"] == "/trials"


def test_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", json.dumps(VALID))
    assert run("validate", good)[0] == 0
    assert run("validate", "--schema", "no-such-schema", good)[0] == 2
    assert run("validate", "--schema", "treatment-history@7.0.0", good)[0] == 2
    assert run("validate", tmp_path / "missing.json")[0] == 2
    assert run("validate", "--format", "xml", good)[0] == 2
    assert run("validate", write(tmp_path, "notes.txt", "hello"))[0] == 1


def test_unknown_schema_in_usage_error_lists_what_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.json", json.dumps(VALID))
    with pytest.raises(SystemExit) as done:
        main(["validate", "--schema", "treatment-history@9.0.0", str(good)])
    assert done.value.code == 2
    assert "treatment-history (1.0.0, 1.1.0)" in capsys.readouterr().err


@pytest.mark.slow
def test_a_200_mb_ndjson_file_streams_in_flat_memory(tmp_path: Path) -> None:
    line = (json.dumps(VALID) + "\n").encode()
    bad_line = (json.dumps({**VALID, "trials": 3}) + "\n").encode()
    path = tmp_path / "big.ndjson"
    block = line * 999 + bad_line
    blocks = 0
    with path.open("wb") as out:
        while out.tell() < 200 * 1024 * 1024:
            out.write(block)
            blocks += 1
    size = path.stat().st_size
    # The peak is read from VmHWM, which belongs to this process's own address space: the
    # rusage maximum survives fork and exec, so it would report the test runner's size.
    script = (
        "import sys\n"
        "from trdcore.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    with open('/proc/self/status') as status:\n"
        "        peak = next(l.split()[1] for l in status if l.startswith('VmHWM:'))\n"
        "    print('maxrss_kb', peak, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "validate", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    maxrss_mb = int(result.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    assert maxrss_mb < 150, f"memory grew to {maxrss_mb:.0f} MB on a {size >> 20} MB file"
    summary = result.stdout.strip().splitlines()[-1]
    assert summary == (
        f"1 file, {blocks * 1000:,} documents: {blocks * 999:,} valid, {blocks:,} invalid"
    )
