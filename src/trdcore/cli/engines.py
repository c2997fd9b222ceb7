"""The Spark and Dask runs behind ``trdcore evaluate --engine`` (:mod:`trdcore.cli.scale_out`)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from trdcore.cli.scale_out import ScaleOut

__all__ = ["emit", "report_parquet", "run_dask", "run_spark"]


def emit(
    rows: Iterator[tuple[str | None, str | None, str | None]], source: str, out: Path | None
) -> int:
    """Write summary lines in order; name each history that could not be evaluated."""
    failures = 0
    stream = out.open("wb") if out is not None else sys.stdout.buffer
    try:
        for history_id, summary, problem in rows:
            if problem is not None:
                failures += 1
                who = f"history {history_id}" if history_id else "a history without an id"
                click.echo(f"✗ {source}: {who}: {problem}", err=True)
                continue
            stream.write(summary.encode() if isinstance(summary, str) else summary or b"")
            stream.write(b"\n")
        stream.flush()
    finally:
        if out is not None:
            stream.close()
    return failures


def report_parquet(
    problems: list[tuple[str | None, str]], total: int, source: str, out: Path
) -> int:
    for history_id, problem in problems[:20]:
        who = f"history {history_id}" if history_id else "a history without an id"
        click.echo(f"✗ {source}: {who}: {problem}", err=True)
    if total > 20:
        click.echo(f"✗ … and {total - 20:,} more: the rows with problem set in {out}", err=True)
    click.echo(f"wrote {out}", err=True)
    return total


# --- Spark --------------------------------------------------------------------------------------


def run_spark(
    path: Path,
    recipe: Any,
    settings: ScaleOut,
    output_format: str,
    parquet_in: bool,
    jobs: int | None,
) -> int:
    from trdcore.spark import session

    spark = session(master=settings.master or _local(jobs, settings.remote), remote=settings.remote)
    try:
        return _spark_job(spark, path, recipe, settings, output_format, parquet_in)
    finally:
        spark.stop()  # the command's own session: its temporary files go with it


def _spark_job(
    spark: Any, path: Path, recipe: Any, settings: ScaleOut, output_format: str, parquet_in: bool
) -> int:
    from pyspark.sql import functions as F

    from trdcore.spark import evaluate_recipe

    if settings.partitions:
        spark.conf.set("spark.sql.files.minPartitionNum", str(settings.partitions))
    if parquet_in:
        df, column = spark.read.parquet(str(path)), settings.history_column
    else:
        df, column = spark.read.text(str(path)).where(F.col("value").rlike(r"\S")), "value"
    typed = output_format == "parquet"
    evaluated = evaluate_recipe(df, recipe, column, keep=settings.keep, typed=typed)
    if output_format == "ndjson":
        rows = evaluated.select("history_id", "summary", "problem").toLocalIterator(True)
        return emit((tuple(row) for row in rows), str(path), settings.out)
    evaluated.write.parquet(str(settings.out))
    written = spark.read.parquet(str(settings.out)).where(F.col("problem").isNotNull())
    found = [
        (row.history_id, row.problem)
        for row in written.select("history_id", "problem").limit(20).collect()
    ]
    return report_parquet(found, written.count() if found else 0, str(path), settings.out)  # type: ignore[arg-type]


def _local(jobs: int | None, remote: str | None) -> str | None:
    if remote is not None:
        return None
    return f"local[{jobs}]" if jobs else "local[*]"


# --- Dask ---------------------------------------------------------------------------------------


def run_dask(
    path: Path,
    recipe: Any,
    settings: ScaleOut,
    output_format: str,
    parquet_in: bool,
    jobs: int | None,
) -> int:
    from trdcore.exceptions import MissingDependencyError

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError(
            "--engine dask needs Dask's distributed scheduler: pip install 'trdcore[dask]'"
        ) from None
    import trdcore.dask as trd_dask

    if settings.scheduler:
        client, cluster = Client(settings.scheduler), None
    else:
        workers = jobs or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        return _dask_job(path, recipe, settings, output_format, parquet_in, client, trd_dask)
    finally:
        # A local cluster's workers log a lost heartbeat while it shuts down: not news.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_job(
    path: Path,
    recipe: Any,
    settings: ScaleOut,
    output_format: str,
    parquet_in: bool,
    client: Any,
    trd_dask: Any,
) -> int:
    import dask.bag
    import dask.dataframe
    from dask.delayed import delayed

    typed = output_format == "parquet"
    if parquet_in:
        frame = dask.dataframe.read_parquet(str(path), dtype_backend="pyarrow")
        if settings.partitions and frame.npartitions < settings.partitions:
            frame = frame.repartition(npartitions=settings.partitions)
        evaluated = trd_dask.evaluate_recipe(
            frame, recipe, settings.history_column, keep=settings.keep, typed=typed
        )
        parts = evaluated[["history_id", "summary", "problem"]].to_delayed()
        pick: Callable[[Any], Iterator[Any]] = lambda part: part.itertuples(index=False, name=None)  # noqa: E731
    else:
        size = path.stat().st_size
        blocks = settings.partitions or max(1, 2 * len(client.scheduler_info()["workers"]))
        blocksize = max(1 << 20, -(-size // blocks))
        lines = dask.bag.read_text(str(path), blocksize=blocksize, encoding="utf-8")
        if output_format == "parquet":
            evaluated = trd_dask.evaluate_recipe(
                trd_dask.lines_frame(lines), recipe, "history", typed=True
            )
        else:
            parts = trd_dask.evaluate_bag_recipe(lines, recipe, typed=False).to_delayed()
            pick = lambda part: ((r["history_id"], r["summary"], r["problem"]) for r in part)  # noqa: E731
    if output_format == "ndjson":
        return emit(_in_order(client, parts, pick), str(path), settings.out)
    out = settings.out
    assert out is not None  # checked by ScaleOut.check
    out.mkdir(parents=True)
    width = len(str(evaluated.npartitions))
    writes = [
        delayed(_write_part)(part, str(out / f"part-{number:0{width}d}.parquet"))
        for number, part in enumerate(evaluated.to_delayed())
    ]
    problems = [row for rows in client.gather(client.compute(writes)) for row in rows]
    return report_parquet(problems, len(problems), str(path), out)


def _write_part(frame: Any, where: str) -> list[tuple[str | None, str]]:
    """Write one partition as Parquet without pandas' metadata (pandas cannot read back its
    own description of nested Arrow types); return its problems."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, where)
    bad = table.filter(pa.compute.is_valid(table.column("problem")))
    return list(
        zip(bad.column("history_id").to_pylist(), bad.column("problem").to_pylist(), strict=True)
    )


def _in_order(client: Any, parts: list[Any], pick: Callable[[Any], Iterator[Any]]) -> Iterator[Any]:
    """Each partition's rows in partition order, a few partitions computing ahead."""
    ahead = max(2, 2 * len(client.scheduler_info()["workers"]))
    futures = [client.compute(part) for part in parts[:ahead]]
    waiting = list(parts[ahead:])
    while futures:
        done = futures.pop(0).result()
        if waiting:
            futures.append(client.compute(waiting.pop(0)))
        yield from pick(done)
