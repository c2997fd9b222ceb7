"""Inline suppressions: a content rule switched off for one part of an item, with a reason.

A content module's section, and a treatment's patient or clinician text, may
list ``suppressions: [{rule, reason}]``; a suppression covers findings whose
JSON pointer lies inside that section or text. The reason is required (the
schema asks for at least 10 characters) and every suppressed finding is
listed in lint output with it, so nothing disappears silently. A suppression
cannot switch off a rule marked ``suppressible = False`` (safe messaging, the
crisis resource); one that names an unknown rule, or matches no finding, is
itself reported as a warning so stale suppressions get cleaned up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from trdcore.extensions import ContentRule, Finding

__all__ = ["ENGINE_RULE", "Suppression", "apply_suppressions", "declared_suppressions"]

#: The rule id under which the engine reports problems with suppressions themselves.
ENGINE_RULE = "lint-suppressions"


@attrs.frozen
class Suppression:
    """One declared suppression: the part it covers (a JSON pointer prefix), rule and reason."""

    scope: str
    rule: str
    reason: str
    pointer: str  # where the suppression itself is written


def declared_suppressions(item: Any) -> tuple[Suppression, ...]:
    """Every suppression ``item`` declares: on a module's sections, or on a treatment's texts."""
    scoped: list[tuple[str, Any]] = [
        (f"/sections/{index}", section)
        for index, section in enumerate(getattr(item, "sections", None) or ())
    ]
    text = getattr(item, "text", None)
    for audience in ("patient", "clinician"):
        if text is not None and hasattr(text, audience):
            scoped.append((f"/text/{audience}", getattr(text, audience)))
    return tuple(
        Suppression(
            scope=scope,
            rule=suppression.rule,
            reason=suppression.reason,
            pointer=f"{scope}/suppressions/{number}",
        )
        for scope, part in scoped
        for number, suppression in enumerate(getattr(part, "suppressions", None) or ())
    )


def _covers(scope: str, pointer: str) -> bool:
    return pointer == scope or pointer.startswith(scope + "/")


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Iterable[Suppression],
    rules: Mapping[str, ContentRule],
    *,
    ref: str,
) -> tuple[list[Finding], list[tuple[Finding, Suppression]], list[Finding]]:
    """Split ``findings`` into kept and suppressed; also return problems with the suppressions."""
    declared = list(suppressions)
    problems: list[Finding] = []
    usable = []
    for suppression in declared:
        rule = rules.get(suppression.rule)
        if rule is None:
            problems.append(
                Finding(
                    ENGINE_RULE,
                    ref,
                    suppression.pointer,
                    f"suppresses unknown rule {suppression.rule!r}",
                    "Fix the rule id (see `trdcore lint --list-rules`) or remove the suppression.",
                )
            )
        elif not getattr(rule, "suppressible", True):
            problems.append(
                Finding(
                    ENGINE_RULE,
                    ref,
                    suppression.pointer,
                    f"rule {suppression.rule!r} cannot be suppressed",
                    "Fix the text instead.",
                )
            )
        elif len(suppression.reason.split()) < 2:
            problems.append(
                Finding(
                    ENGINE_RULE,
                    ref,
                    suppression.pointer,
                    f"suppression of {suppression.rule!r} gives no real reason",
                    "Say in a sentence why the rule does not apply here.",
                )
            )
        else:
            usable.append(suppression)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, Suppression]] = []
    used: set[Suppression] = set()
    for finding in findings:
        match = next(
            (s for s in usable if s.rule == finding.rule and _covers(s.scope, finding.pointer)),
            None,
        )
        if match is None:
            kept.append(finding)
        else:
            suppressed.append((finding, match))
            used.add(match)
    for suppression in usable:
        if suppression not in used:
            problems.append(
                Finding(
                    ENGINE_RULE,
                    ref,
                    suppression.pointer,
                    f"suppression of {suppression.rule!r} matches no finding",
                    "Remove it: the text now passes the rule.",
                )
            )
    return kept, suppressed, problems
