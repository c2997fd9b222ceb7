"""Evaluating many histories: the engine-neutral kernel, and batches on every core.

:class:`Kernel` is the one function every batch runs, whatever drives it: raw
JSON text of one treatment history in, ``(history id, summary bytes,
problem)`` out. The CLI's worker processes call it, and so can a Spark or
Dask task (issue 18): it needs nothing but a picklable
:class:`~trdcore.engine.Engine` and the settings. The CLI's NDJSON output is
the kernel's output with the ``source`` and ``line`` the history was read from.

Two batch shapes, built on :func:`~trdcore.workers.run_in_workers`:

- :func:`evaluate_documents` gives one :class:`HistoryOutcome` per history
  (the full evaluation-result documents), for the text and JSON output of a
  few histories and for :func:`trdcore.evaluate_many`;
- :func:`evaluate_to_ndjson` gives NDJSON bytes in chunks, for files of any
  size: one ``evaluation-summary@1.2.0`` line per history, or with
  ``explain`` one ``evaluation-result@1.2.0`` line per history and
  definition.

The parent process only reads lines and writes bytes: parsing, validation,
evaluation and serialisation happen in the workers, on raw lines. Results come
back in input order. Every run carries its own settings and engine, so runs
interleaved in one process never mix.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import attrs
import orjson

from trdcore.dates import as_date
from trdcore.differences import explain_differences
from trdcore.documents import (
    NdjsonBlock,
    RawLine,
    SourceDocument,
    block_lines,
    parse_json,
    parse_ndjson_line,
    without_line_map,
)
from trdcore.engine import Engine
from trdcore.evaluation import Evaluator
from trdcore.exceptions import DocumentError, SchemaValidationError, TrdcoreError
from trdcore.facts import HistoryFacts
from trdcore.rules.inference import SwitchInference
from trdcore.rules.staging import stage_all
from trdcore.summaries import SummaryPanel
from trdcore.workers import default_jobs, run_in_workers

__all__ = [
    "CHUNK",
    "BatchPart",
    "HistoryOutcome",
    "Kernel",
    "KernelResult",
    "evaluate_documents",
    "evaluate_to_ndjson",
]

#: Histories per unit of work sent to a worker.
CHUNK = 500


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


class KernelResult(NamedTuple):
    """What the kernel gives for one history: its id, its summary line, or the problem."""

    history_id: str | None
    summary: bytes | None
    problem: str | None


@attrs.define(eq=False)
class Kernel:
    """One history's raw JSON in, its summary out: the unit of work of every batch.

    Make one with :meth:`of` and call :meth:`summarise` for each history; it
    never raises for bad input (the problem is returned, naming the rule). It
    pickles small: the engine travels as its catalog's documents, and the
    compiled definitions are looked up again on the other side.
    """

    engine: Engine
    definitions: tuple[str, ...]
    as_of: datetime.date
    stages: bool = False
    explain: bool = False
    #: The dose scheme every definition judges doses by instead of its own (None: its own).
    dose_scheme: str | None = None
    #: Outcomes inferred from the next treatment (None: recorded outcomes only).
    infer_outcomes: SwitchInference | None = None
    _evaluators: tuple[Evaluator, ...] = attrs.field(init=False)
    _panel: SummaryPanel = attrs.field(init=False)

    @_evaluators.default
    def _compiled(self) -> tuple[Evaluator, ...]:
        return self.engine.evaluators(self.definitions, dose_scheme=self.dose_scheme)

    @_panel.default
    def _summaries(self) -> SummaryPanel:
        return self.engine.panel(self._evaluators)

    @classmethod
    def of(
        cls,
        engine: Engine,
        definitions: Iterable[str] | None = None,
        *,
        as_of: Any,
        stages: bool = False,
        explain: bool = False,
        dose_scheme: str | None = None,
        infer_outcomes: SwitchInference | None = None,
    ) -> Kernel:
        """A kernel for these definitions (default: every active one) as of a date;
        ``dose_scheme`` judges every definition's doses by that scheme instead of its own;
        ``infer_outcomes`` (a :class:`~trdcore.rules.inference.SwitchInference`) infers the
        outcomes that are not recorded from the treatments that followed."""
        evaluators = engine.evaluators(definitions, dose_scheme=dose_scheme)
        chosen = tuple(evaluator.entry.ref for evaluator in evaluators)
        scheme = evaluators[0].dose_scheme if evaluators and dose_scheme else dose_scheme
        return cls(engine, chosen, as_date(as_of), stages, explain, scheme, infer_outcomes)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "definitions": self.definitions,
            "as_of": self.as_of,
            "stages": self.stages,
            "explain": self.explain,
            "dose_scheme": self.dose_scheme,
            "infer_outcomes": self.infer_outcomes,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def facts(self, document: SourceDocument) -> tuple[HistoryFacts | None, str | None]:
        """A read document's normalised facts, or why it cannot be evaluated."""
        if document.error is not None:
            return None, _read_problem(document.error)
        try:
            data = self.engine.check(document.data, source=document.source)
        except SchemaValidationError as error:
            details = "; ".join(issue.describe() for issue in error.issues)
            return None, f"not a valid treatment history: {details}"
        try:
            return (
                self.engine.facts_of_checked(data, as_of=self.as_of, inference=self.infer_outcomes),
                None,
            )
        except TrdcoreError as error:
            return None, str(error)

    def results(self, facts: HistoryFacts) -> list[dict[str, Any]]:
        """Every definition's full evaluation-result document (with stages, if asked)."""
        results = [evaluator.document(facts, as_of=self.as_of) for evaluator in self._evaluators]
        if self.stages:
            stages = stage_all(facts, as_of=self.as_of, engine=self.engine)
            for result in results:
                result["stages"] = stages
        return results

    def summary(
        self, facts: HistoryFacts, *, source: str | None = None, line: int | None = None
    ) -> bytes:
        """The history's ``evaluation-summary@1.2.0`` line (no newline)."""
        stages = stage_all(facts, as_of=self.as_of, engine=self.engine) if self.stages else None
        return self._panel.line(facts, stages=stages, source=source, line=line)

    def summarise(self, text: bytes | str) -> KernelResult:
        """The kernel: one history's JSON text to ``(history id, summary bytes, problem)``.

        Always the summary (``explain`` and full results are for :meth:`results`, which
        batches with ``--explain`` write instead).
        """
        raw = text.encode() if isinstance(text, str) else text
        try:
            data = parse_json(raw, source="<history>")
        except DocumentError as error:
            return KernelResult(None, None, _read_problem(error))
        return self.summarise_data(data)

    def summarise_data(self, data: Any) -> KernelResult:
        """:meth:`summarise` for a history already parsed (a dict from a struct column)."""
        facts, problem = self.facts(SourceDocument("<history>", 0, None, data))
        if facts is None:
            history_id = data.get("id") if isinstance(data, dict) else None
            return KernelResult(history_id if isinstance(history_id, str) else None, None, problem)
        return KernelResult(facts.history_id, self.summary(facts), None)


def _read_problem(error: Exception) -> str:
    """Why a history's text could not be read. The caller names the file and line; the
    column is kept, which only the error knows."""
    at = getattr(error, "column", None)
    column = f"column {at}: " if at else ""
    return column + str(getattr(error, "reason", error))


# --- batch work, run here or in worker processes ---------------------------------------------


def _same(kernel: Kernel) -> Kernel:
    """A worker's state: the kernel itself (unpickled in the worker, which rebuilds the engine)."""
    return kernel


def _outcomes(kernel: Kernel, chunk: list[SourceDocument]) -> list[HistoryOutcome]:
    outcomes = []
    for document in chunk:
        where = (document.source, document.line)
        facts, problem = kernel.facts(document)
        if facts is None:
            data = document.data
            named = data.get("id") if isinstance(data, dict) else None
            history_id = named if isinstance(named, str) else None
            outcomes.append(HistoryOutcome(*where, history_id, problem=problem))
            continue
        results = kernel.results(facts)
        outcomes.append(
            HistoryOutcome(
                *where,
                facts.history_id,
                results=tuple(results),
                differences=tuple(explain_differences(results)),
            )
        )
    return outcomes


def _records(chunk: list[tuple[str, Any]]) -> Iterator[tuple[str, RawLine | SourceDocument]]:
    for source, item in chunk:
        if isinstance(item, NdjsonBlock):
            for line in block_lines(item, source=source):
                yield source, line
        else:
            yield source, item


def _ndjson_part(
    kernel: Kernel, chunk: list[tuple[str, NdjsonBlock | RawLine | SourceDocument]]
) -> BatchPart:
    lines: list[bytes] = []
    problems: list[tuple[str, str]] = []
    histories = 0
    for source, item in _records(chunk):
        histories += 1
        document = parse_ndjson_line(item, source=source) if isinstance(item, RawLine) else item
        facts, problem = kernel.facts(document)
        if facts is None:
            where = f"{source}:{document.line}" if document.line else source
            problems.append((where, problem or "cannot be evaluated"))
            continue
        if kernel.explain:
            lines.extend(orjson.dumps(result) for result in kernel.results(facts))
            continue
        lines.append(kernel.summary(facts, source=source, line=document.line))
    output = b"\n".join(lines) + b"\n" if lines else b""
    return BatchPart(output, histories, tuple(problems))


def evaluate_documents(
    documents: Iterable[SourceDocument],
    kernel: Kernel,
    *,
    jobs: int = 1,
    freeze_workers: bool = False,
) -> Iterator[HistoryOutcome]:
    """Evaluate every document under the kernel's definitions, in input order
    (``freeze_workers``: see :func:`~trdcore.workers.run_in_workers`)."""
    chunks = _chunks(without_line_map(document) for document in documents)
    start = functools.partial(_same, kernel)
    work = run_in_workers(start, _outcomes, chunks, jobs=jobs, freeze_workers=freeze_workers)
    for outcomes in work:
        yield from outcomes


def evaluate_to_ndjson(
    records: Iterable[tuple[str, NdjsonBlock | RawLine | SourceDocument]],
    kernel: Kernel,
    *,
    jobs: int | None = None,
    chunk_size: int = CHUNK,
    freeze_workers: bool = False,
) -> Iterator[BatchPart]:
    """NDJSON evaluations of ``(source, record)`` pairs, chunk by chunk, in input order.

    Records are blocks of NDJSON lines (:func:`~trdcore.documents.read_ndjson_blocks`,
    split and parsed in the workers; give ``chunk_size=1``), single raw lines, or
    documents already read. ``jobs`` defaults to every core. See the module
    docstring for the two output shapes.
    """
    start = functools.partial(_same, kernel)
    chunks = _chunks(records, chunk_size)
    yield from run_in_workers(
        start, _ndjson_part, chunks, jobs=jobs or default_jobs(), freeze_workers=freeze_workers
    )


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
