"""Built-in rules on an item's record: sources cited, review freshness, translation current."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from trdcore.extensions import Finding
from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.pages import LintContext

__all__ = ["ReviewFreshness", "Sourced", "TranslationCurrent", "months_between"]

_REVIEWED_KINDS = frozenset(
    {"drug", "trd-definition", "staging-model", "treatment", "content-module"}
)


class Sourced(BuiltinRule):
    """Clinical content is sourced and reviewed.

    Every item has a reviewer and a review date (``review.reviewed_by`` and
    ``review.last_reviewed``); every section of a content module lists the
    sources of its claims (a section that makes no clinical claim says so
    with a suppression and its reason); and every source id an item cites
    exists in the catalog. Blocks. Source: schema.org MedicalWebPage
    ``reviewedBy``/``lastReviewed``; the project rule that every clinical fact
    carries a source.
    """

    id = "sourced"
    severity = "block"
    audiences = ("patient", "clinician")
    description = "Items have a reviewer and review date; claims cite sources that exist"
    source = "schema.org MedicalWebPage reviewedBy/lastReviewed; trdcore: every fact is sourced"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        if context.kind not in _REVIEWED_KINDS:
            return
        review = getattr(item, "review", None)
        if review is None:
            yield self.finding(
                context,
                "/review",
                "no reviewer and review date",
                "Add review: {reviewed_by: ..., last_reviewed: YYYY-MM-DD}.",
            )
        if context.kind == "content-module":
            for index, section in enumerate(item.sections):
                if not section.sources:
                    yield self.finding(
                        context,
                        f"/sections/{index}",
                        f"section {section.id!r} cites no sources",
                        "List the sources of its claims in 'sources'; if it makes no clinical "
                        "claim, add a suppression of 'sourced' with that reason.",
                    )
        known = _source_ids(context.catalog)
        if known is None:
            return
        for pointer, source_id in _cited_sources(item.to_json(), ""):
            if source_id not in known:
                yield self.finding(
                    context,
                    pointer,
                    f"cites source {source_id!r}, which is not in the catalog",
                    "Add the source document, or fix the id.",
                )


def _source_ids(catalog: Any) -> set[str] | None:
    if catalog is None:
        return None
    return {entry.id for entry in catalog.items("source")}


def _cited_sources(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{pointer}/{key}"
            if key == "sources" and isinstance(inner, list):
                for index, source_id in enumerate(inner):
                    if isinstance(source_id, str):
                        yield f"{here}/{index}", source_id
            else:
                yield from _cited_sources(inner, here)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _cited_sources(inner, f"{pointer}/{index}")


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (negative if later is earlier)."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if later.day < earlier.day:
        months -= 1
    return months


class ReviewFreshness(BuiltinRule):
    """Content is reviewed again within 12 months: warns after 12 months, blocks after 24.

    Measured from ``review.last_reviewed`` to the lint date (``--as-of``; the
    command line defaults it to today, the library never reads the clock and
    skips this rule without a date). A review dated after the lint date is
    reported too. The 12 and 24 months are a project choice.
    """

    id = "review-freshness"
    severity = "block"
    audiences = ("patient", "clinician")
    description = "Reviewed within 12 months (warns), never more than 24 months ago (blocks)"
    source = "Project choice (research notes §4.3, R9)"
    WARN_AFTER_MONTHS = 12
    BLOCK_AFTER_MONTHS = 24

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        review = getattr(item, "review", None)
        if context.as_of is None or review is None or context.kind not in _REVIEWED_KINDS:
            return
        age = months_between(review.last_reviewed, context.as_of)
        last = review.last_reviewed.isoformat()
        if review.last_reviewed > context.as_of:
            yield self.finding(
                context,
                "/review/last_reviewed",
                f"last reviewed {last}, after the lint date {context.as_of.isoformat()}",
                "Check the review date, or lint with the right --as-of date.",
                "warn",
            )
        elif age >= self.BLOCK_AFTER_MONTHS:
            yield self.finding(
                context,
                "/review/last_reviewed",
                f"last reviewed {last}, {age} months before {context.as_of.isoformat()} "
                f"(the limit is {self.BLOCK_AFTER_MONTHS})",
                "Have the content reviewed again and update review.last_reviewed.",
            )
        elif age >= self.WARN_AFTER_MONTHS:
            yield self.finding(
                context,
                "/review/last_reviewed",
                f"last reviewed {last}, {age} months before {context.as_of.isoformat()} "
                f"(review is due every {self.WARN_AFTER_MONTHS})",
                "Schedule a review.",
                "warn",
            )


class TranslationCurrent(BuiltinRule):
    """A translation is of the current version of its original.

    A content module with ``translation_of: ID@VERSION`` records the version
    it was translated from; when the catalog's newest version of ``ID`` is
    another one (or ``ID`` is missing), the translation is stale and blocks.
    Sources: NAM "Beyond Translation" (2015); the CDC Clear Communication
    Index scores each language version separately.
    """

    id = "translation-current"
    severity = "block"
    audiences = ("patient", "clinician")
    description = "Translations are of their original's current version"
    source = "NAM Perspectives 'Beyond Translation' (2015); CDC Clear Communication Index"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        original = getattr(item, "translation_of", None)
        if original is None or context.catalog is None:
            return
        identifier, _, version = original.partition("@")
        current = context.catalog.get(context.kind, identifier)
        if current is None:
            yield self.finding(
                context,
                "/translation_of",
                f"translated from {original}, but {identifier!r} is not in the catalog",
                "Fix translation_of, or add the original.",
            )
        elif current.version != version:
            yield self.finding(
                context,
                "/translation_of",
                f"translated from {original}, but the original is now at version {current.version}",
                f"Update the translation to {current.ref} and set translation_of to match.",
            )
