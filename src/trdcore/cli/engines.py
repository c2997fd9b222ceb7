"""The Spark and Dask runs behind ``trdcore evaluate --engine`` (:mod:`trdcore.cli.scale_out`)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from trdcore.cli.scale_out import ScaleOut

__all__ = ["emit", "report_parquet", "run_dask", "run_spark"]


def emit(
    chunks: Iterator[tuple[bytes | None, Iterable[tuple[str | None, str]]]],
    source: str,
    out: Path | None,
) -> int:
    """Write NDJSON chunks (summary lines, in order) and name each history that could not
    be evaluated; return how many could not."""
    failures = 0
    partial = out.with_name(f".{out.name}.partial") if out is not None else None
    stream = partial.open("wb") if partial is not None else sys.stdout.buffer
    try:
        for lines, problems in chunks:
            for history_id, problem in problems:
                failures += 1
                who = f"history {history_id}" if history_id else "a history without an id"
                click.echo(f"✗ {source}: {who}: {problem}", err=True)
            if lines:
                stream.write(lines)
        stream.flush()
    except BaseException:
        if partial is not None:
            stream.close()
            partial.unlink(missing_ok=True)  # a failed job leaves no half-written --out
        raise
    if partial is not None and out is not None:
        stream.close()
        partial.replace(out)
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

    master = settings.master or _local(jobs, settings.remote)
    spark = session(master=master, remote=settings.remote)
    # A job's failure is reported in one line (ClusterError), not with the JVM's stack
    # traces. Spark Connect has no SparkContext (and its server logs on the server).
    with contextlib.suppress(Exception):
        spark.sparkContext.setLogLevel("OFF")
    here = (settings.remote or master or "").startswith("local")
    try:
        return _spark_job(spark, path, recipe, settings, output_format, parquet_in, here)
    finally:
        spark.stop()  # the command's own session: its temporary files go with it


def _ndjson_through_files(chunks: Any, source: Path, out: Path | None) -> int:
    """Stream a local session's NDJSON chunks through a scratch Parquet folder, read back
    in partition order: flat memory in the driver. (Fetching them with toLocalIterator
    exhausted the default 1 GB driver heap after about 630,000 histories: see
    docs/performance.md.)"""
    import pyarrow.parquet as pq

    scratch_parent = out.parent if out is not None else None
    with tempfile.TemporaryDirectory(prefix=".trdcore-spark-", dir=scratch_parent) as scratch:
        where = Path(scratch) / "chunks"
        chunks.write.parquet(str(where))

        def read() -> Iterator[tuple[bytes | None, list[tuple[str | None, str]]]]:
            for part in sorted(where.glob("part-*")):
                for batch in pq.ParquetFile(part).iter_batches(batch_size=4):
                    for lines, problems in zip(
                        batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
                    ):
                        yield lines, [(p["history_id"], p["problem"]) for p in problems]

        return emit(read(), str(source), out)


def _spark_job(
    spark: Any,
    path: Path,
    recipe: Any,
    settings: ScaleOut,
    output_format: str,
    parquet_in: bool,
    on_this_machine: bool,
) -> int:
    from pyspark.sql import functions as F

    from trdcore.spark import evaluate_recipe, ndjson_chunks

    if settings.partitions:
        spark.conf.set("spark.sql.files.minPartitionNum", str(settings.partitions))
    if parquet_in:
        df, column = spark.read.parquet(str(path)), settings.history_column
    else:
        df, column = spark.read.text(str(path)).where(F.col("value").rlike(r"\S")), "value"
    if output_format == "ndjson":
        chunks = ndjson_chunks(df, recipe, column)
        if on_this_machine:
            return _ndjson_through_files(chunks, path, settings.out)
        rows = chunks.toLocalIterator(prefetchPartitions=True)
        return emit(
            (
                (bytes(row.lines), [(item.history_id, item.problem) for item in row.problems])
                for row in rows
            ),
            str(path),
            settings.out,
        )
    evaluated = evaluate_recipe(df, recipe, column, keep=settings.keep, typed=True)
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

    # Dask's scheduler and worker processes log to standard error, with tracebacks for a
    # heartbeat lost while a local cluster shuts down: not news to the user, whose errors
    # come back through the futures (ClusterError). Set before distributed is imported, so
    # the local worker processes, which inherit the environment, are quiet too.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")
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
        with warnings.catch_warnings():
            # Its HTTP endpoint moves to a free port when 8787 is taken: nothing to act on.
            warnings.filterwarnings("ignore", message="Port .* is already in use")
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

    data: Any
    if parquet_in:
        data = dask.dataframe.read_parquet(str(path), dtype_backend="pyarrow")
        if settings.partitions and data.npartitions < settings.partitions:
            data = data.repartition(npartitions=settings.partitions)
        column = settings.history_column
    else:
        size = path.stat().st_size
        blocks = settings.partitions or max(1, 2 * len(client.scheduler_info()["workers"]))
        blocksize = max(1 << 20, -(-size // blocks))
        if output_format == "ndjson":
            chunks = trd_dask.ndjson_file_chunks(str(path), recipe, blocksize=blocksize)
            return emit(_in_order(client, chunks.to_delayed()), str(path), settings.out)
        data = dask.bag.read_text(str(path), blocksize=blocksize, encoding="utf-8")
        column = "history"
    if output_format == "ndjson":
        chunks = trd_dask.ndjson_chunks(data, recipe, column).to_delayed()
        return emit(_in_order(client, chunks), str(path), settings.out)
    frame = data if parquet_in else trd_dask.lines_frame(data)
    evaluated = trd_dask.evaluate_recipe(frame, recipe, column, keep=settings.keep, typed=True)
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


def _in_order(client: Any, parts: list[Any]) -> Iterator[Any]:
    """Each partition's chunks in partition order, a few partitions computing ahead."""
    ahead = max(2, 2 * len(client.scheduler_info()["workers"]))
    futures = [client.compute(part) for part in parts[:ahead]]
    waiting = list(parts[ahead:])
    while futures:
        done = futures.pop(0).result()
        if waiting:
            futures.append(client.compute(waiting.pop(0)))
        yield from done
