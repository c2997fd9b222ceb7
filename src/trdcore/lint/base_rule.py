"""The shared shape of trdcore's built-in content rules.

Each rule is a small class: ``id``, ``severity`` (the most serious finding it
can make), ``audiences``, ``description``, ``source`` and ``version``, and a
``check(item, context=None)`` that yields :class:`~trdcore.extensions.Finding`
values. A finding may carry its own, lower severity (a reading grade above 6
warns, above 8 blocks). Thresholds and sources are in each docstring and in
docs/content-rules.md. ``context`` (a :class:`~trdcore.lint.pages.LintContext`)
gives the date to judge freshness by and the catalog; a rule called with the
item alone builds a context without them. The rules themselves are listed in
:data:`trdcore.lint.builtin_rules.BUILTIN_RULES`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from trdcore.extensions import Finding, Severity
from trdcore.lint.pages import LintContext, Page

__all__ = ["BuiltinRule"]


class BuiltinRule(abc.ABC):
    """Shared shape of the built-in rules; subclasses set the attributes and ``findings``."""

    id: ClassVar[str]
    severity: ClassVar[Severity]
    audiences: ClassVar[tuple[str, ...]]
    description: ClassVar[str]
    source: ClassVar[str]
    version: ClassVar[str] = "1.0.0"
    #: False for rules a suppression may not switch off (safe messaging, crisis resource).
    suppressible: ClassVar[bool] = True

    def check(self, item: Any, context: LintContext | None = None) -> Iterator[Finding]:
        yield from self.findings(item, context or LintContext.of(item))

    @abc.abstractmethod
    def findings(self, item: Any, context: LintContext) -> Iterable[Finding]:
        """What is wrong with ``item`` under this rule (each subclass says how it looks)."""

    def finding(
        self,
        context: LintContext,
        pointer: str,
        message: str,
        suggestion: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            item=context.ref,
            pointer=pointer,
            message=message,
            suggestion=suggestion,
            severity=severity if severity is not None and severity != self.severity else None,
        )

    def patient_pages(self, context: LintContext) -> list[Page]:
        return [page for page in context.pages if page.audience in self.audiences]
