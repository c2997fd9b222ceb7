"""FHIR patient data in, FHIR results out, for many patients: on every core, in input order.

What ``trdcore fhir-evaluate`` runs. Each imported history is checked once, its facts are
read from the checked JSON without building the model
(:func:`trdcore.evaluation.facts_from_json`), and it is judged by every definition's compiled
:class:`trdcore.Evaluator`; each result becomes a result Bundle (:meth:`ResultWriter.bundle`).

NDJSON of Bundles (one patient's Bundle a line, as a bulk export per patient gives) is read
a line at a time: the parent process only reads lines and writes bytes, worker processes
parse, import, evaluate and serialise chunks of lines, at most a few chunks per worker are
in flight (memory stays flat whatever the size of the file) and the output comes back in
input order. Any other input (a Bundle, NDJSON of resources, whose references cross lines)
is read whole by :func:`read_fhir` and evaluated in this process.
"""

from __future__ import annotations

import datetime
import itertools
import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

import attrs
import orjson

from trdcore.batch import run_in_workers
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

    The catalog, the compiled evaluators, the settings, the history checker, and the run's
    own :class:`FhirReader` and :class:`ResultWriter` (with their tables of what recurs).
    Made once per run in the calling process, or once per worker process, and passed to the
    work: two runs in one process never share one.
    """

    catalog: Any
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
        catalog: Any,
    ) -> EvaluationRun:
        """Compile ``definitions`` (``id@version``) against ``catalog`` for a run."""
        from trdcore import Evaluator
        from trdcore.validation import checker

        return cls(
            catalog=catalog,
            evaluators=tuple(
                Evaluator.for_definition(reference, catalog) for reference in definitions
            ),
            as_of=as_of,
            condition=condition,
            bundle_type=bundle_type,
            check=checker("treatment-history"),
            reader=FhirReader(as_of, catalog),
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
        from trdcore.evaluation import facts_from_json

        as_of = self.as_of
        try:
            document = self.check(history.document)
        except SchemaValidationError as error:
            details = "; ".join(issue.describe() for issue in error.issues)
            return f"invalid: {source} {history.patient}: {details}"
        # The facts are read from the checked JSON: the history model is never needed here.
        facts = facts_from_json(document, as_of=as_of, catalog=self.catalog)
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
    catalog: Any = None,
    chunk_size: int = CHUNK,
) -> Iterator[ResultPart]:
    """Import FHIR patient data at ``path``, evaluate it and yield FHIR results part by part.

    ``definitions`` are ``id@version`` references; one result Bundle per history and
    definition, in input order. NDJSON of Bundles runs on ``jobs`` processes (an input of
    fewer than ``WORKER_CHUNKS`` chunks of ``chunk_size`` lines runs here); other inputs
    are read whole and evaluated here.
    ``catalog`` is used in this process and sent to the workers (default: the installed
    catalog, which each worker then loads for itself). Each call is a run of its own: runs
    drained in turn in one process do not affect each other.
    """
    from trdcore_fhir import worker

    settings = (tuple(definitions), as_of, condition, bundle_type)
    source = str(path)

    def start_here() -> EvaluationRun:
        return EvaluationRun.start(
            *settings, catalog=_installed_catalog() if catalog is None else catalog
        )

    if not is_ndjson_of_bundles(path):
        run = start_here()
        yield run.evaluate_import(run.reader.read(path), source)
        return
    work = worker.LinesWork(source)
    yield from run_in_workers(
        work,
        _line_chunks(path, chunk_size),
        initializer=worker.start_worker_process,
        initargs=(*settings, _shipped(catalog) if jobs > 1 else None),
        jobs=jobs,
        min_chunks=WORKER_CHUNKS,
        start_here=lambda: work.run_here(start_here()),
    )


def _shipped(catalog: Any) -> bytes | None:
    """``catalog`` pickled for the workers (they unpickle it in a hundredth of the time it
    takes to load one), or None: they load the installed catalog."""
    if catalog is None:
        return None
    try:
        return pickle.dumps(catalog, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def _installed_catalog() -> Any:
    from trdcore import load_catalog

    return load_catalog()


def _line_chunks(path: Path, size: int) -> Iterator[list[tuple[int, bytes]]]:
    """Numbered non-blank lines of ``path``, ``size`` at a time."""
    with path.open("rb") as stream:
        numbered = ((number, line) for number, line in enumerate(stream, start=1) if line.strip())
        while chunk := list(itertools.islice(numbered, size)):
            yield chunk
