"""Evaluating many histories: streamed, in order, on several processes when asked.

Documents are read lazily and sent to worker processes in chunks; results
come back in input order, so memory stays bounded by the chunks in flight,
whatever the size of the input. Each worker loads the catalog once.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from trdcore.documents import SourceDocument, _no_lines

__all__ = ["HistoryOutcome", "evaluate_documents"]

CHUNK = 256


@attrs.frozen
class HistoryOutcome:
    """The evaluations of one history, or why it could not be evaluated."""

    source: str
    line: int | None
    history_id: str | None
    results: tuple[dict[str, Any], ...] = ()
    differences: tuple[str, ...] = ()
    problem: str | None = None


_WORKER: dict[str, Any] = {}


def _start_worker(definitions: tuple[str, ...], as_of: datetime.date) -> None:
    from trdcore.catalog import load_catalog
    from trdcore.evaluation import Evaluator
    from trdcore.plugins import get_plugin_manager

    catalog = load_catalog(get_plugin_manager())
    evaluators = [Evaluator.for_definition(reference, catalog) for reference in definitions]
    _WORKER.update(catalog=catalog, evaluators=evaluators, as_of=as_of)


def _evaluate_one(document: SourceDocument) -> HistoryOutcome:
    from trdcore.evaluation import explain_differences, history_facts
    from trdcore.exceptions import SchemaValidationError, TrdcoreError
    from trdcore.rules.staging import stage_all
    from trdcore.validation import validate

    where = (document.source, document.line)
    if document.error is not None:
        return HistoryOutcome(*where, None, problem=str(document.error))
    try:
        history = validate(document.data, "treatment-history", source=document.source)
    except SchemaValidationError as error:
        details = "; ".join(issue.describe() for issue in error.issues)
        return HistoryOutcome(*where, None, problem=f"not a valid treatment history: {details}")
    catalog, as_of = _WORKER["catalog"], _WORKER["as_of"]
    try:
        # Normalised once (drugs matched, weeks counted), then judged by every definition.
        facts = history_facts(history, as_of=as_of, catalog=catalog)
        results = [evaluator.document(facts, as_of=as_of) for evaluator in _WORKER["evaluators"]]
        stages = stage_all(facts, as_of=as_of, catalog=catalog)
        for result in results:
            result["stages"] = stages
    except TrdcoreError as error:
        return HistoryOutcome(*where, history.id, problem=str(error))
    return HistoryOutcome(
        *where,
        history.id,
        results=tuple(results),
        differences=tuple(explain_differences(results)),
    )


def _evaluate_chunk(chunk: list[SourceDocument]) -> list[HistoryOutcome]:
    return [_evaluate_one(document) for document in chunk]


def evaluate_documents(
    documents: Iterable[SourceDocument],
    definitions: tuple[str, ...],
    *,
    as_of: datetime.date,
    jobs: int = 1,
) -> Iterator[HistoryOutcome]:
    """Evaluate every document under every definition, in input order."""
    chunks = _chunks(documents)
    if jobs <= 1:
        _start_worker(definitions, as_of)
        for chunk in chunks:
            yield from _evaluate_chunk(chunk)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(definitions, as_of)) as pool:
        for outcomes in pool.imap(_evaluate_chunk, chunks):
            yield from outcomes


def _chunks(documents: Iterable[SourceDocument]) -> Iterator[list[SourceDocument]]:
    iterator = iter(documents)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        # line_of (YAML position maps) cannot cross process boundaries and is not needed here
        yield [document._replace(line_of=_no_lines) for document in chunk]
