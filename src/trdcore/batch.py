"""Evaluating many histories: streamed, in order, on every core, in constant memory.

Two shapes of output, one worker per process:

- :func:`evaluate_documents` gives one :class:`HistoryOutcome` per history
  (the full evaluation-result documents), for the text and JSON output of a
  few histories;
- :func:`evaluate_to_ndjson` gives NDJSON bytes in chunks, for files of any
  size: one ``evaluation-summary@1.0.0`` line per history, or with
  ``explain`` one ``evaluation-result@1.0.0`` line per history and
  definition.

The parent process only reads lines and writes bytes: parsing, validation,
evaluation and serialisation happen in the workers, on raw lines, so the
parent never becomes the bottleneck. At most a few chunks per worker are in
flight, so memory stays flat whatever the size of the input; results come
back in input order. An input too small to fill the workers is evaluated in
the calling process, without starting any.
"""

from __future__ import annotations

import collections
import datetime
import gc
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import attrs
import orjson

from trdcore.documents import (
    NdjsonBlock,
    RawLine,
    SourceDocument,
    _no_lines,
    block_lines,
    parse_ndjson_line,
)
from trdcore.exceptions import SchemaValidationError, TrdcoreError

__all__ = [
    "BatchPart",
    "HistoryOutcome",
    "default_jobs",
    "evaluate_documents",
    "evaluate_to_ndjson",
    "run_in_workers",
]

#: Histories per unit of work sent to a worker.
CHUNK = 500
#: Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 3


@attrs.frozen
class HistoryOutcome:
    """The evaluations of one history, or why it could not be evaluated."""

    source: str
    line: int | None
    history_id: str | None
    results: tuple[dict[str, Any], ...] = ()
    differences: tuple[str, ...] = ()
    problem: str | None = None


class BatchPart(NamedTuple):
    """NDJSON output for a chunk of histories, and the histories that could not be evaluated.

    ``problems`` are ``(where, message)`` pairs, where is ``file:line``.
    """

    output: bytes
    histories: int
    problems: tuple[tuple[str, str], ...]


def default_jobs() -> int:
    """The cores this process may use (all of them, unless restricted by affinity)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


# --- the worker -------------------------------------------------------------------------------


_WORKER: dict[str, Any] = {}


def _start_worker(
    definitions: tuple[str, ...],
    as_of: datetime.date,
    explain: bool = True,
    stages: bool = True,
) -> None:
    from trdcore.catalog import load_catalog
    from trdcore.evaluation import Evaluator, facts_from_json
    from trdcore.plugins import get_plugin_manager
    from trdcore.validation import checker

    catalog = load_catalog(get_plugin_manager())
    evaluators = [Evaluator.for_definition(reference, catalog) for reference in definitions]
    _WORKER.update(
        catalog=catalog,
        evaluators=evaluators,
        as_of=as_of,
        explain=explain,
        stages=stages,
        # Looked up once here rather than imported for every history.
        check=checker("treatment-history"),
        facts_from_json=facts_from_json,
    )
    # The catalog lives as long as the worker: keep the cyclic collector from rescanning it
    # every time the histories, which never form cycles, fill a generation.
    gc.collect()
    gc.freeze()


def _judge(document: SourceDocument) -> tuple[Any, str | None]:
    """A document's normalised facts, or why it cannot be evaluated."""
    if document.error is not None:
        error = document.error
        # The caller names the file and line; keep the column, which only the error knows.
        column = f"column {error.column}: " if getattr(error, "column", None) else ""
        return None, column + str(getattr(error, "reason", error))
    try:
        data = _WORKER["check"](document.data, source=document.source)
    except SchemaValidationError as error:
        details = "; ".join(issue.describe() for issue in error.issues)
        return None, f"not a valid treatment history: {details}"
    try:
        facts = _WORKER["facts_from_json"](data, as_of=_WORKER["as_of"], catalog=_WORKER["catalog"])
        return facts, None
    except TrdcoreError as error:
        return None, str(error)


def _full_results(facts: Any) -> list[dict[str, Any]]:
    from trdcore.rules.staging import stage_all

    as_of = _WORKER["as_of"]
    results = [evaluator.document(facts, as_of=as_of) for evaluator in _WORKER["evaluators"]]
    if _WORKER["stages"]:
        stages = stage_all(facts, as_of=as_of, catalog=_WORKER["catalog"])
        for result in results:
            result["stages"] = stages
    return results


def _evaluate_one(document: SourceDocument) -> HistoryOutcome:
    from trdcore.evaluation import explain_differences

    where = (document.source, document.line)
    facts, problem = _judge(document)
    if facts is None:
        return HistoryOutcome(*where, None, problem=problem)
    results = _full_results(facts)
    return HistoryOutcome(
        *where,
        facts.history_id,
        results=tuple(results),
        differences=tuple(explain_differences(results)),
    )


def _evaluate_chunk(chunk: list[SourceDocument]) -> list[HistoryOutcome]:
    return [_evaluate_one(document) for document in chunk]


def _records(chunk: list[tuple[str, Any]]) -> Iterator[tuple[str, RawLine | SourceDocument]]:
    for source, item in chunk:
        if isinstance(item, NdjsonBlock):
            for line in block_lines(item, source=source):
                yield source, line
        else:
            yield source, item


def _ndjson_part(chunk: list[tuple[str, NdjsonBlock | RawLine | SourceDocument]]) -> BatchPart:
    from trdcore.evaluation import summary_line
    from trdcore.rules.staging import stage_all

    lines: list[bytes] = []
    problems: list[tuple[str, str]] = []
    histories = 0
    as_of, catalog, evaluators = _WORKER["as_of"], _WORKER["catalog"], tuple(_WORKER["evaluators"])
    explain, with_stages = _WORKER["explain"], _WORKER["stages"]
    for source, item in _records(chunk):
        histories += 1
        document = parse_ndjson_line(item, source=source) if isinstance(item, RawLine) else item
        facts, problem = _judge(document)
        if facts is None:
            where = f"{source}:{document.line}" if document.line else source
            problems.append((where, problem or "cannot be evaluated"))
            continue
        if explain:
            lines.extend(orjson.dumps(result) for result in _full_results(facts))
            continue
        stages = stage_all(facts, as_of=as_of, catalog=catalog) if with_stages else None
        lines.append(
            summary_line(facts, evaluators, stages=stages, source=source, line=document.line)
        )
    output = b"\n".join(lines) + b"\n" if lines else b""
    return BatchPart(output, histories, tuple(problems))


# --- the pipeline -----------------------------------------------------------------------------


def evaluate_documents(
    documents: Iterable[SourceDocument],
    definitions: tuple[str, ...],
    *,
    as_of: datetime.date,
    jobs: int = 1,
) -> Iterator[HistoryOutcome]:
    """Evaluate every document under every definition (with stages), in input order."""
    settings = (definitions, as_of, True, True)
    for outcomes in _run(_evaluate_chunk, _document_chunks(documents), settings, jobs):
        yield from outcomes


def evaluate_to_ndjson(
    records: Iterable[tuple[str, NdjsonBlock | RawLine | SourceDocument]],
    definitions: tuple[str, ...],
    *,
    as_of: datetime.date,
    jobs: int | None = None,
    explain: bool = False,
    stages: bool = False,
    chunk_size: int = CHUNK,
) -> Iterator[BatchPart]:
    """NDJSON evaluations of ``(source, record)`` pairs, chunk by chunk, in input order.

    Records are blocks of NDJSON lines (:func:`~trdcore.documents.read_ndjson_blocks`,
    split and parsed in the workers; give ``chunk_size=1``), single raw lines, or
    documents already read. ``jobs`` defaults to every core. See the module
    docstring for the two output shapes.
    """
    settings = (definitions, as_of, explain, stages)
    chunks = _chunks(records, chunk_size)
    yield from _run(_ndjson_part, chunks, settings, jobs or default_jobs())


def _run(
    work: Any, chunks: Iterator[list[Any]], settings: tuple[Any, ...], jobs: int
) -> Iterator[Any]:
    """Apply ``work`` to every chunk, in order: here, or on ``jobs`` worker processes."""
    return run_in_workers(
        work, chunks, initializer=_start_worker, initargs=settings, jobs=jobs, min_chunks=2
    )


def run_in_workers(
    work: Callable[[Any], Any],
    chunks: Iterable[Any],
    *,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    jobs: int,
    min_chunks: int = 2,
    start_here: Callable[[], None] | None = None,
) -> Iterator[Any]:
    """``work(chunk)`` for every chunk, in input order, on ``jobs`` spawned worker processes.

    Each worker runs ``initializer(*initargs)`` once (load the catalog, compile the
    definitions); ``work`` and the initializer must be module-level functions so they can be
    sent to the workers. At most a few chunks per worker are in flight, so memory stays flat
    whatever the number of chunks. With ``jobs`` 1, or fewer than ``min_chunks`` chunks in
    all, everything runs in this process after ``start_here()`` (default: the initializer),
    as starting workers would cost more than it saves. Plugins with batch work of their own
    (trdcore-fhir's ``fhir-evaluate``) use this too.
    """
    iterator = iter(chunks)
    first = list(itertools.islice(iterator, max(jobs, min_chunks)))
    if jobs <= 1 or len(first) < min_chunks:
        if start_here is not None:
            start_here()
        else:
            initializer(*initargs)
        for chunk in itertools.chain(first, iterator):
            yield work(chunk)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=initializer, initargs=initargs) as pool:
        pending: collections.deque[Any] = collections.deque()
        for chunk in itertools.chain(first, iterator):
            pending.append(pool.apply_async(work, (chunk,)))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _document_chunks(documents: Iterable[SourceDocument]) -> Iterator[list[SourceDocument]]:
    for chunk in _chunks(documents):
        # line_of (YAML position maps) cannot cross process boundaries and is not needed here
        yield [document._replace(line_of=_no_lines) for document in chunk]
