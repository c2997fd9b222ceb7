"""trdcore's built-in content rules (registered by ``trdcore.default_plugins.rules``).

Each rule is a small class: ``id``, ``severity`` (the most serious finding it
can make), ``audiences``, ``description``, ``source`` and ``version``, and a
``check(item, context=None)`` that yields :class:`~trdcore.extensions.Finding`
values. A finding may carry its own, lower severity (a reading grade above 6
warns, above 8 blocks). Thresholds and sources are in each docstring and in
docs/content-rules.md. ``context`` (a :class:`~trdcore.lint.pages.LintContext`)
gives the date to judge freshness by and the catalog; a rule called with the
item alone builds a context without them.
"""

from __future__ import annotations

import abc
import datetime
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from trdcore.extensions import Finding, Severity
from trdcore.lint import terms
from trdcore.lint.pages import LintContext, Page, TextField
from trdcore.lint.readability import plain_blocks, readability, sentences, words

__all__ = [
    "BUILTIN_RULES",
    "ClearCommunicationIndex",
    "CrisisResource",
    "JargonDefined",
    "Pemat",
    "PersonFirstLanguage",
    "ReadingGrade",
    "ReviewFreshness",
    "SafeMessaging",
    "SentenceLength",
    "Sourced",
    "TranslationCurrent",
]


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


# --- reading ---------------------------------------------------------------------------------


class ReadingGrade(BuiltinRule):
    """Reading grade of each patient page: the worse of SMOG and Flesch-Kincaid.

    Blocks above grade 8, warns above grade 6. Sources: NIH asks for below
    8th grade (PMC6334864); the AMA and others for 6th grade or lower
    (PMC3049622; ACP Internist 2013); SMOG is the usual formula for health
    material (readabilityformulas.com). Formulas disagree by several grades on
    the same text, so the rule takes the worse. The whole page is scored: most
    pages are shorter than McLaughlin's 30-sentence SMOG sample, which the
    finding notes. The formulas are for English: a page in another language
    gets a ``review`` finding (a person checks its reading level) instead of
    an English grade that would mean nothing.
    """

    id = "reading-grade"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient",)
    description = "Patient pages read at grade 8 or below (blocks above 8, warns above 6)"
    source = "NIH below 8th grade (PMC6334864); AMA 6th grade (PMC3049622); SMOG (McLaughlin 1969)"
    BLOCK_ABOVE = 8.0
    WARN_ABOVE = 6.0

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            if not page.english:
                yield self.finding(
                    context,
                    page.pointer or "/sections",
                    f"reading grade not computed: SMOG and Flesch-Kincaid are English formulas "
                    f"and this page is in {page.language!r}",
                    "Have a fluent reader check that the page reads at grade 6 to 8 in its "
                    "language, and keep sentences short.",
                    "review",
                )
                continue
            score = readability(page.markdown)
            if score.grade <= self.WARN_ABOVE:
                continue
            severity: Severity = "block" if score.grade > self.BLOCK_ABOVE else "warn"
            sample = f"{score.words} words, {score.sentences} sentences"
            if score.sentences < 30:
                sample += ", fewer than SMOG's 30-sentence sample"
            yield self.finding(
                context,
                page.pointer or "/sections",
                f"reading grade {score.grade:.1f} (SMOG {score.smog:.1f}, Flesch-Kincaid "
                f"{score.flesch_kincaid:.1f}; {sample}) is above "
                f"{self.BLOCK_ABOVE if severity == 'block' else self.WARN_ABOVE:g}",
                "Use shorter sentences and shorter, everyday words; explain a medical word "
                "once, then use it.",
                severity,
            )


class SentenceLength(BuiltinRule):
    """Sentence length on patient pages: at most 15 words on average, none over 25.

    Plain-language checklists ask for 10 to 20 words a sentence; AAACN's
    patient-education guideline for 10 or fewer
    (https://www.aaacn.org/guidelines-developing-patient-education-materials).
    The limits 15 and 25 are a project choice within that range. Warns.
    """

    id = "sentence-length"
    severity = "warn"
    audiences = ("patient",)
    description = "Patient sentences average 15 words or fewer; none is over 25 words"
    source = "Plain-language checklist (10-20 words); AAACN guideline; limits a project choice"
    AVERAGE_AT_MOST = 15.0
    LONGEST_AT_MOST = 25

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            total_words = total_sentences = 0
            for body in page.bodies:
                for sentence in sentences(plain_blocks(body.text)):
                    count = len(words(sentence))
                    total_words += count
                    total_sentences += 1
                    if count > self.LONGEST_AT_MOST:
                        yield self.finding(
                            context,
                            body.pointer,
                            f"a sentence of {count} words (more than {self.LONGEST_AT_MOST}): "
                            f"{_excerpt(sentence)}",
                            "Split it into two or three short sentences.",
                        )
            if total_sentences and total_words / total_sentences > self.AVERAGE_AT_MOST:
                yield self.finding(
                    context,
                    page.pointer or "/sections",
                    f"sentences average {total_words / total_sentences:.1f} words (more than "
                    f"{self.AVERAGE_AT_MOST:g})",
                    "Split long sentences; one idea per sentence.",
                )


def _excerpt(text: str, limit: int = 80) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 3].rstrip()}..."'


class JargonDefined(BuiltinRule):
    """Medical terms on a patient page are defined: in the page's glossary, or where first used.

    A term counts as defined when the page's ``glossary`` has an entry for it
    (the entry's term, or the abbreviation in brackets after it), or when its
    first use explains it in place: followed by a bracket ("sham (fake)
    treatment"), introduced by "called" or "known as", followed by "means" or
    "is a", or an abbreviation whose spelled-out form comes just before it
    ("transcranial magnetic stimulation (TMS)"). Blocks on patient pages.
    Source: PEMAT-P item 5, "medical terms are used only to familiarize
    audience with the terms; when used, medical terms are defined" (AHRQ
    2013); CMS Toolkit for Making Written Material Clear and Effective.
    """

    id = "jargon-defined"
    severity = "block"
    audiences = ("patient",)
    description = "Medical terms on patient pages are defined (glossary or first use)"
    source = "AHRQ PEMAT-P item 5 (AHRQ Pub. No. 14-0002-EF); CMS Toolkit for written material"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            defined = _glossary_terms(page.glossary)
            for pattern, name in terms.JARGON:
                if name.casefold() in defined:
                    continue
                first = _first_use(pattern, page.bodies)
                if first is None:
                    continue
                body, match = first
                if _explained_in_place(body.text, match):
                    continue
                yield self.finding(
                    context,
                    body.pointer,
                    f"the medical term {match.group(0)!r} is used but not defined",
                    f"Explain it where it is first used, for example "
                    f"'{match.group(0)} (...)', or add a glossary entry for {name!r}.",
                )


def _glossary_terms(glossary: Iterable[Any]) -> set[str]:
    found = set()
    for entry in glossary:
        term = entry.term.casefold()
        found.add(term)
        bracket = re.match(r"^(.*?)\s*\((.+)\)\s*$", term)
        if bracket:
            found.add(bracket.group(1).strip())
            found.add(bracket.group(2).strip())
    return found


def _first_use(
    pattern: re.Pattern[str], bodies: Iterable[TextField]
) -> tuple[TextField, re.Match[str]] | None:
    for body in bodies:
        match = pattern.search(body.text)
        if match:
            return body, match
    return None


_EXPLAINED_AFTER = re.compile(
    r"^[*_\"\u201d]*(?:\s+\w+)?\s*(?:\(|,?\s+(?:means|is\s+an?|are|or)\b|,\s+which\b|\s*[\u2014:-]\s)",
    re.IGNORECASE,
)
_EXPLAINED_BEFORE = re.compile(r"(?:called|known\s+as|named|\()\s*[*_\"“]*$", re.IGNORECASE)


def _explained_in_place(text: str, match: re.Match[str]) -> bool:
    after = text[match.end() : match.end() + 40]
    before = text[max(0, match.start() - 30) : match.start()]
    return bool(_EXPLAINED_AFTER.match(after) or _EXPLAINED_BEFORE.search(before))


# --- words -----------------------------------------------------------------------------------


def _term_findings(
    rule: BuiltinRule,
    context: LintContext,
    term_list: Iterable[terms.Term],
    what: str,
    severity_for: dict[str, Severity],
) -> Iterator[Finding]:
    for page in context.pages:
        if page.audience in rule.audiences and not page.english:
            yield rule.finding(
                context,
                page.pointer or "/sections",
                f"the {what} list is English; this page is in {page.language!r} and was not "
                "checked against it",
                f"Have a fluent reader check the page for {what}.",
                "review",
            )
    for field in context.fields:
        if field.audience not in rule.audiences:
            continue
        for pattern, instead in term_list:
            for match in pattern.finditer(field.text):
                yield rule.finding(
                    context,
                    field.pointer,
                    f"{what}: {match.group(0)!r}",
                    f"Write {instead}.",
                    severity_for.get(field.audience),
                )


class SafeMessaging(BuiltinRule):
    """Suicide is written about safely: no "committed suicide", no "successful" or "failed" attempt.

    Also refused: "suicide victim", "suicide epidemic", "skyrocketing". Each
    match comes with the wording to use instead. Applies to every audience
    and blocks; it cannot be suppressed. Sources: the NBC/AFSP do-and-don't
    table, University of Arizona and Lock and Talk guidance, all summarising
    reportingonsuicide.org (see trdcore.lint.terms). The list is English: a
    page in another language gets a ``review`` finding asking a fluent reader
    to check it.
    """

    id = "safe-messaging"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient", "clinician")
    description = "No unsafe suicide wording (committed, successful or failed suicide ...)"
    source = (
        "reportingonsuicide.org via NBC/AFSP do-and-don't table; Univ. of Arizona; Lock and Talk"
    )
    suppressible = False

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        yield from _term_findings(self, context, terms.SAFE_MESSAGING, "unsafe suicide wording", {})


class PersonFirstLanguage(BuiltinRule):
    """Person-first, non-stigmatising words: "a person with depression", not "a depressive".

    Refuses "suffers from", "victim of", "afflicted by", "the mentally ill",
    "schizophrenic", "depressed patients", "crazy", "addict" and the like
    (list in trdcore.lint.terms). Blocks in patient text, warns in clinician
    text. Sources: calbhbc.org person-first language; HealthPartners; AHCCCS
    "Words matter"; the alex/retext-equality list as a seed. The list is
    English: a page in another language gets a ``review`` finding.
    """

    id = "person-first-language"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient", "clinician")
    description = "Person-first, non-stigmatising language (blocks for patients, warns otherwise)"
    source = "calbhbc.org person-first language; HealthPartners; AHCCCS 'Words matter' (2018)"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        yield from _term_findings(
            self, context, terms.STIGMATISING, "stigmatising wording", {"clinician": "warn"}
        )


#: How each language says "call" and "text" next to 988. A page passes when one of its
#: sentences has 988, a call word and a text word of the page's language. English follows the
#: Lifeline's "call or text 988"; Spanish its "llame o envíe un mensaje de texto al 988"
#: (the wording the cms-print research notes asked a clinician to check, §5).
CALL_AND_TEXT_WORDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "en": (
        re.compile(r"\bcall(?:ing)?\b", re.IGNORECASE),
        re.compile(r"\btext(?:ing)?\b", re.IGNORECASE),
    ),
    "es": (
        re.compile(r"\bllam(?:e|en|a|ar|ando)\b", re.IGNORECASE),
        re.compile(r"\b(?:mensaje\s+de\s+texto|texto|text[eé]e)\b", re.IGNORECASE),
    ),
}
_CRISIS_NUMBER = re.compile(r"(?<![\d-])988(?![\d-])")
_CRISIS_LINKS = (
    re.compile(r"\(\s*tel:(?:\+?1)?988\s*\)", re.IGNORECASE),
    re.compile(r"\(\s*sms:(?:\+?1)?988\s*\)", re.IGNORECASE),
)


def _says_call_or_text_988(page: Page) -> bool | None:
    """True when the page tells the reader to call or text 988; None: language not known.

    A ``tel:988`` link together with an ``sms:988`` link counts in any
    language. Otherwise one sentence must hold 988 and the language's call
    and text words (:data:`CALL_AND_TEXT_WORDS`).
    """
    if all(link.search(page.markdown) for link in _CRISIS_LINKS):
        return True
    words_of = CALL_AND_TEXT_WORDS.get(page.primary_language)
    if words_of is None:
        return None
    call, text = words_of
    return any(
        _CRISIS_NUMBER.search(sentence) and call.search(sentence) and text.search(sentence)
        for body in page.bodies
        for sentence in sentences(plain_blocks(body.text))
    )


class CrisisResource(BuiltinRule):
    """Every patient page and handout tells the reader to call or text 988, in its own language.

    A page passes when one sentence holds "988" with the page language's
    words for "call" and "text" (English "call or text 988", Spanish "llame o
    envíe un mensaje de texto al 988"; table in ``CALL_AND_TEXT_WORDS``), or
    when it links both ``tel:988`` and ``sms:988``. "988" alone, or a 1-800
    number alone, is not enough. For a language without a word table, a page
    that shows 988 gets a ``review`` finding (a fluent reader confirms the
    wording) and one without 988 blocks. Blocks; cannot be suppressed.
    Sources: safe-messaging guidance to always include a crisis contact, with
    the sample wording "call, text or chat ... 988" (University of Arizona);
    covering every TRD patient page, not only those that mention suicide, is
    a project choice.
    """

    id = "crisis-resource"
    version = "1.1.0"
    severity = "block"
    audiences = ("patient",)
    description = "Every patient page says: call or text 988 (in the page's language)"
    source = "Univ. of Arizona safe-messaging sample wording; project choice: every patient page"
    suppressible = False

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        for page in self.patient_pages(context):
            where = page.pointer or "/sections"
            says = _says_call_or_text_988(page)
            if says:
                continue
            if says is None and _CRISIS_NUMBER.search(page.markdown):
                yield self.finding(
                    context,
                    where,
                    f"988 is on the page, but the rule has no call-or-text wording for "
                    f"language {page.language!r}",
                    "Have a fluent reader confirm the page tells the reader to call or text 988; "
                    "or link tel:988 and sms:988.",
                    "review",
                )
                continue
            yield self.finding(
                context,
                where,
                "the page does not tell the reader to call or text 988",
                "End the page with: 'If you are thinking about suicide or are in crisis, call or "
                "text 988 (the Suicide & Crisis Lifeline, US). If you are in danger now, call "
                "911 or go to the nearest emergency room.' (in the page's language)",
            )


# --- sources and review ----------------------------------------------------------------------

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


# --- human review instruments ----------------------------------------------------------------

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
    invents a score); a stored score below 70 blocks. The research notes give
    the PEMAT threshold as "> 70%"; the issue and this rule accept 70.
    Automated pre-checks on English pages (warn): the page uses headings, and
    has at least one explicit action step (a sentence that starts with a verb
    such as "Ask", "Call", "Tell"). Source: AHRQ PEMAT user's guide
    (Shoemaker, Wolf, Brach; AHRQ Pub. No. 14-0002-EF, 2013/2014).
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


BUILTIN_RULES: tuple[type[BuiltinRule], ...] = (
    ReadingGrade,
    SentenceLength,
    JargonDefined,
    SafeMessaging,
    PersonFirstLanguage,
    CrisisResource,
    Sourced,
    ReviewFreshness,
    TranslationCurrent,
    Pemat,
    ClearCommunicationIndex,
)
