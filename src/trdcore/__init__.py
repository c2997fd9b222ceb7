"""trdcore: treatment-resistant depression made computable and publishable.

The public API is listed in ``__all__``. Names are imported on first use, so
``import trdcore`` stays fast: validators, schemas and models load only when
something asks for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "validate": "trdcore.validation",
    "hookimpl": "trdcore.hookspecs",
    "issues": "trdcore.validation",
    "check_documents": "trdcore.validation",
    "DocumentReport": "trdcore.validation",
    "read_documents": "trdcore.documents",
    "SourceDocument": "trdcore.documents",
    "migrate": "trdcore.migrations",
    "available_schemas": "trdcore.schemas",
    "SchemaRef": "trdcore.schemas",
    "TrdcoreError": "trdcore.exceptions",
    "SchemaValidationError": "trdcore.exceptions",
    "DocumentError": "trdcore.exceptions",
    "UnknownSchemaError": "trdcore.exceptions",
    "MigrationError": "trdcore.exceptions",
    "Issue": "trdcore.exceptions",
    "load_catalog": "trdcore.catalog",
    "Catalog": "trdcore.catalog",
    "evaluate": "trdcore.evaluation",
    "evaluate_all": "trdcore.evaluation",
    "evaluation_document": "trdcore.evaluation",
    "Evaluator": "trdcore.evaluation",
    "Verdict": "trdcore.evaluation",
    "history_facts": "trdcore.evaluation",
    "stage": "trdcore.rules.staging",
    "stage_all": "trdcore.rules.staging",
    "trials_from_events": "trdcore.rules.events",
}

__all__ = [
    "Catalog",
    "DocumentError",
    "DocumentReport",
    "Evaluator",
    "Issue",
    "MigrationError",
    "SchemaRef",
    "SchemaValidationError",
    "SourceDocument",
    "TrdcoreError",
    "UnknownSchemaError",
    "Verdict",
    "__version__",
    "available_schemas",
    "check_documents",
    "evaluate",
    "evaluate_all",
    "evaluation_document",
    "history_facts",
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

if TYPE_CHECKING:
    from trdcore.catalog import Catalog, load_catalog
    from trdcore.documents import SourceDocument, read_documents
    from trdcore.evaluation import (
        Evaluator,
        Verdict,
        evaluate,
        evaluate_all,
        evaluation_document,
        history_facts,
    )
    from trdcore.exceptions import (
        DocumentError,
        Issue,
        MigrationError,
        SchemaValidationError,
        TrdcoreError,
        UnknownSchemaError,
    )
    from trdcore.hookspecs import hookimpl
    from trdcore.migrations import migrate
    from trdcore.rules.events import trials_from_events
    from trdcore.rules.staging import stage, stage_all
    from trdcore.schemas import SchemaRef, available_schemas
    from trdcore.validation import DocumentReport, check_documents, issues, validate


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trdcore' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
