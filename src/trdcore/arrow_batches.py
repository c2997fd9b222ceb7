"""Evaluating Arrow record batches: what every Spark and Dask task runs.

Spark's ``mapInArrow`` and a Dask partition both hand over Arrow record
batches; :func:`evaluate_batches` turns each into a batch of
:func:`output_schema`: the columns kept from the input, then one row per input
row with the history's id, its ``evaluation-summary@1.2.0`` line (the
:class:`~trdcore.batch.Kernel`'s bytes, the same as ``trdcore evaluate
--format ndjson`` writes, source and line aside), the typed results and
warnings, the problem if it could not be evaluated, the trdcore version and the
catalog fingerprint. No pandas in the path, and a row in gives a row out:
a null, blank or invalid history comes back with ``problem`` set.

The history column holds JSON text (string or binary) or a struct in the shape of
the treatment-history schema. Engines give a struct's absent fields as nulls, and
trdcore's schemas allow no nulls, so nulls are dropped before checking; dates
become ISO text.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import orjson
import pyarrow as pa

from trdcore.batch import Kernel, KernelResult
from trdcore.exceptions import UsageError
from trdcore.release import VERSION
from trdcore.snapshot import KernelRecipe

__all__ = [
    "NDJSON_SCHEMA",
    "OUTPUT_FIELDS",
    "RESULT_TYPE",
    "BatchLayout",
    "evaluate_batch",
    "evaluate_batches",
    "ndjson_batches",
    "ndjson_chunk",
    "output_schema",
]

_TRIAL = pa.struct([("pointer", pa.string()), ("counted", pa.bool_())])
# The date stays ISO text: pandas cannot read back the Parquet metadata of a nested date32.
_EXCLUSION = pa.struct(
    [("code_list", pa.string()), ("condition", pa.string()), ("date", pa.string())]
)

#: One definition's verdict of one history (an item of the ``results`` column).
RESULT_TYPE = pa.struct(
    [
        ("definition", pa.string()),
        ("status", pa.string()),
        ("adequate_failed_trials", pa.int32()),
        ("possible_failed_trials", pa.int32()),
        ("distinct_classes", pa.int32()),
        ("trials", pa.list_(_TRIAL)),
        ("excluded_by", _EXCLUSION),
        ("inferred", pa.list_(pa.string())),
    ]
)
_WARNING = pa.struct([("code", pa.string()), ("message", pa.string()), ("pointer", pa.string())])

#: The columns after the kept ones, with ``typed=True``; ``typed=False`` leaves out
#: ``results`` and ``warnings`` (they are in ``summary`` either way).
OUTPUT_FIELDS = (
    pa.field("history_id", pa.string()),
    pa.field("summary", pa.string()),
    pa.field("results", pa.list_(RESULT_TYPE)),
    pa.field("warnings", pa.list_(_WARNING)),
    pa.field("problem", pa.string()),
    pa.field("trdcore_version", pa.string()),
    pa.field("catalog_fingerprint", pa.string()),
)
_TYPED_ONLY = frozenset({"results", "warnings"})

_PROBLEMS = pa.list_(pa.struct([("history_id", pa.string()), ("problem", pa.string())]))
#: :func:`ndjson_batches`' output: per input batch, its summary lines (NDJSON bytes, each
#: line ending in a newline) and the histories that could not be evaluated.
NDJSON_SCHEMA = pa.schema([("lines", pa.large_binary()), ("problems", _PROBLEMS)])


def output_schema(kept: Iterable[pa.Field] = (), *, typed: bool = True) -> pa.Schema:
    """The output batches' schema: the kept input columns, then :data:`OUTPUT_FIELDS`."""
    ours = [field for field in OUTPUT_FIELDS if typed or field.name not in _TYPED_ONLY]
    return pa.schema([*kept, *ours])


@attrs.frozen
class BatchLayout:
    """Which input column holds the history and in what form, and which columns to keep."""

    history: str
    #: ``"text"`` (JSON as string or binary) or ``"struct"``.
    kind: str
    keep: tuple[str, ...] = ()
    typed: bool = True

    @classmethod
    def of(
        cls, schema: pa.Schema, history: str, keep: Sequence[str] = (), *, typed: bool = True
    ) -> BatchLayout:
        """The layout of batches of ``schema``; a :class:`~trdcore.exceptions.UsageError`
        names a missing column, a history column of another type or a kept column whose
        name the output uses."""
        if not isinstance(history, str):
            raise UsageError(
                f"history names one column, not {history!r} (definitions go in definitions=)"
            )
        names = schema.names
        for name in (history, *keep):
            if name not in names:
                raise UsageError(
                    f"no column {name!r} in the input; its columns: {', '.join(names) or 'none'}"
                )
        ours = {field.name for field in OUTPUT_FIELDS}
        taken = sorted(ours.intersection(keep))
        if taken:
            raise UsageError(
                f"cannot keep column {taken[0]!r}: the output has a column of that name "
                f"(rename it first); output columns: {', '.join(sorted(ours))}"
            )
        kind = _kind(schema.field(history).type)
        if kind is None:
            raise UsageError(
                f"column {history!r} is {schema.field(history).type}; a treatment history column "
                "holds JSON text (string or binary) or a struct in the treatment-history shape"
            )
        return cls(history, kind, tuple(keep), typed)

    def schema(self, schema: pa.Schema) -> pa.Schema:
        """The output schema for input batches of ``schema``."""
        return output_schema((schema.field(name) for name in self.keep), typed=self.typed)


def _kind(type_: pa.DataType) -> str | None:
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return "text"
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return "text"
    if pa.types.is_struct(type_):
        return "struct"
    return None


def evaluate_batches(
    recipe: KernelRecipe, layout: BatchLayout, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Evaluate each batch with the recipe's kernel, built once per worker process."""
    kernel = recipe.kernel()
    for batch in batches:
        yield evaluate_batch(kernel, layout, batch, fingerprint=recipe.snapshot.fingerprint)


def evaluate_batch(
    kernel: Kernel, layout: BatchLayout, batch: pa.RecordBatch, *, fingerprint: str | None = None
) -> pa.RecordBatch:
    """One output batch for one input batch, row for row (see the module docstring)."""
    outcomes = _outcomes(kernel, layout, batch)
    rows = len(outcomes)
    arrays: list[pa.Array] = [batch.column(batch.schema.get_field_index(n)) for n in layout.keep]
    arrays.append(pa.array([outcome.history_id for outcome in outcomes], pa.string()))
    summaries = [outcome.summary for outcome in outcomes]
    arrays.append(pa.array(summaries, pa.binary()).cast(pa.string()))
    if layout.typed:
        typed = [_typed(summary) for summary in summaries]
        arrays.append(pa.array([item[0] for item in typed], pa.list_(RESULT_TYPE)))
        arrays.append(pa.array([item[1] for item in typed], pa.list_(_WARNING)))
    arrays.append(pa.array([outcome.problem for outcome in outcomes], pa.string()))
    arrays.append(pa.array([VERSION] * rows, pa.string()))
    fingerprint = fingerprint or kernel.engine.fingerprint
    arrays.append(pa.array([fingerprint] * rows, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=layout.schema(batch.schema))


def ndjson_batches(
    recipe: KernelRecipe, layout: BatchLayout, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Each batch evaluated to one row of :data:`NDJSON_SCHEMA`: its summary lines as NDJSON
    (in input order) and its problems (:func:`ndjson_chunk` as Arrow, for Spark).

    What ``trdcore evaluate --engine … --format ndjson`` moves to the driver: one large
    row per batch costs an engine far less than a row per history (Spark's JVM converts
    and serves each row; Dask pickles each record), and the driver only writes bytes.
    """
    kernel = recipe.kernel()
    for batch in batches:
        lines, problems = ndjson_chunk(kernel, layout, batch)
        rows = [{"history_id": history_id, "problem": problem} for history_id, problem in problems]
        yield pa.RecordBatch.from_arrays(
            [pa.array([lines], pa.large_binary()), pa.array([rows], _PROBLEMS)],
            schema=NDJSON_SCHEMA,
        )


def ndjson_chunk(
    kernel: Kernel, layout: BatchLayout, batch: pa.RecordBatch
) -> tuple[bytes, list[tuple[str | None, str]]]:
    """One batch's summary lines as NDJSON bytes, in input order, and the
    ``(history_id, problem)`` of each history that could not be evaluated."""
    outcomes = _outcomes(kernel, layout, batch)
    lines = b"".join(o.summary + b"\n" for o in outcomes if o.summary is not None)
    return lines, [(o.history_id, o.problem) for o in outcomes if o.problem is not None]


def _outcomes(kernel: Kernel, layout: BatchLayout, batch: pa.RecordBatch) -> list[KernelResult]:
    column = batch.column(batch.schema.get_field_index(layout.history))
    if layout.kind == "text":
        if not (pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type)):
            column = column.cast(pa.large_binary())
        return [_from_text(kernel, raw) for raw in column.to_pylist()]
    return [_from_struct(kernel, value) for value in column.to_pylist()]


def _from_text(kernel: Kernel, raw: bytes | None) -> KernelResult:
    if raw is None:
        return KernelResult(None, None, "no history: the value is null")
    if not raw.strip():
        return KernelResult(None, None, "no history: the value is blank")
    return kernel.summarise(raw)


def _from_struct(kernel: Kernel, value: Mapping[str, Any] | None) -> KernelResult:
    if value is None:
        return KernelResult(None, None, "no history: the value is null")
    return kernel.summarise_data(_plain(value))


def _plain(value: Any) -> Any:
    """A struct's value as JSON data: nulls (absent fields) dropped, dates as ISO text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _typed(summary: bytes | None) -> tuple[list[dict[str, Any]] | None, list[Any] | None]:
    """A summary line's results and warnings in the shape of the typed columns."""
    if summary is None:
        return None, None
    document = orjson.loads(summary)
    pointers = document["pointers"]
    results = []
    for result in document["results"]:
        counts = result["counts"]
        excluded = result.get("excluded_by")
        results.append(
            {
                "definition": result["definition"],
                "status": result["status"],
                "adequate_failed_trials": counts["adequate_failed_trials"],
                "possible_failed_trials": counts["possible_failed_trials"],
                "distinct_classes": counts["distinct_classes"],
                "trials": [
                    {"pointer": pointer, "counted": counted}
                    for pointer, counted in zip(pointers, result["counted"], strict=True)
                ],
                "excluded_by": excluded,
                "inferred": result.get("inferred"),
            }
        )
    return results, document["warnings"]
