"""Content rules: checks that patient and clinician text is safe and fit to publish.

Rules are plugins (``trdcore_register_rules``); trdcore's own are in
:mod:`trdcore.lint.builtin_rules`. :func:`lint_catalog` runs them over a catalog and
returns a :class:`LintReport`; ``trdcore lint`` and the export gate in
:func:`trdcore.exporting.run_export` are built on it. See docs/content-rules.md.
"""

from __future__ import annotations

from trdcore.lint.engine import lint_catalog, lint_entries, rule_info
from trdcore.lint.pages import LintContext, Page, TextField, pages, text_fields
from trdcore.lint.readability import Readability, readability, syllables
from trdcore.lint.report import LintReport, ReportedFinding, RuleInfo, SuppressedFinding

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
