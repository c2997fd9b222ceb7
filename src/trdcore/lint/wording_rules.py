"""Built-in rules on the words used: suicide safe messaging, person-first language, 988.

Safe messaging and the crisis resource cannot be suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from trdcore.extensions import Finding, Severity
from trdcore.lint import terms
from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.pages import LintContext, Page
from trdcore.lint.readability import plain_blocks, sentences

__all__ = ["CALL_AND_TEXT_WORDS", "CrisisResource", "PersonFirstLanguage", "SafeMessaging"]


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
#: Lifeline's "call or text 988" (University of Arizona sample wording, "please call, text or
#: chat with the Suicide and Crisis Lifeline at 988", https://preventsuicide.arizona.edu/node/69).
#: No published source was found for the Spanish "llame o envíe un mensaje de texto al 988";
#: a clinician is to confirm it.
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
