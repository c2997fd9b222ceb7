"""trdcore: treatment-resistant depression made computable and publishable.

The public API is listed in ``__all__``. Names are imported on first use, so
``import trdcore`` stays fast: validators, schemas and models load only when
something asks for them.
"""

import typing as _typing

from trdcore.release import VERSION as __version__

# public name -> module that defines it
_LAZY = {
    "validate": "trdcore.validation",
    "issues": "trdcore.validation",
    "check_documents": "trdcore.validation",
    "DocumentReport": "trdcore.validation",
    "hookimpl": "trdcore.hookspecs",
    "read_documents": "trdcore.documents",
    "SourceDocument": "trdcore.documents",
    "migrate": "trdcore.migrations",
    "available_schemas": "trdcore.schemas",
    "SchemaRef": "trdcore.schemas",
    "TrdcoreError": "trdcore.exceptions",
    "SchemaValidationError": "trdcore.exceptions",
    "DocumentError": "trdcore.exceptions",
    "UnknownSchemaError": "trdcore.exceptions",
    "UnknownTargetError": "trdcore.exceptions",
    "MigrationError": "trdcore.exceptions",
    "Issue": "trdcore.exceptions",
    "Version": "trdcore.versions",
    "Reference": "trdcore.versions",
    "Catalog": "trdcore.catalog",
    "CatalogEntry": "trdcore.catalog",
    "Engine": "trdcore.engine",
    "Evaluator": "trdcore.evaluation",
    "Status": "trdcore.evaluation",
    "Verdict": "trdcore.evaluation",
    "HistoryFacts": "trdcore.facts",
    "Kernel": "trdcore.batch",
    "KernelResult": "trdcore.batch",
    "TreatmentHistory": "trdcore.models",
    "EvaluationResult": "trdcore.models",
    "load_catalog": "trdcore.app",
    "evaluate": "trdcore.app",
    "evaluate_all": "trdcore.app",
    "evaluate_many": "trdcore.app",
    "evaluation_document": "trdcore.app",
    "Evaluations": "trdcore.app",
    "HistoryEvaluations": "trdcore.app",
    "stage": "trdcore.app",
    "stage_all": "trdcore.app",
    "trials_from_events": "trdcore.rules.events",
}

__all__ = [
    "Catalog",
    "CatalogEntry",
    "DocumentError",
    "DocumentReport",
    "Engine",
    "EvaluationResult",
    "Evaluations",
    "Evaluator",
    "HistoryEvaluations",
    "HistoryFacts",
    "Issue",
    "Kernel",
    "KernelResult",
    "MigrationError",
    "Reference",
    "SchemaRef",
    "SchemaValidationError",
    "SourceDocument",
    "Status",
    "TrdcoreError",
    "TreatmentHistory",
    "UnknownSchemaError",
    "UnknownTargetError",
    "Verdict",
    "Version",
    "__version__",
    "available_schemas",
    "check_documents",
    "evaluate",
    "evaluate_all",
    "evaluate_many",
    "evaluation_document",
    "hookimpl",
    "issues",
    "load_catalog",
    "migrate",
    "read_documents",
    "stage",
    "stage_all",
    "trials_from_events",
    "validate",
]

if _typing.TYPE_CHECKING:
    from trdcore.app import (
        Evaluations,
        HistoryEvaluations,
        evaluate,
        evaluate_all,
        evaluate_many,
        evaluation_document,
        load_catalog,
        stage,
        stage_all,
    )
    from trdcore.batch import Kernel, KernelResult
    from trdcore.catalog import Catalog, CatalogEntry
    from trdcore.documents import SourceDocument, read_documents
    from trdcore.engine import Engine
    from trdcore.evaluation import Evaluator, Status, Verdict
    from trdcore.exceptions import (
        DocumentError,
        Issue,
        MigrationError,
        SchemaValidationError,
        TrdcoreError,
        UnknownSchemaError,
        UnknownTargetError,
    )
    from trdcore.facts import HistoryFacts
    from trdcore.hookspecs import hookimpl
    from trdcore.migrations import migrate
    from trdcore.models import EvaluationResult, TreatmentHistory
    from trdcore.rules.events import trials_from_events
    from trdcore.schemas import SchemaRef, available_schemas
    from trdcore.validation import DocumentReport, check_documents, issues, validate


def __getattr__(name: str) -> object:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trdcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
