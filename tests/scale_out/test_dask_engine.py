"""trdcore.dask: the same answers as the native engine, on a real Dask cluster (issue 18).

Every test computes on a LocalCluster of two worker processes (the ``dask_client``
fixture), so each task's function and recipe really are pickled to another process.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from engine_answers import AS_OF, lines_of

from trdcore.release import VERSION

pytestmark = pytest.mark.slow

dask_module = pytest.importorskip("trdcore.dask")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def _frame(corpus: Path, partitions: int = 3) -> Any:
    """The corpus's lines as a Dask DataFrame of (line, site, history), pyarrow dtypes."""
    rows = list(enumerate(lines_of(corpus), start=1))
    frame = pd.DataFrame(
        {
            "line": pd.Series([n for n, _ in rows], dtype="int64[pyarrow]"),
            "site": pd.Series([f"site-{n % 3}" for n, _ in rows], dtype="string[pyarrow]"),
            "history": pd.Series([line.decode() for _, line in rows], dtype="string[pyarrow]"),
        }
    )
    return dd.from_pandas(frame, npartitions=partitions)


def _records(frame: Any, client: Any) -> list[dict[str, Any]]:
    computed = client.compute(frame).result()
    return computed.to_dict("records")


def test_every_row_matches_the_native_engine(
    dask_client: Any, corpus: Path, native_answers: dict
) -> None:
    out = dask_module.evaluate(_frame(corpus), as_of=AS_OF, keep=["line", "site"])
    rows = {row["line"]: row for row in _records(out, dask_client)}
    assert len(rows) == len(lines_of(corpus)), "one row out per row in"
    checked = problems = 0
    for number, row in rows.items():
        assert row["site"] == f"site-{number % 3}", "pass-through columns stay with their row"
        expected = native_answers.get(number)
        if expected is None:
            assert row["problem"] == "no history: the value is blank"
            continue
        kind, value = expected
        if kind == "problem":
            problems += 1
            assert row["problem"] == value
            assert pd.isna(row["summary"])
        else:
            checked += 1
            assert pd.isna(row["problem"])
            assert orjson.loads(row["summary"]) == value
            assert row["trdcore_version"] == VERSION
    assert checked > 300
    assert problems >= 5


def test_the_columns_and_dtypes_are_known_before_computing(corpus: Path) -> None:
    out = dask_module.evaluate(_frame(corpus), as_of=AS_OF, keep=["line"])
    names = dask_module.OUTPUT_SCHEMA.names
    assert list(out.columns) == ["line", *names]
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in out.dtypes)
    assert out.dtypes["results"].pyarrow_dtype == pa.list_(dask_module.RESULT_TYPE)


def test_empty_partitions_and_empty_frames(dask_client: Any, corpus: Path) -> None:
    frame = _frame(corpus, partitions=6)
    few = frame[frame["line"] <= 4]  # most partitions are now empty
    out = dask_module.evaluate(few, as_of=AS_OF, keep=["line"])
    assert sorted(row["line"] for row in _records(out, dask_client)) == [1, 2, 3, 4]
    empty = dask_module.evaluate(frame[frame["line"] < 0], as_of=AS_OF, keep=["line"])
    assert len(dask_client.compute(empty).result()) == 0


def test_the_bag_of_ndjson_lines_skips_blank_lines_like_the_cli(
    dask_client: Any, corpus: Path, native_answers: dict
) -> None:
    import dask.bag

    lines = dask.bag.read_text(str(corpus), blocksize=16_000)
    assert lines.npartitions > 2
    records = dask_client.compute(dask_module.evaluate_bag(lines, as_of=AS_OF)).result()
    expected = [native_answers[n] for n in sorted(native_answers)]
    assert len(records) == len(expected), "one record per non-blank line, in order"
    for record, (kind, value) in zip(records, expected, strict=True):
        if kind == "summary":
            assert orjson.loads(record["summary"]) == value
            assert record["results"][0]["definition"] == value["results"][0]["definition"]
        else:
            assert record["problem"] == value


def test_lines_frame_reads_ndjson_as_one_binary_column(dask_client: Any, corpus: Path) -> None:
    import dask.bag

    frame = dask_module.lines_frame(dask.bag.read_text(str(corpus), blocksize=16_000))
    histories = dask_client.compute(frame).result()["history"]
    assert list(histories) == [line for line in lines_of(corpus) if line.strip()]


def test_explode_results_gives_a_row_per_history_and_definition(
    dask_client: Any, corpus: Path
) -> None:
    out = dask_module.evaluate(
        _frame(corpus),
        definitions=["different-classes", "two-trials-gaynes-2020"],
        as_of=AS_OF,
        keep=["line"],
    )
    rows = _records(dask_module.explode_results(out), dask_client)
    evaluated = {row["line"] for row in rows if pd.isna(row["problem"])}
    failed = {row["line"] for row in rows if not pd.isna(row["problem"])}
    assert len(rows) == 2 * len(evaluated) + len(failed)
    assert {row["definition"].split("@")[0] for row in rows if row["line"] in evaluated} == {
        "different-classes",
        "two-trials-gaynes-2020",
    }
    assert {"summary", "warnings", "results"}.isdisjoint(rows[0])


def test_struct_column_from_pyarrow(dask_client: Any, corpus: Path, native_answers: dict) -> None:
    """A struct column (as a Parquet lake would hold it) whose absent fields are nulls."""
    good = [
        (n, orjson.loads(line))
        for n, line in enumerate(lines_of(corpus), 1)
        if native_answers.get(n, ("",))[0] == "summary"
        and not any(isinstance(t.get("daily_dose"), str) for t in orjson.loads(line)["trials"])
    ]
    table = pa.table({"line": [n for n, _ in good], "history": [h for _, h in good]})
    assert pa.types.is_struct(table.schema.field("history").type)
    frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=2)
    rows = _records(dask_module.evaluate(frame, as_of=AS_OF, keep=["line"]), dask_client)
    assert len(rows) == len(good)
    for row in rows:
        assert pd.isna(row["problem"]), row["problem"]
        assert orjson.loads(row["summary"]) == native_answers[row["line"]][1]


def test_a_worker_with_another_trdcore_version_fails_naming_both(
    dask_client: Any, corpus: Path
) -> None:
    from trdcore.app import load_catalog
    from trdcore.exceptions import VersionMismatchError
    from trdcore.snapshot import KernelRecipe

    made = KernelRecipe.prepare(load_catalog(), ["different-classes"], as_of=AS_OF)
    elsewhere = attrs.evolve(made, snapshot=attrs.evolve(made.snapshot, version="0.0.1"))
    out = dask_module.evaluate_recipe(_frame(corpus), elsewhere, keep=["line"])
    with pytest.raises(
        VersionMismatchError,
        match=rf"prepared by trdcore 0\.0\.1, but this worker runs trdcore {re.escape(VERSION)}",
    ):
        dask_client.compute(out).result()


def test_unknown_definitions_and_columns_raise_on_the_client(corpus: Path) -> None:
    from trdcore.exceptions import UnknownTargetError, UsageError

    with pytest.raises(UnknownTargetError, match="diferent-classes"):
        dask_module.evaluate(_frame(corpus), definitions=["diferent-classes"], as_of=AS_OF)
    with pytest.raises(UsageError, match="no column 'patient'"):
        dask_module.evaluate(_frame(corpus), "patient", as_of=AS_OF)


def test_ndjson_file_chunks_split_blocks_at_line_ends(
    dask_client: Any, corpus: Path, native_answers: dict
) -> None:
    """Blocks of bytes cut at newlines, evaluated per block: the native lines, in order."""
    from trdcore.app import load_catalog
    from trdcore.snapshot import KernelRecipe

    expected = [value for _, (kind, value) in sorted(native_answers.items()) if kind == "summary"]
    problems = sorted(value for kind, value in native_answers.values() if kind == "problem")
    definitions = [result["definition"] for result in expected[0]["results"]]
    made = KernelRecipe.prepare(load_catalog(), definitions, as_of=AS_OF)
    chunks = dask_module.ndjson_file_chunks(str(corpus), made, blocksize=16_000)
    assert chunks.npartitions > 10
    computed = dask_client.compute(chunks).result()
    lines = b"".join(lines for lines, _ in computed).splitlines()
    assert [orjson.loads(line) for line in lines] == expected
    assert sorted(problem for _, found in computed for _, problem in found) == problems
