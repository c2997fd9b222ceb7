"""Content rules: checks that patient and clinician text is safe and fit to publish.

Rules are plugins (``trdcore_register_rules``); trdcore's own are in
:mod:`trdcore.lint.rules`. :func:`lint_catalog` runs them over a catalog and
returns a :class:`LintReport`; ``trdcore lint`` and the export gate in
:func:`trdcore.exporting.run_export` are built on it. See docs/content-rules.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trdcore.lint.engine import lint_catalog, lint_entries, rule_info
    from trdcore.lint.pages import LintContext, Page, TextField, pages, text_fields
    from trdcore.lint.readability import Readability, readability, syllables
    from trdcore.lint.report import LintReport, ReportedFinding, RuleInfo, SuppressedFinding

# Public name -> module: imported on first use, so `trdcore --help` (which registers the
# `lint` command) does not load the rules, the models and the readability tables.
_LAZY = {
    **dict.fromkeys(("lint_catalog", "lint_entries", "rule_info"), "trdcore.lint.engine"),
    **dict.fromkeys(
        ("LintContext", "Page", "TextField", "pages", "text_fields"), "trdcore.lint.pages"
    ),
    **dict.fromkeys(("Readability", "readability", "syllables"), "trdcore.lint.readability"),
    **dict.fromkeys(
        ("LintReport", "ReportedFinding", "RuleInfo", "SuppressedFinding"), "trdcore.lint.report"
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trdcore.lint' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "LintContext",
    "LintReport",
    "Page",
    "Readability",
    "ReportedFinding",
    "RuleInfo",
    "SuppressedFinding",
    "TextField",
    "lint_catalog",
    "lint_entries",
    "pages",
    "readability",
    "rule_info",
    "syllables",
    "text_fields",
]
