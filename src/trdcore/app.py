"""The one place that wires the plugin manager, the catalog and the engine together.

Imports run one way: the CLI uses this module; this module uses the engine;
the engine uses the catalog and models; they use the schemas. Nothing below
imports the plugin host, so the rules can be used (and tested) with any
catalog, and the plugin host is started only where an application needs it.

The convenience functions here (:func:`evaluate`, :func:`evaluate_all`,
:func:`evaluate_many`, :func:`stage`, :func:`stage_all`) take an optional
``engine`` or ``catalog``; with neither they load the installed plugins'
catalog for the call. For many calls, make an engine once
(``Engine.for_catalog(load_catalog())``) and pass it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from trdcore.batch import HistoryOutcome, Kernel, evaluate_documents
from trdcore.catalog import Catalog
from trdcore.dates import as_date
from trdcore.differences import explain_differences
from trdcore.documents import SourceDocument
from trdcore.engine import Engine
from trdcore.evaluation import Status
from trdcore.exceptions import TrdcoreError
from trdcore.models import EvaluationResult
from trdcore.rules import staging

__all__ = [
    "Evaluations",
    "engine_for",
    "evaluate",
    "evaluate_all",
    "evaluate_many",
    "evaluation_document",
    "load_catalog",
    "stage",
    "stage_all",
]


def load_catalog(manager: Any = None) -> Catalog:
    """The catalog from every plugin's content (built-in content included).

    Problems are recorded against their plugins (raised in strict mode) and
    kept in :attr:`Catalog.problems` for callers to show.
    """
    from trdcore.plugins import content_documents, plugin_manager

    manager = manager or plugin_manager()
    catalog = Catalog.from_documents(content_documents(manager))
    for problem in catalog.problems:
        manager.fail(problem)
    return catalog


def engine_for(*, engine: Engine | None = None, catalog: Catalog | None = None) -> Engine:
    """The engine to use: the one given, one for the catalog given, or one for the installed
    plugins' catalog."""
    if engine is not None:
        if catalog is not None and catalog is not engine.catalog:
            raise TrdcoreError("pass an engine or a catalog, not both")
        if not isinstance(engine, Engine):
            raise TrdcoreError(f"engine must be a trdcore Engine, not {type(engine).__name__}")
        return engine
    if catalog is not None and not isinstance(catalog, Catalog):
        raise TrdcoreError(f"catalog must be a trdcore Catalog, not {type(catalog).__name__}")
    return Engine.for_catalog(catalog if catalog is not None else load_catalog())


@attrs.frozen
class Evaluations:
    """Every chosen definition's result on one history, and why they disagree."""

    results: tuple[EvaluationResult, ...]
    #: A sentence per definition that is not met where others are (see ``explain_differences``).
    differences: tuple[str, ...]
    #: The warnings about the input (the same in every result).
    warnings: tuple[Any, ...]

    def __getitem__(self, definition: str) -> EvaluationResult:
        """The result of one definition, by ``id`` or ``id@version``."""
        for result in self.results:
            if definition in (result.definition, result.definition.partition("@")[0]):
                return result
        known = ", ".join(result.definition for result in self.results)
        raise KeyError(f"no result for {definition!r}; results: {known}")

    def statuses(self) -> dict[str, Status]:
        """Each definition's status, by ``id@version``."""
        return {result.definition: Status(result.status) for result in self.results}


def evaluate(
    history: Any,
    definition: str,
    *,
    as_of: Any,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    dose_scheme: str | None = None,
) -> EvaluationResult:
    """The verdict of one definition (``"id"`` or ``"id@version"``) on one treatment history.

    ``history`` is a :class:`~trdcore.models.TreatmentHistory` or a document
    (checked first); ``as_of`` a date or an ISO date string; ``dose_scheme`` a dose scheme
    (``"us-label-minimum"``) to judge doses by instead of the definition's own.
    """
    chosen = engine_for(engine=engine, catalog=catalog)
    evaluator = chosen.evaluator(definition, dose_scheme=dose_scheme)
    result: EvaluationResult = evaluator.evaluate(history, as_of=as_of)
    return result


def evaluation_document(
    history: Any,
    definition: str,
    *,
    as_of: Any,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    dose_scheme: str | None = None,
) -> dict[str, Any]:
    """:func:`evaluate`, returning the ``evaluation-result@1.2.0`` JSON document itself.

    Threshold objects are shared between results of the same definition:
    treat the document as read-only, or copy it.
    """
    chosen = engine_for(engine=engine, catalog=catalog)
    return chosen.evaluator(definition, dose_scheme=dose_scheme).document(history, as_of=as_of)


def evaluate_all(
    history: Any,
    *,
    as_of: Any,
    definitions: Iterable[str] | None = None,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    dose_scheme: str | None = None,
) -> Evaluations:
    """Every active definition's result (or those named), and a sentence per disagreement;
    ``dose_scheme`` judges every definition's doses by that scheme instead of its own."""
    chosen = engine_for(engine=engine, catalog=catalog)
    facts = chosen.facts(history, as_of=as_of)
    documents = [
        evaluator.document(facts, as_of=facts.as_of)
        for evaluator in chosen.evaluators(definitions, dose_scheme=dose_scheme)
    ]
    results = tuple(EvaluationResult.from_json(document) for document in documents)
    warnings = tuple(results[0].warnings or ()) if results else ()
    return Evaluations(results, tuple(explain_differences(documents)), warnings)


@attrs.frozen
class HistoryEvaluations:
    """:func:`evaluate_many`'s answer for one history: its results, or why there are none."""

    history_id: str | None
    #: Where the history came from (its position in the input when not read from a file).
    source: str
    results: tuple[EvaluationResult, ...] = ()
    differences: tuple[str, ...] = ()
    problem: str | None = None

    @classmethod
    def of(cls, outcome: HistoryOutcome) -> HistoryEvaluations:
        return cls(
            outcome.history_id,
            outcome.source,
            tuple(EvaluationResult.from_json(result) for result in outcome.results),
            outcome.differences,
            outcome.problem,
        )


def evaluate_many(
    histories: Iterable[Any],
    definitions: Iterable[str] | None = None,
    *,
    as_of: Any,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    jobs: int = 1,
    stages: bool = False,
    dose_scheme: str | None = None,
) -> Iterator[HistoryEvaluations]:
    """The results of many histories, one :class:`HistoryEvaluations` each, in input order.

    ``histories`` are documents or :class:`~trdcore.models.TreatmentHistory`
    models; an invalid one gives a result with ``problem`` set, never an
    exception. With ``jobs`` above 1 the work runs in that many worker
    processes. Each call carries its own engine and settings, so any number
    may run interleaved in one process.
    """
    chosen = engine_for(engine=engine, catalog=catalog)
    # Checked now, not on the first next(): an unknown definition or a bad date is the
    # caller's mistake and is reported where the call is.
    kernel = Kernel.of(
        chosen, definitions, as_of=as_date(as_of), stages=stages, dose_scheme=dose_scheme
    )
    if not isinstance(jobs, int) or jobs < 1:
        raise TrdcoreError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    documents = (_as_document(history, number) for number, history in enumerate(histories))
    outcomes = evaluate_documents(documents, kernel, jobs=jobs)
    return (HistoryEvaluations.of(outcome) for outcome in outcomes)


def _as_document(history: Any, number: int) -> SourceDocument:
    source = f"<history {number}>"
    if isinstance(history, Mapping):
        return SourceDocument(source, number, None, history)
    document = getattr(history, "document", None)
    if document is None:
        to_json = getattr(history, "to_json", None)
        document = to_json() if to_json is not None else history
    return SourceDocument(source, number, None, document)


def stage(
    history: Any,
    model: str,
    *,
    as_of: Any,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    adequacy: str = staging.DEFAULT_ADEQUACY,
) -> dict[str, Any]:
    """One staging model on one history (see :func:`trdcore.rules.staging.stage`)."""
    chosen = engine_for(engine=engine, catalog=catalog)
    return staging.stage(history, model, as_of=as_of, engine=chosen, adequacy=adequacy)


def stage_all(
    history: Any,
    *,
    as_of: Any,
    engine: Engine | None = None,
    catalog: Catalog | None = None,
    adequacy: str = staging.DEFAULT_ADEQUACY,
) -> list[dict[str, Any]]:
    """Every active staging model on one history (see :func:`trdcore.rules.staging.stage_all`)."""
    chosen = engine_for(engine=engine, catalog=catalog)
    return staging.stage_all(history, as_of=as_of, engine=chosen, adequacy=adequacy)
