"""Built-in rules on what patient text rests on: traceable figures, and sources a clinic can cite.

A treatment's patient text is written by hand from its sourced ``statements``
and ``regulatory`` entries, each marked verified, provisional or unverified.
Two things can go wrong, and both did in the built-in catalog (issue 15):

- a sentence states a figure ("6 to 12 treatments", "about 40 minutes") that
  only a provisional statement supports, with no caveat, or a claim no
  statement makes at all ("most people can drive themselves home");
- the statements a patient reads rest only on news stories, press releases or
  copies of documents on third-party hosts.

:class:`TraceableClaims` checks each patient sentence against the item's own
records; :class:`CitableSources` checks the publishers of the sources behind
each record and section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from trdcore.extensions import Finding
from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.pages import LintContext
from trdcore.lint.readability import plain_blocks, sentences

__all__ = [
    "CAVEAT",
    "CitableSources",
    "Record",
    "TraceableClaims",
    "figures",
    "records_of",
]

#: Words in a sentence (or the next sentence of the same paragraph or list item) that tell a
#: patient a figure is not confirmed. Advice such as "check with your care team" is not a
#: caveat: it does not say the figure itself may be wrong.
CAVEAT = re.compile(
    r"not (?:yet )?(?:been )?(?:confirmed|verified|checked)|unverified|"
    r"(?:is|are) not (?:certain|sure|known)|sources (?:differ|disagree)",
    re.IGNORECASE,
)

# Numbers that are not clinical figures: the crisis lines.
_NOT_FIGURES = frozenset({"988", "911"})
_DIGITS = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
# A number word counts as a figure only before a unit of time, dose or count
# ("two antidepressants", "twelve weeks"), not as a reference ("the two drugs").
_NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}
_UNITS = (
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|sessions?|treatments?|times|doses?|"
    r"trials?|antidepressants?|infusions?|visits?|percent)"
)
_NUMBER_WORD = re.compile(
    rf"(?<!\bthe )(?<!\bthese )(?<!\bthose )(?<!\bboth )\b(?P<word>{'|'.join(_NUMBER_WORDS)})"
    rf"\b(?=(?:\s+(?:or|to)\s+\w+)?(?:\s+\w+)?\s+{_UNITS}\b)",
    re.IGNORECASE,
)
_PROPORTIONS = {"half": "half", "twice": "twice", "third": "third", "quarter": "quarter"}
_PROPORTION = re.compile(r"\b(?P<word>half|twice|a third|a quarter)\b", re.IGNORECASE)
#: How often something happens to people, stated without a number.
_QUANTIFIER = re.compile(
    r"\b(?:most|many|few|nearly all|almost all) (?:people|patients|of them)\b|"
    r"\bmost often\b|\busually\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{3,}")
# Words that say nothing about what a quantified claim is about.
_GENERIC = frozenset(
    re.findall(
        r"\w+",
        """
        the and but for with from that this these those there their they them you your about
        after before during over under into than then such also other others very much well
        better more less most many some few people patients person doctor doctors care team
        clinic clinics treatment treatments session sessions get gets got have has had make
        makes need needs take takes taken give given gives feel feels one often usually each
        every way ways time times can may might will would should could does did not who what
        which when how where while start starts started keep keeps kept use used uses
        """,
    )
)
_VERIFICATION_ORDER = ("verified", "provisional", "unverified")


def figures(text: str) -> frozenset[str]:
    """The clinical figures a text states, normalised: digits, counted number words, proportions.

    ``"6 to 12 treatments"`` gives ``{"6", "12"}``; ``"two antidepressants"`` gives ``{"2"}``;
    ``"more than half"`` gives ``{"half"}``. 988 and 911 are crisis lines, not figures.
    """
    found = {match.group(0).replace(",", "") for match in _DIGITS.finditer(text)}
    found |= {_NUMBER_WORDS[m.group("word").lower()] for m in _NUMBER_WORD.finditer(text)}
    found |= {
        _PROPORTIONS[m.group("word").lower().removeprefix("a ")] for m in _PROPORTION.finditer(text)
    }
    return frozenset(found - _NOT_FIGURES)


def _topic_words(text: str) -> frozenset[str]:
    return frozenset(
        word.lower().removesuffix("s")
        for word in _WORD.findall(text)
        if word.lower() not in _GENERIC
    )


@attrs.frozen
class Record:
    """A sourced record that patient text may rest on: a statement or a regulatory entry."""

    pointer: str
    text: str
    verification: str
    sources: tuple[str, ...]

    @property
    def figures(self) -> frozenset[str]:
        return figures(self.text)


def records_of(item: Any) -> tuple[Record, ...]:
    """The statements and regulatory entries of a treatment, with their text and verification."""
    found = []
    for index, entry in enumerate(getattr(item, "regulatory", None) or ()):
        text = " ".join(
            str(value)
            for key, value in entry.to_json().items()
            if key not in ("sources", "verification")
        )
        found.append(Record(f"/regulatory/{index}", text, entry.verification, tuple(entry.sources)))
    for index, statement in enumerate(getattr(item, "statements", None) or ()):
        found.append(
            Record(
                f"/statements/{index}",
                statement.text,
                statement.verification,
                tuple(statement.sources),
            )
        )
    return tuple(found)


def _weakest(records: Sequence[Record]) -> str:
    return max(
        records, key=lambda record: _VERIFICATION_ORDER.index(record.verification)
    ).verification


def _strongest(records: Sequence[Record]) -> Record:
    return min(records, key=lambda record: _VERIFICATION_ORDER.index(record.verification))


def _quote(sentence: str) -> str:
    return repr(sentence if len(sentence) <= 90 else sentence[:87] + "...")


class TraceableClaims(BuiltinRule):
    """Every figure and frequency claim in a treatment's patient text traces to its records.

    A patient sentence that states a figure (a number, a counted number word
    such as "two antidepressants", or a proportion such as "half") must find
    each figure in one of the treatment's ``statements`` or ``regulatory``
    entries. A sentence that says how often something happens to people
    without a number ("most people", "usually") must share at least two topic
    words with such a record. When the best record for any of its figures is
    only provisional or unverified, the sentence itself, or the next sentence
    of the same paragraph or list item, must say so (:data:`CAVEAT`). A claim
    with no record at all blocks. Checked per sentence, so one caveat
    elsewhere on the page no longer covers every figure on it. Source: the
    catalog's own rule (content/treatments: "unverified ... never shown to
    patients as fact"; provisional figures only with a caveat), issue 15.
    """

    id = "traceable-claims"
    severity = "block"
    audiences = ("patient",)
    description = "Patient figures and 'most people' claims trace to verified statements or say not"
    source = "trdcore: patient text rests on sourced statements (issue 15)"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        if context.kind != "treatment":
            return
        records = records_of(item)
        pointer = "/text/patient/text"
        for block in plain_blocks(item.text.patient.text):
            said = list(sentences([block]))
            for index, sentence in enumerate(said):
                following = said[index + 1] if index + 1 < len(said) else ""
                caveated = bool(CAVEAT.search(sentence) or CAVEAT.search(following))
                yield from self._sentence(context, pointer, sentence, records, caveated)

    def _sentence(
        self,
        context: LintContext,
        pointer: str,
        sentence: str,
        records: Sequence[Record],
        caveated: bool,
    ) -> Iterator[Finding]:
        stated = figures(sentence)
        if stated:
            backing: list[Record] = []
            for figure in sorted(stated):
                holding = [record for record in records if figure in record.figures]
                if not holding:
                    yield self.finding(
                        context,
                        pointer,
                        f"the sentence {_quote(sentence)} states {figure}, which none of this "
                        "treatment's statements or regulatory entries states",
                        "Add a sourced statement that states it, or take the figure out.",
                    )
                    return
                backing.append(_strongest(holding))
        elif _QUANTIFIER.search(sentence):
            words = _topic_words(sentence)
            needed = min(2, len(words))
            backing = [
                record for record in records if len(words & _topic_words(record.text)) >= needed
            ]
            if not backing or not words:
                yield self.finding(
                    context,
                    pointer,
                    f"the sentence {_quote(sentence)} says how often something happens, and no "
                    "statement or regulatory entry of this treatment says it",
                    "Add a sourced statement that backs it, or take the sentence out.",
                )
                return
            backing = [_strongest(backing)]
        else:
            return
        weakest = _weakest(backing)
        if weakest != "verified" and not caveated:
            where = ", ".join(sorted({record.pointer for record in backing}))
            yield self.finding(
                context,
                pointer,
                f"the sentence {_quote(sentence)} rests on {weakest} records only ({where}) "
                "and does not say it is not confirmed",
                "Say so in the sentence (for example 'this has not been confirmed'), back it "
                "with a verified statement, or take it out.",
            )


#: Publisher kinds a patient-facing claim must not rest on alone.
_NOT_CITABLE = frozenset({"news-or-press-release", "copy-or-aggregator"})


class CitableSources(BuiltinRule):
    """Patient-facing claims rest on at least one source a clinic can cite.

    For a treatment (it publishes a patient page), every statement and
    regulatory entry; for a patient content module, every section: if every
    source it cites is a news story, a press release or a copy on a
    third-party host (``publisher.kind`` news-or-press-release or
    copy-or-aggregator, or ``publisher.original`` false), it blocks. A source
    whose publisher is not recorded (a ``source@1.0.0`` document) is not
    judged. Source: issue 15 (sources a clinic could not cite).
    """

    id = "citable-sources"
    severity = "block"
    audiences = ("patient",)
    description = "Patient-facing claims do not rest only on news, press releases or copies"
    source = "trdcore: sources a clinic can cite (issue 15)"

    def findings(self, item: Any, context: LintContext) -> Iterator[Finding]:
        if context.catalog is None:
            return
        if context.kind == "treatment":
            cited = [(record.pointer, record.sources) for record in records_of(item)]
        elif context.kind == "content-module" and item.audience == "patient":
            cited = [
                (f"/sections/{index}", tuple(section.sources or ()))
                for index, section in enumerate(item.sections)
            ]
        else:
            return
        for pointer, source_ids in cited:
            weak = [self._weakness(context, source_id) for source_id in source_ids]
            if weak and all(reason is not None for reason in weak):
                listed = "; ".join(
                    f"{source_id} ({reason})"
                    for source_id, reason in zip(source_ids, weak, strict=True)
                )
                yield self.finding(
                    context,
                    pointer,
                    f"rests only on news, press releases or copies: {listed}",
                    "Cite the original (the label or FDA decision, the paper by DOI or PubMed, "
                    "the guideline body's page), or take the claim out of patient text.",
                )

    @staticmethod
    def _weakness(context: LintContext, source_id: str) -> str | None:
        """Why a source cannot carry a patient claim alone, or None if it can (or is unknown)."""
        entry = context.catalog.get("source", source_id)
        publisher = getattr(entry.model, "publisher", None) if entry is not None else None
        if publisher is None:
            return None
        if publisher.kind in _NOT_CITABLE:
            return str(publisher.kind)
        if not publisher.original:
            return "a copy on a third-party host"
        return None
