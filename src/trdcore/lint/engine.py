"""Running content rules over content items: the API behind ``trdcore lint`` and the export gate."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.engine import Engine
from trdcore.exceptions import TrdcoreError
from trdcore.extensions import ContentRule, Finding
from trdcore.lint.pages import LintContext
from trdcore.lint.report import LintReport, ReportedFinding, RuleInfo, SuppressedFinding, sort_key
from trdcore.lint.suppressions import ENGINE_RULE, apply_suppressions, declared_suppressions

__all__ = ["lint_catalog", "lint_entries", "rule_info", "rule_owners", "rules_signature"]

ENGINE_VERSION = "1.0.0"


def rule_info(rule: ContentRule, plugin: str = "?") -> RuleInfo:
    """What a lint report says about a rule."""
    return RuleInfo(
        id=rule.id,
        version=str(getattr(rule, "version", "unversioned")),
        severity=rule.severity,
        audiences=tuple(rule.audiences),
        description=rule.description,
        source=rule.source,
        plugin=plugin,
    )


def rule_owners(manager: Any, rules: Mapping[str, ContentRule]) -> dict[str, str]:
    """The plugin that registered each rule, by rule id (for reports)."""
    return {rule_id: manager.owners.get(("content rule", rule_id), "?") for rule_id in rules}


def _wants_context(rule: ContentRule) -> bool:
    try:
        parameters = inspect.signature(rule.check).parameters
    except (TypeError, ValueError):
        return False
    return "context" in parameters


def _applies(rule: ContentRule, context: LintContext) -> bool:
    kinds = getattr(rule, "kinds", None)
    if kinds is not None and context.kind not in kinds:
        return False
    return any(field.audience in rule.audiences for field in context.fields)


def _run(rule: ContentRule, item: Any, context: LintContext, wants_context: bool) -> list[Finding]:
    """One rule over one item; a rule that fails is a blocking finding, never a crash.

    Failing closed is deliberate: content a rule could not check has not
    been shown to be safe to publish.
    """
    try:
        produced = rule.check(item, context=context) if wants_context else rule.check(item)  # type: ignore[call-arg]
        found = list(produced)
    except Exception as error:
        return [
            Finding(
                rule.id,
                context.ref,
                "",
                f"the rule failed on this item ({type(error).__name__}: {error}); the item is "
                "unchecked",
                "Report it to the rule's plugin; restrict the rule with `kinds` if it does not "
                "apply to this kind of content.",
                "block",
            )
        ]
    bad = [finding for finding in found if not isinstance(finding, Finding)]
    if bad:
        return [
            Finding(
                rule.id,
                context.ref,
                "",
                f"the rule returned {type(bad[0]).__name__}, not Finding; the item is unchecked",
                None,
                "block",
            )
        ]
    return found


def lint_entries(
    entries: Iterable[CatalogEntry],
    rules: Mapping[str, ContentRule],
    *,
    as_of: datetime.date | None = None,
    catalog: Catalog | None = None,
    owners: Mapping[str, str] | None = None,
) -> LintReport:
    """Run ``rules`` over catalog ``entries`` and return the report.

    ``as_of`` is the date review freshness is judged by (no date: not
    judged); ``catalog`` is the whole catalog, for rules that look items up
    (cited sources, a translation's original); ``owners`` maps rule ids to
    the plugins that registered them, for the report.
    """
    owners = owners or {}
    ordered = sorted(rules.items())
    infos = [rule_info(rule, owners.get(rule_id, "?")) for rule_id, rule in ordered]
    versions = {info.id: info.version for info in infos} | {ENGINE_RULE: ENGINE_VERSION}
    # Problems with suppressions (ENGINE_RULE) warn: the finding itself still counts.
    severities = {info.id: info.severity for info in infos} | {ENGINE_RULE: "warn"}
    wants = {rule_id: _wants_context(rule) for rule_id, rule in ordered}
    findings: list[ReportedFinding] = []
    suppressed: list[SuppressedFinding] = []
    count = 0
    for entry in entries:
        count += 1
        context = LintContext.of(entry.model, as_of=as_of, catalog=catalog)
        raw: list[Finding] = []
        for rule_id, rule in ordered:
            if _applies(rule, context):
                raw += _run(rule, entry.model, context, wants[rule_id])
        kept, switched_off, problems = apply_suppressions(
            raw, declared_suppressions(entry.model), rules, ref=context.ref
        )

        def report(finding: Finding) -> ReportedFinding:
            return ReportedFinding(
                rule=finding.rule,
                rule_version=versions.get(finding.rule, "unversioned"),
                severity=finding.severity or severities.get(finding.rule, "warn"),
                item=finding.item,
                pointer=finding.pointer,
                message=finding.message,
                suggestion=finding.suggestion,
                origin=entry.plugin,  # noqa: B023 (used within this iteration only)
            )

        findings += [report(finding) for finding in kept]
        findings += [report(problem) for problem in problems]
        suppressed += [
            SuppressedFinding(report(finding), suppression.reason, suppression.pointer)
            for finding, suppression in switched_off
        ]
    findings.sort(key=sort_key)
    suppressed.sort(key=lambda entry: sort_key(entry.finding))
    engine = RuleInfo(
        ENGINE_RULE,
        ENGINE_VERSION,
        "warn",
        ("patient", "clinician"),
        "Suppressions name a known, suppressible rule, give a reason, and match a finding",
        "trdcore lint engine",
        "trdcore",
    )
    return LintReport(as_of, (*infos, engine), count, tuple(findings), tuple(suppressed))


def rules_signature(
    rules: Mapping[str, ContentRule], owners: Mapping[str, str] | None = None
) -> tuple[Hashable, ...]:
    """What identifies a rule set for caching: each rule's id, class, declared attributes, owner.

    Rules are made afresh on every hook call, so instances cannot be the key;
    their class (the object itself, not its name), version, severity,
    audiences, kinds and suppressibility, the plugin that registered them, and
    the ``repr`` of any state set on the instance (a rule configured with
    other arguments) stand for them instead.
    """
    owners = owners or {}
    signature = []
    for rule_id, rule in sorted(rules.items()):
        state = getattr(rule, "__dict__", None)
        kinds = getattr(rule, "kinds", None)
        signature.append(
            (
                rule_id,
                type(rule),
                str(getattr(rule, "version", "unversioned")),
                rule.severity,
                tuple(rule.audiences),
                None if kinds is None else tuple(kinds),
                bool(getattr(rule, "suppressible", True)),
                owners.get(rule_id, "?"),
                repr(sorted(state.items())) if state else "",
            )
        )
    return tuple(signature)


def lint_catalog(
    catalog: Catalog,
    rules: Mapping[str, ContentRule],
    *,
    as_of: datetime.date | None = None,
    owners: Mapping[str, str] | None = None,
    drafts: bool = True,
    engine: Engine | None = None,
) -> LintReport:
    """Run ``rules`` over every item of ``catalog`` (see :func:`lint_entries`).

    ``drafts=False`` leaves out draft items (the export gate: drafts are
    never published). With an ``engine`` (:class:`~trdcore.engine.Engine`
    of this catalog) the report is kept by the engine under the lint date,
    the item selection and :func:`rules_signature`: a catalog never changes
    and rules are pure, so exporting several formats with one engine lints
    once, while another date or rule set (a plugin's rule added or upgraded)
    lints again.
    """

    def make() -> LintReport:
        entries = catalog.entries
        if not drafts:
            entries = tuple(e for e in entries if getattr(e.model, "status", None) != "draft")
        return lint_entries(entries, rules, as_of=as_of, catalog=catalog, owners=owners)

    if engine is None:
        return make()
    if engine.catalog is not catalog and engine.fingerprint != catalog.fingerprint:
        raise TrdcoreError("lint_catalog: the engine given was made for another catalog")
    key = ("lint", as_of, drafts, rules_signature(rules, owners))
    report: LintReport = engine.lint_report(key, make)
    return report
