"""The engine: one catalog's compiled forms, made on first use and kept by an object you hold.

A :class:`~trdcore.catalog.Catalog` is a frozen value. Judging histories
needs work done once per catalog: each definition compiled into criteria, the
staging models' option tables, the schema checker, the summary panels of the
definitions chosen, lint reports. An :class:`Engine` owns all of it. Make one
per catalog (:meth:`Engine.for_catalog`) and reuse it; two engines never share
state, so any number of evaluations may run side by side in one process.

An engine pickles as its catalog's documents, their fingerprint and the
trdcore version: a worker process or machine rebuilds the catalog once and
compiles what it needs on first use. Unpickling it under another trdcore
version fails with an error naming both versions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.dates import as_date
from trdcore.evaluation import Evaluator
from trdcore.exceptions import TrdcoreError, VersionMismatchError
from trdcore.facts import HistoryFacts, implausible_doses, read_history
from trdcore.models.history import TreatmentHistory
from trdcore.release import VERSION
from trdcore.summaries import SummaryPanel

__all__ = ["Engine"]

#: Unknown drug names whose suggestions are remembered (a batch repeats the same few).
_SUGGESTIONS = 4096


@attrs.define(eq=False)
class Engine:
    """Everything compiled from one catalog: definitions, staging tables, checkers, lint reports.

    Stateful on purpose (it fills its tables on first use); the catalog it was
    made from never changes.
    """

    catalog: Catalog
    version: str = VERSION
    _evaluators: dict[tuple[str, str | None], Evaluator] = attrs.field(factory=dict, init=False)
    _ect_rules: dict[tuple[str, str | None], Any] = attrs.field(factory=dict, init=False)
    _panels: dict[tuple[tuple[str, str | None], ...], SummaryPanel] = attrs.field(
        factory=dict, init=False
    )
    _staging: dict[str, Any] = attrs.field(factory=dict, init=False)
    _implausible: dict[str, Mapping[str, float]] = attrs.field(factory=dict, init=False)
    _suggestions: dict[str, str] = attrs.field(factory=dict, init=False)
    _checker: Callable[..., Mapping[str, Any]] | None = attrs.field(default=None, init=False)
    _lint_reports: dict[Any, Any] = attrs.field(factory=dict, init=False)

    @classmethod
    def for_catalog(cls, catalog: Catalog) -> Engine:
        """A new engine for ``catalog`` (compiles nothing until asked)."""
        return cls(catalog)

    @property
    def fingerprint(self) -> str:
        """The catalog's fingerprint (:attr:`Catalog.fingerprint`)."""
        return self.catalog.fingerprint

    # --- pickling: the catalog's documents travel, compiled forms are rebuilt -----------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "documents": self.catalog.documents,
            "fingerprint": self.catalog.fingerprint,
            "version": self.version,
        }

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        here = VERSION
        if state["version"] != here:
            raise VersionMismatchError(made_by=state["version"], running=here, where="this process")
        self.__init__(Catalog.from_documents(state["documents"]), here)  # type: ignore[misc]

    # --- definitions ----------------------------------------------------------------------------

    def evaluator(
        self, definition: str | CatalogEntry, *, dose_scheme: str | None = None
    ) -> Evaluator:
        """The compiled definition ``"id"``, ``"id@version"`` or catalog entry.

        ``dose_scheme`` judges doses by that dose scheme (``"us-label-minimum"``) instead of
        the definition's own. An unknown definition or scheme is an
        :class:`~trdcore.exceptions.UnknownTargetError` that lists what exists and suggests
        the closest one.
        """
        if isinstance(definition, str):
            found = self._evaluators.get((definition, dose_scheme))
            if found is not None:
                return found
            entry = self.catalog.resolve("trd-definition", definition)
        elif isinstance(definition, CatalogEntry) and definition.kind == "trd-definition":
            entry = definition
        else:
            raise TrdcoreError(
                "a definition is named by 'id', 'id@version' or its catalog entry, not "
                f"{type(definition).__name__}"
            )
        key = (entry.ref, dose_scheme)
        found = self._evaluators.get(key)
        if found is None or found.entry is not entry:
            found = self._evaluators[key] = Evaluator(entry, self, dose_scheme=dose_scheme)
        if isinstance(definition, str):
            self._evaluators[(definition, dose_scheme)] = found
        return found

    def evaluators(
        self,
        definitions: Iterable[str | CatalogEntry] | None,
        *,
        dose_scheme: str | None = None,
    ) -> tuple[Evaluator, ...]:
        """The compiled definitions named, or (None) every active one."""
        if definitions is None:
            definitions = self.catalog.active("trd-definition")
        elif isinstance(definitions, str):
            definitions = (definitions,)
        return tuple(self.evaluator(item, dose_scheme=dose_scheme) for item in definitions)

    def ect_rules(self, definition: str, *, dose_scheme: str | None = None) -> Any:
        """A definition's adequacy rules with ECT counted (how staging judges ECT courses)."""
        evaluator = self.evaluator(definition, dose_scheme=dose_scheme)
        key = (evaluator.entry.ref, dose_scheme)
        found = self._ect_rules.get(key)
        if found is None:
            found = self._ect_rules[key] = evaluator.rules.with_ect_counted(
                evaluator.parameters, self.catalog, dose_scheme=dose_scheme
            )
        return found

    def panel(self, evaluators: tuple[Evaluator, ...]) -> SummaryPanel:
        """The summary panel of these compiled definitions (made once per selection)."""
        key = tuple((evaluator.entry.ref, evaluator.dose_scheme) for evaluator in evaluators)
        found = self._panels.get(key)
        if found is None:
            found = self._panels[key] = SummaryPanel(evaluators, self.version)
        return found

    # --- reading histories -----------------------------------------------------------------------

    def check(self, document: object, *, source: str | None = None) -> Mapping[str, Any]:
        """A treatment-history document after its schema and cross-field checks (or raises
        :class:`~trdcore.exceptions.SchemaValidationError`)."""
        check = self._checker
        if check is None:
            from trdcore.validation import checker

            check = self._checker = checker("treatment-history")
        return check(document, source=source)

    def facts(self, history: Any, *, as_of: Any, inference: Any = None) -> HistoryFacts:
        """A history normalised as of a date: a document (checked first), a
        :class:`~trdcore.models.TreatmentHistory` or facts this engine made before.

        ``inference`` (a :class:`~trdcore.rules.inference.SwitchInference`) fills in the
        outcomes it can infer from the treatments that followed, labelled as inferred.
        Facts made before are reused as they are (with the inference they were made with)."""
        day = as_date(as_of)
        kind = history.__class__
        if kind is HistoryFacts:
            if (
                history.engine is self
                and history.as_of == day
                and (inference is None or history.inference == inference)
            ):
                made: HistoryFacts = history
                return made
            history = history.data
        elif kind is TreatmentHistory:  # a model hands over the checked JSON it stands for
            return self.facts_of_checked(history.document, as_of=day, inference=inference)
        if isinstance(history, Mapping):
            data = self.check(history)
        elif isinstance(history, TreatmentHistory):
            data = history.document
        else:
            raise TrdcoreError(
                "a treatment history is a document (a mapping) or a TreatmentHistory "
                f"model, not {type(history).__name__}"
            )
        return self.facts_of_checked(data, as_of=day, inference=inference)

    def facts_of_checked(
        self, data: Mapping[str, Any], *, as_of: datetime.date, inference: Any = None
    ) -> HistoryFacts:
        """:meth:`facts` of a document that already passed :meth:`check` (the batch path)."""
        trials, notes = read_history(data, as_of, self.catalog)
        if inference is not None:
            trials = inference.apply(trials)
        return HistoryFacts(data, as_of, trials, notes, self, inference)

    def implausible_doses(self, entry: CatalogEntry) -> Mapping[str, float]:
        """By unit, the daily dose above which a record of this drug is implausible."""
        found = self._implausible.get(entry.ref)
        if found is None:
            found = self._implausible[entry.ref] = implausible_doses(entry)
        return found

    def suggestion(self, name: str) -> str:
        """``" (did you mean 'sertraline'?)"`` for a drug name close to a known one, else ``""``."""
        found = self._suggestions.get(name)
        if found is None:
            close = self.catalog.similar_drug_names(name) if name else []
            found = f" (did you mean {close[0]!r}?)" if close else ""
            if len(self._suggestions) >= _SUGGESTIONS:
                self._suggestions.clear()
            self._suggestions[name] = found
        return found

    # --- staging and lint tables -----------------------------------------------------------------

    def staging_table(self, key: str, make: Callable[[], Any]) -> Any:
        """A staging model's compiled table, made once (see :mod:`trdcore.rules.staging`)."""
        found = self._staging.get(key)
        if found is None:
            found = self._staging[key] = make()
        return found

    def lint_report(self, key: Any, make: Callable[[], Any]) -> Any:
        """A lint report of this catalog, made once per date, selection and rule set."""
        found = self._lint_reports.get(key)
        if found is None:
            found = self._lint_reports[key] = make()
        return found
