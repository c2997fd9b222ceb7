"""Built-in rules for the human review instruments: PEMAT-P and the CDC Clear Communication Index.

Software never scores these: the rules read the scores a trained reviewer stored, and add a
few automated pre-checks on English pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from trdcore.extensions import Finding
from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.pages import LintContext, Page
from trdcore.lint.readability import plain_blocks, sentences

__all__ = ["ClearCommunicationIndex", "Pemat"]

_ACTION_START = re.compile(
    r"^(?:ask|talk|tell|call|text|go|write|save|bring|keep|take|make|use|check|plan|find|get|"
    r"let|try|share|follow|read|learn|contact|visit|see|list|give|put|stop|start|do)\b",
    re.IGNORECASE,
)


def _has_action_step(page: Page) -> bool:
    return any(
        _ACTION_START.match(sentence)
        for body in page.bodies
        for sentence in sentences(plain_blocks(body.text))
    )


def _has_headings(page: Page) -> bool:
    if len(page.bodies) > 1:
        return True  # a module's sections each have a heading
    return bool(re.search(r"^\s*(?:#+\s|\*\*[^*\n]+\*\*\s*$)", page.markdown, re.MULTILINE))


def _latest(records: Iterable[Any]) -> tuple[int, Any] | None:
    """The newest record and its index (the later one listed wins a tie)."""
    return max(enumerate(records), key=lambda pair: (pair[1].date, pair[0]), default=None)


class Pemat(BuiltinRule):
    """PEMAT-P understandability and actionability, each at least 70%, as stored human scores.

    A trained reviewer scores the page with AHRQ's Patient Education
    Materials Assessment Tool (PEMAT-P, for print: 17 understandability and 7
    actionability items; score = points / applicable items x 100) and the
    result is stored in ``human_reviews.pemat`` of the module or treatment
    (a treatment's scores are of its patient text). The newest record counts.
    No record is a ``review`` finding (a person has to do it; software never
    invents a score); a stored score below 70 blocks. The PEMAT guide counts
    a score above 70% as understandable or actionable; the issue and this
    rule accept 70. Automated pre-checks on English pages (warn): the page
    uses headings, and has at least one explicit action step (a sentence
    that starts with a verb such as "Ask", "Call", "Tell"). Source: AHRQ
    PEMAT user's guide (Shoemaker, Wolf, Brach; AHRQ Pub. No. 14-0002-EF,
    2013/2014).
    """

    id = "pemat"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient",)
    description = "PEMAT-P understandability and actionability of patient pages are at least 70%"
    source = "AHRQ PEMAT user's guide, Pub. No. 14-0002-EF (2013, updated 2014)"
    AT_LEAST = 70.0

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            newest = _latest((page.human_reviews and page.human_reviews.pemat) or ())
            if newest is None:
                yield self.finding(
                    context,
                    "/human_reviews",
                    f"no stored PEMAT score (understandability and actionability each need "
                    f"{self.AT_LEAST:g}%)",
                    "Have a trained reviewer score the page with PEMAT-P and add a "
                    "human_reviews.pemat record.",
                    "review",
                )
            else:
                index, record = newest
                low = [
                    f"{label} {value:g}%"
                    for label, value in (
                        ("understandability", record.understandability_percent),
                        ("actionability", record.actionability_percent),
                    )
                    if value < self.AT_LEAST
                ]
                if low:
                    yield self.finding(
                        context,
                        f"/human_reviews/pemat/{index}",
                        f"{record.form} scored {' and '.join(low)} on {record.date.isoformat()} "
                        f"(by {record.reviewed_by}); each needs at least {self.AT_LEAST:g}%",
                        "Revise the page and have it scored again.",
                    )
            if page.english:
                yield from self.pre_checks(page, context)

    def pre_checks(self, page: Page, context: LintContext) -> Iterator[Finding]:
        where = page.pointer or "/sections"
        if not _has_headings(page):
            yield self.finding(
                context,
                where,
                "no headings break the page into chunks (PEMAT understandability)",
                "Add short headings such as 'What to expect' and 'Side effects'.",
                "warn",
            )
        if not _has_action_step(page):
            yield self.finding(
                context,
                where,
                "no sentence tells the reader what to do (PEMAT actionability)",
                "Add at least one clear step, such as 'Ask your doctor ...'.",
                "warn",
            )


class ClearCommunicationIndex(BuiltinRule):
    """CDC Clear Communication Index of at least 90, as a stored human score.

    The Index has 4 open questions and 20 scored items (main message and call
    to action, language, information design, state of the science,
    behavioural recommendations, numbers, risk); the score is out of 100 and
    the target is 90 or more (https://www.cdc.gov/ccindex/); material shorter
    than a page may use CDC's modified score sheet (``score_sheet:
    modified``). Stored in ``human_reviews.clear_communication_index``; the
    newest record counts. No record is a ``review`` finding; a stored score
    below 90 blocks. Each language version is scored on its own, as CDC asks
    when audiences differ. Automated pre-check on English pages (warn): the
    page has a call to action.
    """

    id = "cdc-clear-communication-index"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient",)
    description = "CDC Clear Communication Index of patient pages is at least 90"
    source = "CDC Clear Communication Index, https://www.cdc.gov/ccindex/"
    AT_LEAST = 90.0

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            records = (page.human_reviews and page.human_reviews.clear_communication_index) or ()
            newest = _latest(records)
            if newest is None:
                yield self.finding(
                    context,
                    "/human_reviews",
                    f"no stored CDC Clear Communication Index score (needs {self.AT_LEAST:g})",
                    "Have a trained reviewer score the page and add a "
                    "human_reviews.clear_communication_index record.",
                    "review",
                )
            elif newest[1].score < self.AT_LEAST:
                index, record = newest
                yield self.finding(
                    context,
                    f"/human_reviews/clear_communication_index/{index}",
                    f"CDC Clear Communication Index scored {record.score:g} on "
                    f"{record.date.isoformat()} (by {record.reviewed_by}); at least "
                    f"{self.AT_LEAST:g} is needed",
                    "Revise the page and have it scored again.",
                )
            if page.english and not _has_action_step(page):
                yield self.finding(
                    context,
                    page.pointer or "/sections",
                    "no call to action (CDC Clear Communication Index item 2)",
                    "Tell the reader what to do next, such as 'Ask your doctor ...'.",
                    "warn",
                )
