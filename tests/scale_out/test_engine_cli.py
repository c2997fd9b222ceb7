"""``trdcore evaluate --engine spark|dask``: the native engine's lines, from a cluster (issue 18).

Each test runs the command line as a user would, in a new process, and compares
with ``trdcore evaluate --format ndjson`` on the same file: the same summary lines in
the same order (``source`` and ``line`` aside: a distributed reader knows no line
numbers), and the same problems, named by history id instead of line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from engine_answers import AS_OF, TRDCORE, lines_of

pytestmark = pytest.mark.slow

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")


def _run(*arguments: str, env: dict[str, str] | None = None, code: str | None = None) -> Any:
    command = [sys.executable, "-c", code] if code else TRDCORE
    return subprocess.run(
        [*command, *arguments], capture_output=True, check=False, env=env, timeout=600
    )


def _expected(answers: dict[int, tuple[str, Any]]) -> tuple[list[Any], list[str]]:
    """The native summaries in line order, and the problems (sorted)."""
    summaries = [value for _, (kind, value) in sorted(answers.items()) if kind == "summary"]
    problems = sorted(value for kind, value in answers.values() if kind == "problem")
    return summaries, problems


def _problems(stderr: bytes, source: Path) -> list[str]:
    prefix = f"✗ {source}: "
    found = []
    for line in stderr.decode().splitlines():
        if line.startswith(prefix):
            who, problem = line[len(prefix) :].split(": ", 1)
            assert who.startswith("history ") or who == "a history without an id", line
            found.append(problem)
    return sorted(found)


@pytest.mark.parametrize(
    "engine", [["--engine", "spark", "--master", "local[2]"], ["--engine", "dask", "--jobs", "2"]]
)
def test_ndjson_lines_are_the_native_engines(
    engine: list[str], java: None, corpus: Path, native_answers: dict, tmp_path: Path
) -> None:
    out = tmp_path / "out.ndjson"
    run = _run("evaluate", str(corpus), "--format", "ndjson", "--as-of", AS_OF, *engine,
               "--out", str(out), "--partitions", "3")  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()  # the corpus holds invalid histories
    assert b"Traceback" not in run.stderr
    summaries, problems = _expected(native_answers)
    assert [orjson.loads(line) for line in out.read_bytes().splitlines()] == summaries
    assert _problems(run.stderr, corpus) == problems


def test_spark_connect_gives_the_same_lines(
    java: None, corpus: Path, tmp_path: Path, native_answers: dict
) -> None:
    """Spark Connect (a local server started by PySpark): no SparkContext on the client."""
    small = tmp_path / "small.ndjson"
    small.write_bytes(b"\n".join(lines_of(corpus)[:120]) + b"\n")
    run = _run("evaluate", str(small), "--format", "ndjson", "--as-of", AS_OF,
               "--engine", "spark", "--remote", "local[2]")  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()
    summaries, problems = _expected({n: a for n, a in native_answers.items() if n <= 120})
    assert [orjson.loads(line) for line in run.stdout.splitlines()] == summaries
    assert _problems(run.stderr, small) == problems


def _parquet_input(corpus: Path, where: Path) -> Path:
    rows = [(n, line) for n, line in enumerate(lines_of(corpus), 1) if line.strip()]
    table = pa.table(
        {
            "line": pa.array([n for n, _ in rows], pa.int64()),
            "site": pa.array([f"site-{n % 3}" for n, _ in rows]),
            "history": pa.array([line.decode() for _, line in rows]),
        }
    )
    pq.write_table(table, where, row_group_size=200)
    return where


@pytest.mark.parametrize("engine", [["--engine", "spark"], ["--engine", "dask"]])
def test_parquet_in_and_out_with_kept_columns(
    engine: list[str], java: None, corpus: Path, native_answers: dict, tmp_path: Path
) -> None:
    source = _parquet_input(corpus, tmp_path / "in.parquet")
    out = tmp_path / "out"
    run = _run("evaluate", str(source), "--format", "parquet", "--out", str(out), "--as-of",
               AS_OF, *engine, "--jobs", "2", "--keep", "line", "--keep", "site")  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()
    assert f"wrote {out}" in run.stderr.decode()
    table = pq.read_table(out)
    assert table.schema.names[:3] == ["line", "site", "history_id"]
    rows = table.to_pylist()
    assert len(rows) == table.num_rows == len(native_answers)
    for row in rows:
        assert row["site"] == f"site-{row['line'] % 3}"
        kind, value = native_answers[row["line"]]
        if kind == "summary":
            assert orjson.loads(row["summary"]) == value
            assert [r["status"] for r in row["results"]] == [r["status"] for r in value["results"]]
        else:
            assert row["problem"] == value


def test_ndjson_in_parquet_out_on_dask(corpus: Path, native_answers: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = _run("evaluate", str(corpus), "--format", "parquet", "--out", str(out), "--as-of",
               AS_OF, "--engine", "dask", "--jobs", "2")  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()
    summaries, problems = _expected(native_answers)
    table = pq.read_table(out)
    got = [orjson.loads(s) for s in table.column("summary").to_pylist() if s is not None]
    assert got == summaries, "the parts are written in input order"
    assert sorted(p for p in table.column("problem").to_pylist() if p) == problems


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "parquet"], "--format parquet needs --engine spark or --engine dask"),
        (["--master", "local[2]"], "--master needs --engine spark or --engine dask"),
        (
            ["--engine", "dask", "--master", "local[2]", "--format", "ndjson"],
            "--master and --remote are Spark's",
        ),
        (
            ["--engine", "spark", "--scheduler", "tcp://h:8786", "--format", "ndjson"],
            "--scheduler is Dask's",
        ),
        (["--engine", "spark", "--format", "text"], "writes --format ndjson or --format parquet"),
        (["--engine", "spark", "--format", "parquet"], "--format parquet needs --out FOLDER"),
        (
            ["--engine", "spark", "--explain", "--format", "ndjson"],
            "--explain is not available with --engine spark",
        ),
        (
            ["--engine", "dask", "--keep", "site", "--format", "ndjson"],
            "--history-column and --keep apply to Parquet",
        ),
        (["--engine", "dask", "--partitions", "0", "--format", "ndjson"], "--partitions"),
    ],
)
def test_options_that_do_not_go_together_are_usage_errors(
    arguments: list[str], message: str, corpus: Path
) -> None:
    run = _run("evaluate", str(corpus), *arguments)
    assert run.returncode == 2, run.stderr.decode()
    assert message in run.stderr.decode()
    assert b"Traceback" not in run.stderr


def test_an_existing_out_is_never_overwritten(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    run = _run("evaluate", str(corpus), "--engine", "dask", "--format", "parquet",
               "--out", str(tmp_path / "out"))  # fmt: skip
    assert run.returncode == 2
    assert "already exists: choose a new --out" in run.stderr.decode()


@pytest.mark.parametrize(
    ("engine", "hidden", "extra"), [("spark", "pyspark", "spark"), ("dask", "dask", "dask")]
)
def test_a_missing_extra_says_what_to_install(
    engine: str, hidden: str, extra: str, corpus: Path
) -> None:
    code = (
        f"import sys; sys.modules[{hidden!r}] = None; sys.argv[0] = 'trdcore'; "
        "from trdcore.cli import main; main()"
    )
    run = _run("evaluate", str(corpus), "--engine", engine, code=code)
    assert run.returncode == 2, run.stderr.decode()
    assert f"pip install 'trdcore[{extra}]'" in run.stderr.decode()
    assert b"Traceback" not in run.stderr


def test_spark_without_java_says_what_to_install(corpus: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)
    run = _run("evaluate", str(corpus), "--engine", "spark", env=env)
    assert run.returncode == 2, run.stderr.decode()
    assert "no java was found" in run.stderr.decode()
    assert "openjdk-17-jre-headless" in run.stderr.decode()


def test_a_scheduler_that_cannot_be_reached_is_named(corpus: Path) -> None:
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    run = _run("evaluate", str(corpus), "--engine", "dask", "--scheduler",
               "tcp://127.0.0.1:9", env=env)  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()
    assert "dask" in run.stderr.decode()
    assert "127.0.0.1:9" in run.stderr.decode()
    assert b"Traceback" not in run.stderr


def test_neither_import_trdcore_nor_help_loads_an_engine() -> None:
    code = (
        "import sys, trdcore\n"
        "from trdcore.cli import main\n"
        "for argv in (['--help'], ['evaluate', '--help']):\n"
        "    sys.argv = ['trdcore', *argv]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('pyspark', 'py4j', 'dask', 'distributed', 'pyarrow', 'pandas')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    run = _run(code=code)
    assert run.returncode == 0, run.stderr.decode()
    assert run.stderr.decode().strip().splitlines()[-1] == "[]"
    assert b"--engine [native|spark|dask]" in run.stdout


@pytest.mark.parametrize("engine", [["--engine", "spark"], ["--engine", "dask"]])
def test_parquet_in_ndjson_out_gives_the_native_lines(
    engine: list[str], java: None, corpus: Path, native_answers: dict, tmp_path: Path
) -> None:
    source = _parquet_input(corpus, tmp_path / "in.parquet")
    run = _run("evaluate", str(source), "--as-of", AS_OF, *engine, "--jobs", "2",
               "--partitions", "4")  # fmt: skip
    assert run.returncode == 1, run.stderr.decode()
    summaries, problems = _expected(native_answers)
    assert [orjson.loads(line) for line in run.stdout.splitlines()] == summaries
    assert _problems(run.stderr, source) == problems


def test_a_job_that_fails_midway_leaves_no_half_written_out(tmp_path: Path) -> None:
    from trdcore.cli.engines import emit

    def chunks() -> Any:
        yield b'{"a": 1}\n', [("h2", "not a valid treatment history: ...")]
        raise RuntimeError("executor lost")

    out = tmp_path / "out.ndjson"
    with pytest.raises(RuntimeError, match="executor lost"):
        emit(chunks(), "in.ndjson", out)
    assert list(tmp_path.iterdir()) == []
    assert emit(iter([(b'{"a": 1}\n', [])]), "in.ndjson", out) == 0
    assert out.read_bytes() == b'{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.ndjson"]
