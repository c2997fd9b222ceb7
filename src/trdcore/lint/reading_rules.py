"""Built-in rules on how patient text reads: reading grade, sentence length, jargon defined."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from trdcore.extensions import Finding, Severity
from trdcore.lint import terms
from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.pages import LintContext, TextField
from trdcore.lint.readability import plain_blocks, readability, sentences, words

__all__ = ["JargonDefined", "ReadingGrade", "SentenceLength"]


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
