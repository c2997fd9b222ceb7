"""Evaluating treatment histories on Dask: DataFrames with pyarrow dtypes, and bags of NDJSON lines.

:func:`evaluate` maps each partition through the same Arrow batch function as
:mod:`trdcore.spark` (:mod:`trdcore.arrow_batches`), so the columns are the
same: the kept ones, then :data:`~trdcore.arrow_batches.OUTPUT_FIELDS`, with
``pd.ArrowDtype`` dtypes. :func:`evaluate_bag` takes a bag of NDJSON lines
(``dask.bag.read_text``) and gives a bag of records with those fields, skipping
blank lines as ``trdcore evaluate`` does. The catalog travels as a
:class:`~trdcore.snapshot.KernelRecipe` inside each task; a worker builds the
engine once per catalog.

Install with ``pip install 'trdcore[dask]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from trdcore.exceptions import MissingDependencyError

try:
    import dask.bag
    import dask.dataframe
    import pandas as pd
    import pyarrow as pa
    from dask.delayed import delayed
except ImportError as error:  # pragma: no cover - exercised by the missing-extra test
    raise MissingDependencyError(
        f"trdcore.dask needs Dask, pandas and PyArrow ({error.name} is missing): "
        "pip install 'trdcore[dask]'"
    ) from None

from trdcore.arrow_batches import (
    RESULT_TYPE,
    BatchLayout,
    evaluate_batches,
    ndjson_chunk,
    output_schema,
)
from trdcore.rules.inference import SwitchInference
from trdcore.snapshot import KernelRecipe

if TYPE_CHECKING:
    from trdcore.catalog import Catalog

__all__ = [
    "OUTPUT_SCHEMA",
    "RESULT_TYPE",
    "evaluate",
    "evaluate_bag",
    "evaluate_bag_recipe",
    "evaluate_recipe",
    "explode_results",
    "lines_frame",
    "ndjson_chunks",
    "ndjson_file_chunks",
]

#: The columns :func:`evaluate` adds after the kept ones, as Arrow types (each column's
#: dtype is ``pd.ArrowDtype`` of its type); ``typed=False`` leaves out ``results`` and
#: ``warnings``. The same columns as :data:`trdcore.spark.OUTPUT_SCHEMA`.
OUTPUT_SCHEMA: pa.Schema = output_schema()


def _prepare(
    catalog: Catalog | None, definitions: Iterable[str] | None, **settings: Any
) -> KernelRecipe:
    if catalog is None:
        from trdcore.app import load_catalog

        catalog = load_catalog()
    return KernelRecipe.prepare(catalog, definitions, **settings)


def evaluate(
    ddf: dask.dataframe.DataFrame,
    history: str = "history",
    definitions: Iterable[str] | None = None,
    *,
    as_of: Any,
    keep: Sequence[str] = (),
    stages: bool = False,
    typed: bool = True,
    dose_scheme: str | None = None,
    infer_outcomes: SwitchInference | None = None,
    catalog: Catalog | None = None,
) -> dask.dataframe.DataFrame:
    """The Dask DataFrame of ``ddf``'s histories evaluated, one row per input row, with
    the input's index and partitions (the arguments are :func:`trdcore.spark.evaluate`'s)."""
    made = _prepare(
        catalog,
        definitions,
        as_of=as_of,
        stages=stages,
        dose_scheme=dose_scheme,
        infer_outcomes=infer_outcomes,
    )
    return evaluate_recipe(ddf, made, history, keep=keep, typed=typed)


def evaluate_recipe(
    ddf: dask.dataframe.DataFrame,
    made: KernelRecipe,
    history: str = "history",
    *,
    keep: Sequence[str] = (),
    typed: bool = True,
) -> dask.dataframe.DataFrame:
    """:func:`evaluate` with the evaluation already prepared
    (:meth:`KernelRecipe.prepare <trdcore.snapshot.KernelRecipe.prepare>`)."""
    keep = tuple(dict.fromkeys(keep))
    schema = pa.Schema.from_pandas(ddf._meta, preserve_index=False)
    layout = BatchLayout.of(schema, history, keep, typed=typed)
    columns = list(dict.fromkeys((history, *keep)))
    schema = pa.Schema.from_pandas(ddf._meta[columns], preserve_index=False)
    meta = layout.schema(schema).empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    return ddf[columns].map_partitions(_partition, made, layout, meta=meta, align_dataframes=False)


def _partition(frame: pd.DataFrame, made: KernelRecipe, layout: BatchLayout) -> pd.DataFrame:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = layout.schema(table.schema)
    batches = list(evaluate_batches(made, layout, table.to_batches()))
    out = pa.Table.from_batches(batches, schema=schema).to_pandas(types_mapper=pd.ArrowDtype)
    out.index = frame.index
    return out


def evaluate_bag(
    lines: dask.bag.Bag,
    definitions: Iterable[str] | None = None,
    *,
    as_of: Any,
    stages: bool = False,
    typed: bool = True,
    dose_scheme: str | None = None,
    infer_outcomes: SwitchInference | None = None,
    catalog: Catalog | None = None,
) -> dask.bag.Bag:
    """A bag of NDJSON lines (str or bytes) to a bag of records, one per non-blank line,
    with the fields of :data:`~trdcore.arrow_batches.OUTPUT_FIELDS`."""
    made = _prepare(
        catalog,
        definitions,
        as_of=as_of,
        stages=stages,
        dose_scheme=dose_scheme,
        infer_outcomes=infer_outcomes,
    )
    return evaluate_bag_recipe(lines, made, typed=typed)


def evaluate_bag_recipe(
    lines: dask.bag.Bag, made: KernelRecipe, *, typed: bool = True
) -> dask.bag.Bag:
    """:func:`evaluate_bag` with the evaluation already prepared
    (:meth:`KernelRecipe.prepare <trdcore.snapshot.KernelRecipe.prepare>`)."""
    layout = BatchLayout("history", "text", (), typed)
    return lines.map_partitions(_bag_partition, made, layout)


def ndjson_chunks(
    data: dask.bag.Bag | dask.dataframe.DataFrame, made: KernelRecipe, history: str = "history"
) -> dask.bag.Bag:
    """The summary lines of a bag of NDJSON lines or a DataFrame's ``history`` column, as a
    bag of ``(lines, problems)``: per partition, its summary lines as NDJSON bytes in input
    order and its ``(history_id, problem)`` pairs. One compact value per partition is what
    ``trdcore evaluate --engine dask --format ndjson`` gathers, in partition order."""
    if isinstance(data, dask.bag.Bag):
        return data.map_partitions(_bag_chunk, made)
    schema = pa.Schema.from_pandas(data._meta[[history]], preserve_index=False)
    layout = BatchLayout.of(schema, history, typed=False)
    parts = [delayed(_frame_chunk)(part, made, layout) for part in data[[history]].to_delayed()]
    return dask.bag.from_delayed(parts)


def ndjson_file_chunks(
    urlpath: str | list[str], made: KernelRecipe, *, blocksize: int | str = "64MiB"
) -> dask.bag.Bag:
    """:func:`ndjson_chunks` of NDJSON files read as blocks of bytes split at line ends
    (``dask.bytes.read_bytes``): no text decoding and no Python object per line between
    the file and the evaluation, which ``read_text`` makes. Blank lines are skipped."""
    from dask.bytes.core import read_bytes

    _, blocks = read_bytes(urlpath, delimiter=b"\n", blocksize=blocksize, sample=False)
    parts = [delayed(_block_chunk)(block, made) for file in blocks for block in file]
    return dask.bag.from_delayed(parts)


def _block_chunk(block: bytes, made: KernelRecipe) -> list[Any]:
    return _bag_chunk(block.split(b"\n"), made)


def _bag_chunk(lines: Iterable[str | bytes], made: KernelRecipe) -> list[Any]:
    return _chunk(made, _TEXT, _history_batch(lines))


def _frame_chunk(frame: pd.DataFrame, made: KernelRecipe, layout: BatchLayout) -> list[Any]:
    batch = pa.Table.from_pandas(frame, preserve_index=False).combine_chunks().to_batches()
    return _chunk(made, layout, *batch)


def _chunk(made: KernelRecipe, layout: BatchLayout, *batches: pa.RecordBatch) -> list[Any]:
    kernel = made.kernel()
    parts = [ndjson_chunk(kernel, layout, batch) for batch in batches]
    return [(b"".join(lines for lines, _ in parts), [p for _, found in parts for p in found])]


def lines_frame(lines: dask.bag.Bag) -> dask.dataframe.DataFrame:
    """A bag of NDJSON lines as a Dask DataFrame of one ``history`` column (binary, pyarrow
    dtype), one row per non-blank line, for :func:`evaluate` and Parquet output."""
    meta = pd.DataFrame({"history": pd.Series([], dtype=pd.ArrowDtype(pa.large_binary()))})
    parts = [delayed(_lines_part)(part) for part in lines.to_delayed()]
    return dask.dataframe.from_delayed(parts, meta=meta, verify_meta=False)


def _lines_part(lines: Iterable[str | bytes]) -> pd.DataFrame:
    histories = _history_batch(lines).column(0)
    return pd.DataFrame({"history": pd.Series(histories, dtype=pd.ArrowDtype(pa.large_binary()))})


def _bag_partition(
    lines: Iterable[str | bytes], made: KernelRecipe, layout: BatchLayout
) -> list[dict[str, Any]]:
    batch = _history_batch(lines)
    if batch.num_rows == 0:
        return []
    return [row for out in evaluate_batches(made, layout, [batch]) for row in out.to_pylist()]


#: A batch of NDJSON lines: one binary ``history`` column.
_TEXT = BatchLayout("history", "text", (), False)


def _history_batch(lines: Iterable[str | bytes]) -> pa.RecordBatch:
    """The non-blank lines of a partition (``trdcore evaluate`` skips blank ones)."""
    histories = [line for line in _raw_lines(lines) if line.strip()]
    return pa.record_batch({"history": pa.array(histories, pa.large_binary())})


def _raw_lines(lines: Iterable[str | bytes]) -> list[bytes]:
    """Lines as bytes without their line end (``read_text`` keeps it)."""
    return [(line.encode() if isinstance(line, str) else line).rstrip(b"\r\n") for line in lines]


def explode_results(frame: Any) -> Any:
    """One row per history and definition (a Dask or pandas DataFrame from
    :func:`evaluate`): the ``results`` items' fields as columns beside the others but
    ``summary`` and ``warnings``; a history that could not be evaluated keeps one row."""
    if isinstance(frame, dask.dataframe.DataFrame):
        others = [name for name in frame.columns if name not in {"results", "summary", "warnings"}]
        sample = _explode(frame._meta, others)
        return frame.map_partitions(_explode, others, meta=sample)
    others = [name for name in frame.columns if name not in {"results", "summary", "warnings"}]
    return _explode(frame, others)


def _explode(frame: pd.DataFrame, others: list[str]) -> pd.DataFrame:
    table = pa.Table.from_pandas(frame[[*others, "results"]], preserve_index=False)
    results = table.column("results").combine_chunks()
    if len(results) == 0:
        parents = pa.array([], pa.int64())
        items = pa.array([], results.type.value_type)
    else:
        # Rows without results (a problem) keep one row with null result fields.
        filled = pa.compute.if_else(
            pa.compute.is_null(results), pa.scalar([None], results.type), results
        )
        parents = pa.compute.list_parent_indices(filled)
        items = pa.compute.list_flatten(filled)
    kept = table.select(others).take(parents)
    fields = items.type
    exploded = kept
    for index in range(fields.num_fields):
        exploded = exploded.append_column(
            fields.field(index), pa.compute.struct_field(items, index)
        )
    return exploded.replace_schema_metadata(None).to_pandas(types_mapper=pd.ArrowDtype)
