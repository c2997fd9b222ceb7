"""trdcore.spark: the same answers as the native engine, on a real Spark (issue 18).

Each test builds a DataFrame the way a data engineer would (text lines, Parquet, a struct
column that Spark's own JSON reader inferred) and compares every row with what
``trdcore evaluate --format ndjson`` says about the same line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from engine_answers import AS_OF, lines_of, native

from trdcore.release import VERSION

pytestmark = pytest.mark.slow

spark_module = pytest.importorskip("trdcore.spark")


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in frame.collect()]


def _numbered(spark: Any, corpus: Path, partitions: int = 3) -> Any:
    """The corpus's lines as (line, history) rows, blank lines included, in a few partitions."""
    rows = [(number, line.decode()) for number, line in enumerate(lines_of(corpus), start=1)]
    return spark.createDataFrame(rows, "line long, history string").repartition(partitions)


def test_every_row_matches_the_native_engine(
    spark: Any, corpus: Path, native_answers: dict
) -> None:
    out = spark_module.evaluate(_numbered(spark, corpus), as_of=AS_OF, keep=["line"])
    rows = {row["line"]: row for row in _rows(out)}
    assert len(rows) == len(lines_of(corpus)), "one row out per row in"
    checked = problems = 0
    for number, row in rows.items():
        expected = native_answers.get(number)
        if expected is None:  # a blank line: the native reader skips it, a DataFrame says so
            assert row["problem"] == "no history: the value is blank"
            assert row["summary"] is None
            continue
        kind, value = expected
        if kind == "problem":
            problems += 1
            assert row["problem"] == value
            assert row["summary"] is None
            assert row["results"] is None
        else:
            checked += 1
            assert row["problem"] is None
            assert orjson.loads(row["summary"]) == value
            assert row["history_id"] == value.get("history_id")
    assert checked > 300
    assert problems >= 5


def test_typed_results_say_what_the_summary_says(spark: Any, corpus: Path) -> None:
    """With the OHDSI cohort 1009 and switch inference: exclusions and inferred outcomes too."""
    from trdcore.rules.inference import switch_inference

    out = spark_module.evaluate(
        _numbered(spark, corpus),
        definitions=["ohdsi-phenotype-1009", "different-classes"],
        as_of=AS_OF,
        keep=["line"],
        infer_outcomes=switch_inference("switch", 98),
    )
    exclusions = inferred = 0
    for row in _rows(out.where("problem is null")):
        summary = orjson.loads(row["summary"])
        assert summary["infer_outcomes"] == {"method": "switch", "within_days": 98}
        assert [r["definition"] for r in row["results"]] == [
            r["definition"] for r in summary["results"]
        ]
        for typed, result in zip(row["results"], summary["results"], strict=True):
            assert typed["status"] == result["status"]
            assert typed["adequate_failed_trials"] == result["counts"]["adequate_failed_trials"]
            assert typed["possible_failed_trials"] == result["counts"]["possible_failed_trials"]
            assert typed["distinct_classes"] == result["counts"]["distinct_classes"]
            assert [t["pointer"] for t in typed["trials"]] == summary["pointers"]
            assert [t["counted"] for t in typed["trials"]] == result["counted"]
            assert typed["excluded_by"] == result.get("excluded_by")
            assert typed["inferred"] == result.get("inferred")
            exclusions += typed["excluded_by"] is not None
            inferred += bool(typed["inferred"])
        assert row["warnings"] == [
            {"code": w["code"], "message": w["message"], "pointer": w.get("pointer")}
            for w in summary["warnings"]
        ]
        assert row["trdcore_version"] == summary["engine"]["version"] == VERSION
    assert exclusions > 0
    assert inferred > 0


def test_the_same_options_give_the_same_answers_as_natively(spark: Any, corpus: Path) -> None:
    from trdcore.rules.inference import switch_inference

    expected = native(
        corpus,
        "--definition",
        "ohdsi-phenotype-1009",
        "--infer-outcomes",
        "switch",
        "--switch-days",
        "98",
        "--stages",
    )
    out = spark_module.evaluate(
        _numbered(spark, corpus),
        definitions=["ohdsi-phenotype-1009"],
        as_of=AS_OF,
        keep=["line"],
        stages=True,
        infer_outcomes=switch_inference("switch", 98),
        typed=False,
    )
    for row in _rows(out.where("problem is null")):
        assert orjson.loads(row["summary"]) == expected[row["line"]][1]


def test_the_output_schema_is_the_documented_one(spark: Any, corpus: Path) -> None:
    out = spark_module.evaluate(_numbered(spark, corpus), as_of=AS_OF, keep=["line"])
    assert out.schema.fieldNames() == ["line", *spark_module.OUTPUT_SCHEMA.fieldNames()]
    assert out.schema["results"] == spark_module.OUTPUT_SCHEMA["results"]
    untyped = spark_module.evaluate(_numbered(spark, corpus), as_of=AS_OF, typed=False)
    assert untyped.schema.fieldNames() == [
        "history_id",
        "summary",
        "problem",
        "trdcore_version",
        "catalog_fingerprint",
    ]


def test_a_struct_column_with_absent_fields_reads_like_its_json(
    spark: Any, corpus: Path, native_answers: dict
) -> None:
    """Spark's JSON reader makes one struct of every field any history has: the others null."""
    from pyspark.sql import functions as F

    good = {
        n: line
        for n, line in enumerate(lines_of(corpus), 1)
        if native_answers.get(n, ("",))[0] == "summary" and not _mixed_dose(line)
    }
    numbered = [
        orjson.dumps({"line": n, "history": orjson.loads(line)}) for n, line in good.items()
    ]
    source = corpus.parent / "struct-input.ndjson"
    source.write_bytes(b"\n".join(numbered) + b"\n")
    frame = spark.read.json(str(source))
    assert frame.schema["history"].dataType.typeName() == "struct"
    out = spark_module.evaluate(frame, as_of=AS_OF, keep=["line"])
    rows = _rows(out)
    assert len(rows) == len(good)
    for row in rows:
        assert row["problem"] is None, row["problem"]
        assert orjson.loads(row["summary"]) == native_answers[row["line"]][1]
    nulls = frame.where(F.col("history.episode.severity").isNull()).count()
    assert nulls > 0, "the corpus has histories without the optional fields others have"


def _mixed_dose(line: bytes) -> bool:
    """A history with a daily dose of "unknown": beside others' objects Spark infers a string."""
    return any(isinstance(t.get("daily_dose"), str) for t in orjson.loads(line)["trials"])


def test_a_field_spark_inferred_as_text_is_a_problem_row_naming_it(
    spark: Any, tmp_path: Path
) -> None:
    """Where one history says "unknown" and another gives an object, Spark's reader makes the
    field a string and the object arrives as JSON text: the row says where, the job goes on."""
    trial = {
        "drug": {"name": "sertraline"},
        "duration": {"value": 8, "unit": "week"},
        "outcome": "non-response",
    }
    histories = [
        {
            "schema": "treatment-history@1.1.0",
            "id": f"h{n}",
            "episode": {"start_date": "2024-12-01"},
            "trials": [{**trial, "daily_dose": dose}],
        }
        for n, dose in enumerate(["unknown", {"value": 100, "unit": "mg"}])
    ]
    source = tmp_path / "mixed.ndjson"
    source.write_bytes(b"\n".join(orjson.dumps({"history": h}) for h in histories) + b"\n")
    frame = spark.read.json(str(source))
    found = {
        row["history_id"]: row["problem"]
        for row in _rows(spark_module.evaluate(frame, as_of=AS_OF))
    }
    assert found == {"h0": None, "h1": found["h1"]}
    assert "/trials/0/daily_dose" in found["h1"]
    assert "is not of type 'object'" in found["h1"]


def test_parquet_with_pass_through_columns(
    spark: Any, corpus: Path, tmp_path: Path, native_answers: dict
) -> None:
    rows = [
        (n, f"site-{n % 3}", line.decode())
        for n, line in enumerate(lines_of(corpus), 1)
        if line.strip()
    ]
    frame = spark.createDataFrame(rows, "line long, site string, history string")
    frame.write.parquet(str(tmp_path / "in.parquet"))
    read = spark.read.parquet(str(tmp_path / "in.parquet"))
    out = spark_module.evaluate(read, as_of=AS_OF, keep=["line", "site"])
    out.write.parquet(str(tmp_path / "out.parquet"))
    for row in _rows(spark.read.parquet(str(tmp_path / "out.parquet"))):
        assert row["site"] == f"site-{row['line'] % 3}"
        kind, value = native_answers[row["line"]]
        assert (orjson.loads(row["summary"]) if kind == "summary" else row["problem"]) == value


def test_empty_partitions_and_empty_frames(spark: Any, corpus: Path) -> None:
    frame = _numbered(spark, corpus, partitions=2).where("line <= 4").repartition(6)
    out = spark_module.evaluate(frame, as_of=AS_OF, keep=["line"])
    assert sorted(row["line"] for row in _rows(out)) == [1, 2, 3, 4]
    empty = spark.createDataFrame([], "line long, history string")
    assert spark_module.evaluate(empty, as_of=AS_OF, keep=["line"]).count() == 0


def test_null_binary_and_invalid_rows_come_back_with_a_problem(spark: Any) -> None:
    rows = [(1, None), (2, bytearray(b"{")), (3, bytearray(b'{"schema": "nope"}'))]
    frame = spark.createDataFrame(rows, "id int, history binary")
    found = {
        row["id"]: row["problem"]
        for row in _rows(spark_module.evaluate(frame, as_of=AS_OF, keep=["id"]))
    }
    assert found[1] == "no history: the value is null"
    assert found[2].startswith("column 2: malformed JSON")
    assert "schema" in found[3]


def test_explode_results_gives_a_row_per_history_and_definition(spark: Any, corpus: Path) -> None:
    out = spark_module.evaluate(
        _numbered(spark, corpus),
        definitions=["different-classes", "two-trials-gaynes-2020"],
        as_of=AS_OF,
        keep=["line"],
    )
    exploded = spark_module.explode_results(out)
    evaluated = out.where("problem is null").count()
    failed = out.where("problem is not null").count()
    assert exploded.count() == 2 * evaluated + failed
    assert {"definition", "status", "trials", "line", "problem"} <= set(exploded.columns)
    assert "summary" not in exploded.columns


def test_definitions_and_columns_are_checked_on_the_driver(spark: Any) -> None:
    from trdcore.exceptions import UnknownTargetError, UsageError

    frame = spark.createDataFrame([(1, "{}")], "id int, history string")
    with pytest.raises(UnknownTargetError, match="diferent-classes"):
        spark_module.evaluate(frame, definitions=["diferent-classes"], as_of=AS_OF)
    with pytest.raises(UsageError, match="no column 'patient'"):
        spark_module.evaluate(frame, "patient", as_of=AS_OF)
    with pytest.raises(UsageError, match="column 'id' is int32"):
        spark_module.evaluate(frame, "id", as_of=AS_OF)
    with pytest.raises(UsageError, match="cannot keep column 'summary'"):
        spark_module.evaluate(
            frame.withColumnRenamed("id", "summary"), as_of=AS_OF, keep=["summary"]
        )


def test_a_worker_with_another_trdcore_version_fails_the_job_naming_both(
    spark: Any, engine: Any
) -> None:
    from trdcore.batch import Kernel
    from trdcore.snapshot import KernelRecipe

    recipe = KernelRecipe.of(Kernel.of(engine, ["different-classes"], as_of=AS_OF))
    elsewhere = attrs.evolve(recipe, snapshot=attrs.evolve(recipe.snapshot, version="0.0.1"))
    frame = spark.createDataFrame([(1, "{}")], "id int, history string")
    with pytest.raises(
        Exception,
        match=rf"prepared by trdcore 0\.0\.1, but this worker runs trdcore {re.escape(VERSION)}",
    ):
        spark_module.evaluate_recipe(frame, elsewhere).collect()
