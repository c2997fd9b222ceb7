"""The plugin test kit: a pytest plugin for people who write trdcore plugins.

Installed with trdcore and loaded by pytest through the ``pytest11`` entry
point (switch it off with ``-p no:trdcore``). It gives:

- ``trdcore_pm``: a fresh plugin manager per test with trdcore's hooks and
  built-in behaviour but no installed entry points and no built-in catalog
  content, so tests see only what they register;
- ``register_plugin(plugin, name=None)``: register a plugin object (a module
  or an instance with ``@hookimpl`` methods) for the duration of one test;
- :func:`valid_document`: a minimal valid document of any schema, with
  overrides;
- :func:`assert_valid`: a schema check whose failure message shows the most
  relevant problem and its JSON pointer;
- :func:`run_export` / :func:`run_import`: run an exporter or importer and
  get an outcome object whose ``assert_ok()`` explains any failure;
- :func:`builtin_catalog` / :func:`catalog_with`: the built-in catalog, loaded
  once, or with documents added, changed or left out, for exporter tests;
- :func:`run_cli`: run ``trdcore ARGV...`` in the test's process, as the console script
  does (exit codes included), with pytest's ``capfdbinary`` capturing its output;
- :func:`needs_peer`: skip a test whose real outside peer (a browser, a Node
  validator, poppler) is missing, or fail it when ``TRDCORE_REQUIRE_PEERS=1``
  (as ``make test`` and CI set) so a missing peer cannot pass unnoticed.

Example::

    def test_my_exporter(trdcore_pm, register_plugin):
        register_plugin(my_plugin)
        outcome = run_export("my-target", pm=trdcore_pm)
        outcome.assert_ok()
        assert "index.txt" in outcome.files
"""

from __future__ import annotations

import copy
import datetime
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from trdcore.catalog import Catalog
from trdcore.engine import Engine
from trdcore.exceptions import TrdcoreError
from trdcore.extensions import OptionValue
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager

__all__ = [
    "ExportOutcome",
    "ImportRun",
    "assert_valid",
    "builtin_catalog",
    "catalog_with",
    "needs_peer",
    "register_plugin",
    "run_cli",
    "run_export",
    "run_import",
    "trdcore_pm",
    "valid_document",
]

_SOURCE = ["example-source"]
_REVIEW = {"reviewed_by": "Test Reviewer", "last_reviewed": "2026-01-15"}
_MINIMAL: dict[str, dict[str, Any]] = {
    "treatment-history": {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": "2024-01-10"},
        "trials": [
            {
                "drug": {"name": "sertraline"},
                "daily_dose": {"value": 100, "unit": "mg"},
                "start_date": "2024-01-15",
                "end_date": "2024-04-01",
                "outcome": "non-response",
            }
        ],
    },
    "source": {
        "schema": "source@1.0.0",
        "id": "example-source",
        "version": "1.0.0",
        "title": "An example source",
        "year": 2020,
        "kind": "paper",
        "reliability": "primary",
        "url": "https://example.org/paper",
    },
    "drug": {
        "schema": "drug@1.0.0",
        "id": "example-drug",
        "version": "1.0.0",
        "status": "draft",
        "name": "exampline",
        "roles": ["antidepressant"],
        "classes": [
            {
                "taxonomy": "who-atc",
                "code": "N06AX",
                "name": "Other antidepressants",
                "sources": _SOURCE,
            }
        ],
        "sources": _SOURCE,
    },
    "trd-definition": {
        "schema": "trd-definition@1.0.0",
        "id": "example-definition",
        "version": "1.0.0",
        "status": "draft",
        "title": "An example definition",
        "summary": "Two failed trials of any class; for tests only.",
        "parameters": {
            "min_failed_trials": {"value": 2, "sources": _SOURCE, "verification": "unverified"},
            "distinct_classes": {
                "required": False,
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "min_trial_weeks": {"value": 6, "sources": _SOURCE, "verification": "unverified"},
            "adequate_dose": {
                "method": "clinician-judgment",
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "non_response": {
                "method": "recorded-outcome",
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "counts_as_trial": {
                "antidepressant": True,
                "augmentation": True,
                "psychotherapy": False,
                "ect": False,
                "other-neurostimulation": False,
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "episode_scope": {
                "value": "current-episode",
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "adherence_required": {"value": True, "sources": _SOURCE, "verification": "unverified"},
            "intolerance_counts_as_failure": {
                "value": False,
                "sources": _SOURCE,
                "verification": "unverified",
            },
            "missing_data": "indeterminate",
        },
        "sources": _SOURCE,
    },
    "staging-model": {
        "schema": "staging-model@1.0.0",
        "id": "example-staging",
        "version": "1.0.0",
        "status": "draft",
        "title": "An example staging model",
        "method": "ordinal",
        "stages": [{"label": "I", "criterion": "one failed trial"}],
        "sources": _SOURCE,
    },
    "treatment": {
        "schema": "treatment@1.0.0",
        "id": "example-treatment",
        "version": "1.0.0",
        "status": "draft",
        "name": "Example treatment",
        "category": "psychotherapy",
        "text": {
            "patient": {"text": "Plain words for patients."},
            "clinician": {"text": "Words for clinicians."},
        },
        "sources": _SOURCE,
    },
    "content-module": {
        "schema": "content-module@1.0.0",
        "id": "example-module",
        "version": "1.0.0",
        "status": "draft",
        "title": "Example page",
        "audience": "patient",
        "language": "en",
        "sections": [{"id": "intro", "heading": "About", "body": "Some text."}],
        "review": _REVIEW,
    },
    "evaluation-result": {
        "schema": "evaluation-result@1.2.0",
        "definition": "example-definition@1.0.0",
        "catalog_version": "0.1.0",
        "as_of": "2026-01-15",
        "status": "indeterminate",
        "trials": [],
        "counts": {"adequate_failed_trials": 0, "distinct_classes": 0},
        "missing": [],
        "warnings": [],
        "engine": {"name": "trdcore", "version": "0.1.0"},
    },
}


def valid_document(schema: str, **overrides: Any) -> dict[str, Any]:
    """A small valid document of ``schema`` (a name, any packaged version) with top-level overrides.

    The result is a fresh copy; change it freely. Overriding can of course
    make it invalid; check with :func:`assert_valid` when that matters.
    """
    name = schema.split("@", 1)[0]
    if name not in _MINIMAL:
        raise KeyError(f"no example for schema {schema!r}; known: {', '.join(sorted(_MINIMAL))}")
    document = copy.deepcopy(_MINIMAL[name])
    document.update(overrides)
    return document


def assert_valid(document: object, schema: str | None = None) -> None:
    """Fail the test with the most relevant problem (and a count) unless ``document`` is valid."""
    from trdcore.validation import issues

    found = issues(document, schema)
    if found:
        lines = "\n".join(f"  {issue.describe()}" for issue in found)
        count = f"{len(found)} problem{'s' if len(found) != 1 else ''}"
        raise AssertionError(f"not a valid {schema or 'document'} ({count}):\n{lines}")


@attrs.frozen
class ExportOutcome:
    """What an exporter produced, or the error it ended with."""

    target: str
    files: Mapping[str, bytes | str] = attrs.field(factory=dict)
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    error: TrdcoreError | None = None
    lint: Mapping[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def assert_ok(self) -> None:
        """Fail the test with the exporter's error if it had one."""
        if self.error is not None:
            raise AssertionError(f"export {self.target!r} failed: {self.error}")

    def text(self, name: str) -> str:
        """One output file as text."""
        content = self.files[name]
        return content.decode("utf-8") if isinstance(content, bytes) else content


@functools.cache
def _builtin_documents() -> tuple[tuple[str, Mapping[str, Any]], ...]:
    from trdcore.plugins import content_documents

    manager = get_plugin_manager(load_entry_points=False, environ={})
    return tuple(content_documents(manager))


def builtin_catalog() -> Catalog:
    """trdcore's built-in catalog alone (no installed plugins), loaded once per test run."""
    return catalog_with()


def catalog_with(
    *extra: Mapping[str, Any],
    change: Callable[[dict[str, Any]], object] | None = None,
    drop: tuple[str, ...] = (),
    reverse: bool = False,
) -> Catalog:
    """The built-in catalog with ``extra`` documents added, each built-in document passed
    through ``change`` (on a copy), those whose id is in ``drop`` left out, and the order
    reversed if asked (exports must not depend on it). Fails the test if anything is invalid.
    """
    if not extra and change is None and not drop and not reverse:
        return _plain_builtin_catalog()
    documents: list[tuple[str, Mapping[str, Any]]] = []
    for plugin, document in _builtin_documents():
        if document.get("id") in drop:
            continue
        if change is not None:
            changed = copy.deepcopy(dict(document))
            change(changed)
            document = changed
        documents.append((plugin, document))
    documents += [("tests", document) for document in extra]
    if reverse:
        documents.reverse()
    catalog = Catalog.from_documents(documents)
    assert catalog.problems == (), catalog.problems
    return catalog


@functools.cache
def _plain_builtin_catalog() -> Catalog:
    catalog = Catalog.from_documents(_builtin_documents())
    assert catalog.problems == (), catalog.problems
    return catalog


def needs_peer(available: bool, peer: str) -> None:
    """Skip the calling test when its outside peer is missing, or fail it under
    ``TRDCORE_REQUIRE_PEERS=1``, naming what to install.

    ``needs_peer(shutil.which("pdfinfo") is not None, "pdfinfo (Debian poppler-utils)")``
    """
    if available:
        return
    message = f"{peer} is not installed; `make setup` installs it"
    if os.environ.get("TRDCORE_REQUIRE_PEERS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run_cli(capture: Any, *argv: str) -> tuple[int, str, str]:
    """Run ``trdcore ARGV...`` in this process: (exit code, standard output, standard error).

    It goes through :func:`trdcore.cli.main`, so errors become the exit codes and messages a
    user sees. ``capture`` is pytest's ``capfdbinary`` fixture (commands write bytes).
    """
    from trdcore.cli import main

    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capture.readouterr()
    return code, out.decode(), err.decode()


def run_export(
    target: str,
    *,
    pm: TrdcorePluginManager,
    catalog: Catalog | None = None,
    options: Mapping[str, OptionValue] | None = None,
    locale: str | None = None,
    force: bool = False,
    as_of: datetime.date | None = None,
    engine: Engine | None = None,
) -> ExportOutcome:
    """Run the exporter ``target`` registered in ``pm``; never raises trdcore errors.

    The content rules gate the export as on the command line: blocking
    findings make it fail unless ``force``; ``outcome.lint`` is what the
    manifest would record. ``as_of`` is the review-freshness date (None: not
    judged, so a test does not depend on the day it runs). With an ``engine``
    (instead of ``catalog``), several exports lint the catalog once.
    """
    from trdcore.exporting import run_export as export

    try:
        result = export(
            target,
            manager=pm,
            catalog=catalog,
            options=options,
            locale=locale,
            force=force,
            as_of=as_of,
            engine=engine,
        )
    except TrdcoreError as error:
        return ExportOutcome(target, error=error)
    return ExportOutcome(
        target, files=dict(result.files), metadata=dict(result.metadata), lint=result.lint
    )


@attrs.frozen
class ImportRun:
    """What an importer produced: valid histories, warnings, invalid documents, or an error."""

    source: str
    documents: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    error: TrdcoreError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.invalid

    def assert_ok(self) -> None:
        """Fail the test if the importer failed or produced an invalid history."""
        if self.error is not None:
            raise AssertionError(f"import {self.source!r} failed: {self.error}")
        if self.invalid:
            raise AssertionError(
                f"import {self.source!r} produced invalid histories:\n"
                + "\n".join(f"  {problem}" for problem in self.invalid)
            )


def run_import(
    source: str,
    path: str | Path,
    *,
    pm: TrdcorePluginManager,
    options: Mapping[str, Any] | None = None,
) -> ImportRun:
    """Run the importer ``source`` registered in ``pm`` on ``path`` (a file, or a database
    URL for an importer that accepts URLs); never raises trdcore errors."""
    from trdcore.exporting import run_import as read

    try:
        outcome = read(source, path, manager=pm, options=options)
    except TrdcoreError as error:
        return ImportRun(source, error=error)
    return ImportRun(source, outcome.documents, outcome.warnings, outcome.invalid)


@pytest.fixture
def trdcore_pm() -> TrdcorePluginManager:
    """A fresh plugin manager: trdcore's hooks and built-in behaviour, no installed entry
    points and no built-in catalog content, so a test sees only what it registers."""
    return get_plugin_manager(load_entry_points=False, environ={}, builtin_content=False)


@pytest.fixture
def register_plugin(trdcore_pm: TrdcorePluginManager) -> Iterator[Callable[..., str]]:
    """Register plugin objects into ``trdcore_pm`` for this test; they are removed afterwards.

    Returns the name the plugin was registered under. A plugin the host
    refuses (a misspelled hook, say) raises the PluginError at once.
    """
    registered: list[str] = []
    trdcore_pm.strict = True

    def register(plugin: object, name: str | None = None) -> str:
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        trdcore_pm.add(plugin, name)
        registered.append(name)
        return name

    yield register
    for name in registered:
        if trdcore_pm.get_plugin(name) is not None:
            trdcore_pm.unregister(name=name)
