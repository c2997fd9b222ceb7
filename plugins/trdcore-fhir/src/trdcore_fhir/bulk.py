"""FHIR patient data in, FHIR results out, for many patients: on every core, in input order.

What ``trdcore fhir-evaluate`` runs. Each imported history is checked once, its facts are
read from the checked JSON without building the model (``Engine.facts_of_checked``), and it
is judged by every definition the run's :class:`trdcore.Engine` compiled; each result becomes
a result Bundle (:meth:`ResultWriter.bundle`).

NDJSON of Bundles (one patient's Bundle a line, as a bulk export per patient gives) is read
a line at a time: the parent process only reads lines and writes bytes, worker processes
parse, import, evaluate and serialise chunks of lines, at most a few chunks per worker are
in flight (memory stays flat whatever the size of the file) and the output comes back in
input order. Any other input (a Bundle, NDJSON of resources, whose references cross lines)
is read whole by :func:`read_fhir` and evaluated in this process.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

import attrs
import orjson

from trdcore import Engine
from trdcore.workers import run_in_workers
from trdcore_fhir.history_import import FhirImport, FhirReader, ImportedHistory
from trdcore_fhir.results import ResultWriter

__all__ = ["CHUNK", "EvaluationRun", "ResultPart", "evaluate_fhir", "is_ndjson_of_bundles"]

#: Lines (patients) per unit of work sent to a worker: small enough that the last chunks
#: keep both workers busy to the end, large enough that sending them costs little.
CHUNK = 100
#: Inputs of fewer chunks (1,600 lines) run in this process: starting a worker (a Python
#: process that imports trdcore and compiles the definitions) costs about half a second,
#: as much as evaluating several hundred patients.
WORKER_CHUNKS = 16


class ResultPart(NamedTuple):
    """Result Bundles (NDJSON) for part of the input and what to tell the user about it.

    ``messages`` are the lines for standard error, in order (``warning: ...`` for what the
    import did not use, ``invalid: ...`` / ``✗ ...`` for histories not evaluated);
    ``failures`` counts the histories not evaluated; ``patients`` names each history
    evaluated with where it came from (``file:line``), so a caller can notice a patient
    whose records are split over several lines.
    """

    output: bytes
    messages: tuple[str, ...]
    failures: int
    patients: tuple[tuple[str, str], ...]


def is_ndjson_of_bundles(path: Path) -> bool:
    """Whether the first line of ``path`` is, on its own, a JSON Bundle (NDJSON of Bundles)."""
    with path.open("rb") as stream:
        first = stream.readline().strip()
    if not first.startswith(b"{"):
        return False
    try:
        data = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


# --- evaluating -------------------------------------------------------------------------------


@attrs.define(eq=False)
class EvaluationRun:
    """What one ``fhir-evaluate`` run turns FHIR patient data into results with.

    The engine (the catalog and its compiled definitions), the evaluators, the settings,
    the history checker, and the run's own :class:`FhirReader` and :class:`ResultWriter`
    (with their tables of what recurs).
    Made once per run in the calling process, or once per worker process, and passed to the
    work: two runs in one process never share one.
    """

    engine: Engine
    evaluators: tuple[Any, ...]
    as_of: datetime.date
    condition: bool
    bundle_type: Literal["collection", "transaction"]
    check: Callable[[Any], Any]
    reader: FhirReader
    writer: ResultWriter

    @classmethod
    def start(
        cls,
        definitions: tuple[str, ...],
        as_of: datetime.date,
        condition: bool,
        bundle_type: Literal["collection", "transaction"],
        engine: Engine,
    ) -> EvaluationRun:
        """The run of ``definitions`` (``id@version``) with ``engine``."""
        return cls(
            engine=engine,
            evaluators=engine.evaluators(definitions),
            as_of=as_of,
            condition=condition,
            bundle_type=bundle_type,
            check=engine.check,
            reader=FhirReader(as_of, engine.catalog),
            writer=ResultWriter(),
        )

    def evaluate_import(self, imported: FhirImport, source: str) -> ResultPart:
        """Result Bundles for every history imported from ``source``."""
        lines: list[bytes] = []
        messages = [f"warning: {warning}" for warning in imported.warnings]
        failures = 0
        patients = []
        for history in imported.histories:
            problem = self._evaluate_history(history, source, lines)
            if problem is not None:
                failures += 1
                messages.append(problem)
            patients.append((history.patient, source))
        output = b"\n".join(lines) + b"\n" if lines else b""
        return ResultPart(output, tuple(messages), failures, tuple(patients))

    def evaluate_lines(self, source: str, chunk: list[tuple[int, bytes]]) -> ResultPart:
        """Result Bundles for numbered lines of NDJSON of Bundles, each line on its own."""
        from trdcore import DocumentError

        parts = []
        for number, line in chunk:
            try:
                imported = self.reader.read_bundle(line, source=source, number=number)
            except DocumentError as error:
                parts.append(ResultPart(b"", (f"✗ {error}",), 1, ()))
                continue
            part = self.evaluate_import(imported, source)
            where = f"{source}:{number}"
            parts.append(part._replace(patients=tuple((key, where) for key, _ in part.patients)))
        return ResultPart(
            b"".join(part.output for part in parts),
            tuple(itertools.chain.from_iterable(part.messages for part in parts)),
            sum(part.failures for part in parts),
            tuple(itertools.chain.from_iterable(part.patients for part in parts)),
        )

    def _evaluate_history(
        self, history: ImportedHistory, source: str, lines: list[bytes]
    ) -> str | None:
        """Append one result Bundle per definition to ``lines``; or say why there are none."""
        from trdcore import SchemaValidationError, TrdcoreError

        as_of = self.as_of
        try:
            document = self.check(history.document)
        except SchemaValidationError as error:
            details = "; ".join(issue.describe() for issue in error.issues)
            return f"invalid: {source} {history.patient}: {details}"
        # The facts are read from the checked JSON: the history model is never needed here.
        facts = self.engine.facts_of_checked(document, as_of=as_of)
        for evaluator in self.evaluators:
            try:
                result = evaluator.document(facts, as_of=as_of)
            except TrdcoreError as error:
                return f"✗ {source} {history.patient}: {error}"
            bundle = self.writer.bundle(
                result,
                subject=history.patient,
                sources=history.sources,
                condition=self.condition,
                bundle_type=self.bundle_type,
            )
            lines.append(orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS))
        return None


# --- the pipeline -----------------------------------------------------------------------------


def evaluate_fhir(
    path: Path,
    definitions: Iterable[str],
    *,
    as_of: datetime.date,
    condition: bool = False,
    bundle_type: Literal["collection", "transaction"] = "collection",
    jobs: int = 1,
    engine: Engine | None = None,
    chunk_size: int = CHUNK,
    freeze_workers: bool = False,
) -> Iterator[ResultPart]:
    """Import FHIR patient data at ``path``, evaluate it and yield FHIR results part by part.

    ``definitions`` are ``id@version`` references; one result Bundle per history and
    definition, in input order. NDJSON of Bundles runs on ``jobs`` processes (an input of
    fewer than ``WORKER_CHUNKS`` chunks of ``chunk_size`` lines runs here); other inputs
    are read whole and evaluated here.
    ``engine`` is used in this process and sent to the workers, which rebuild it from its
    catalog's documents (default: an engine for the installed catalog). Each call is a run
    of its own: runs drained in turn in one process do not affect each other.
    """
    if engine is None:
        from trdcore import load_catalog

        engine = Engine.for_catalog(load_catalog())
    start = _RunStart((tuple(definitions), as_of, condition, bundle_type), engine)
    source = str(path)
    if not is_ndjson_of_bundles(path):
        run = start()
        yield run.evaluate_import(run.reader.read(path), source)
        return
    yield from run_in_workers(
        start,
        functools.partial(_evaluate_lines, source),
        _line_chunks(path, chunk_size),
        jobs=jobs,
        min_chunks=WORKER_CHUNKS,
        freeze_workers=freeze_workers,
    )


@attrs.frozen
class _RunStart:
    """Makes the :class:`EvaluationRun` a run evaluates with, once per process.

    Sent to a worker process it carries the engine, which pickles as its catalog's
    documents and is rebuilt there once.
    """

    settings: tuple[tuple[str, ...], datetime.date, bool, Literal["collection", "transaction"]]
    engine: Engine

    def __call__(self) -> EvaluationRun:
        return EvaluationRun.start(*self.settings, engine=self.engine)


def _evaluate_lines(source: str, run: EvaluationRun, chunk: list[tuple[int, bytes]]) -> ResultPart:
    return run.evaluate_lines(source, chunk)


def _line_chunks(path: Path, size: int) -> Iterator[list[tuple[int, bytes]]]:
    """Numbered non-blank lines of ``path``, ``size`` at a time."""
    with path.open("rb") as stream:
        numbered = ((number, line) for number, line in enumerate(stream, start=1) if line.strip())
        while chunk := list(itertools.islice(numbered, size)):
            yield chunk
