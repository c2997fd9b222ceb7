"""The result of a lint run, as values, text and JSON (also recorded in export manifests)."""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from trdcore.extensions import Severity

__all__ = ["LintReport", "ReportedFinding", "RuleInfo", "SuppressedFinding"]

_ORDER: dict[str, int] = {"block": 0, "warn": 1, "review": 2}


@attrs.frozen
class RuleInfo:
    """A rule that took part in a lint run, with its version and the plugin that gave it."""

    id: str
    version: str
    severity: Severity
    audiences: tuple[str, ...]
    description: str
    source: str
    plugin: str

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self) | {"audiences": list(self.audiences)}


@attrs.frozen
class ReportedFinding:
    """A finding with its effective severity and the version of the rule that made it."""

    rule: str
    rule_version: str
    severity: Severity
    item: str
    pointer: str
    message: str
    suggestion: str | None = None
    origin: str | None = None  # the plugin or file the item came from

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in attrs.asdict(self).items() if value is not None}

    def describe(self) -> str:
        return f"{self.item} {self.pointer or '(item)'}: {self.message} [{self.rule}]"


@attrs.frozen
class SuppressedFinding:
    """A finding switched off by an inline suppression, with the reason given for it."""

    finding: ReportedFinding
    reason: str
    declared_at: str

    def to_json(self) -> dict[str, Any]:
        return self.finding.to_json() | {"reason": self.reason, "declared_at": self.declared_at}


@attrs.frozen
class LintReport:
    """Everything one lint run found, sorted so the same content gives the same report."""

    as_of: datetime.date | None
    rules: tuple[RuleInfo, ...]
    items: int
    findings: tuple[ReportedFinding, ...]
    suppressed: tuple[SuppressedFinding, ...] = ()

    @property
    def blocking(self) -> tuple[ReportedFinding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == "block")

    @property
    def blocked(self) -> bool:
        """True when any finding blocks publishing."""
        return bool(self.blocking)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(_ORDER, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts | {"suppressed": len(self.suppressed)}

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "items": self.items,
            "rules": [rule.to_json() for rule in self.rules],
            "counts": self.counts(),
            "blocked": self.blocked,
            "findings": [finding.to_json() for finding in self.findings],
            "suppressed": [entry.to_json() for entry in self.suppressed],
        }

    def to_manifest(self, *, forced: bool) -> dict[str, Any]:
        """The lint result an export manifest records: rules and versions, counts, findings."""
        return {
            "checked": True,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rules": {rule.id: rule.version for rule in self.rules},
            "items": self.items,
            "counts": self.counts(),
            "blocked": self.blocked,
            "forced": forced,
            "findings": [
                {
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "item": finding.item,
                    "pointer": finding.pointer,
                    "message": finding.message,
                }
                for finding in self.findings
            ],
            "suppressed": [
                {
                    "rule": entry.finding.rule,
                    "item": entry.finding.item,
                    "pointer": entry.finding.pointer,
                    "reason": entry.reason,
                }
                for entry in self.suppressed
            ],
        }

    def to_text(self, *, verbose: bool = True) -> str:
        """A human report: findings by severity, suppressions with reasons, a summary.

        ``verbose=False`` leaves out review findings (they are counted in the
        summary) and fix hints.
        """
        lines: list[str] = []
        labels = {"block": "BLOCK", "warn": "warn", "review": "review"}
        for finding in self.findings:
            if not verbose and finding.severity == "review":
                continue
            lines.append(f"{labels[finding.severity]:6} {finding.describe()}")
            if verbose and finding.suggestion:
                lines.append(f"       fix: {finding.suggestion}")
        for entry in self.suppressed:
            lines.append(
                f"suppressed {entry.finding.describe()}\n"
                f"       reason ({entry.declared_at}): {entry.reason}"
            )
        counts = self.counts()
        as_of = self.as_of.isoformat() if self.as_of else "not given (freshness not checked)"
        lines.append(
            f"{self.items} item{'s' if self.items != 1 else ''} checked with {len(self.rules)} "
            f"rules, as of {as_of}: {counts['block']} blocking, {counts['warn']} warnings, "
            f"{counts['review']} awaiting human review, {counts['suppressed']} suppressed"
        )
        return "\n".join(lines) + "\n"


def sort_key(finding: ReportedFinding) -> tuple[int, str, str, str, str]:
    return (_ORDER[finding.severity], finding.item, finding.pointer, finding.rule, finding.message)
