"""Reading grade of plain text: SMOG and Flesch-Kincaid, computed offline.

Formulas (see docs/content-rules.md and the research notes they cite):

- Flesch-Kincaid grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59
- SMOG grade = 1.0430 x sqrt(polysyllables x 30 / sentences) + 3.1291, where a
  polysyllable is a word of three or more syllables (McLaughlin 1969).

Syllables come from :func:`syllables`, a rule-based counter with an override
table (:data:`SYLLABLE_OVERRIDES`) for drug, procedure and other words that
spelling rules get wrong. No dictionary download is needed, so linting works
on a machine with no network. Before scoring, Markdown is reduced to running
text: headings, tables, list markers, emphasis, link targets and abbreviation
periods are removed, as health-literacy guidance asks (the headings are not
sentences a reader has to parse).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

import attrs

__all__ = [
    "SYLLABLE_OVERRIDES",
    "Readability",
    "plain_blocks",
    "readability",
    "sentences",
    "syllables",
    "words",
]

#: Words the spelling rules count wrongly, with their spoken syllable count. Drug and
#: procedure names first: counters are known to undercount them (textstat gave
#: esketamine 3 and ketamine 2; both are one more).
SYLLABLE_OVERRIDES: dict[str, int] = {
    # medicines (American pronunciation)
    "esketamine": 4,
    "ketamine": 3,
    "spravato": 4,
    "bupropion": 4,
    "aripiprazole": 5,
    "brexpiprazole": 4,
    "quetiapine": 4,
    "lithium": 3,
    "sertraline": 3,
    "fluoxetine": 4,
    "escitalopram": 5,
    "citalopram": 4,
    "paroxetine": 4,
    "venlafaxine": 4,
    "desvenlafaxine": 5,
    "duloxetine": 4,
    "mirtazapine": 4,
    "vortioxetine": 5,
    "vilazodone": 4,
    "trazodone": 3,
    "nortriptyline": 4,
    "amitriptyline": 5,
    "clomipramine": 4,
    "imipramine": 4,
    "phenelzine": 3,
    "tranylcypromine": 5,
    "selegiline": 4,
    "olanzapine": 4,
    "fluoxetine-olanzapine": 8,
    "zuranolone": 4,
    "dextromethorphan": 5,
    "auvelity": 4,
    "brexanolone": 4,
    "psilocybin": 4,
    "liothyronine": 5,
    "levothyroxine": 5,
    "thyroid": 2,
    "pramipexole": 4,
    "modafinil": 4,
    "antidepressant": 5,
    "antidepressants": 5,
    "antipsychotic": 5,
    "antipsychotics": 5,
    # procedures and devices
    "transcranial": 4,
    "neurostar": 3,
    "anesthesia": 4,
    "anaesthesia": 4,
    "theta": 2,
    "vagus": 2,
    # words the vowel-group rules miscount
    "people": 2,
    "every": 2,
    "everyone": 3,
    "different": 3,
    "business": 2,
    "family": 3,
    "families": 3,
    "several": 3,
    "area": 3,
    "areas": 3,
    "idea": 3,
    "ideas": 3,
    "create": 2,
    "created": 3,
    "being": 2,
    "doing": 2,
    "going": 2,
    "seeing": 2,
    "video": 3,
    "period": 3,
    "serious": 3,
    "via": 2,
    "science": 2,
    "quiet": 2,
    "diet": 2,
    "trial": 2,
    "trials": 2,
    "dial": 2,
    "real": 1,
    "really": 2,
    "usually": 4,
    "actually": 4,
    "medicine": 3,
    "medicines": 3,
    "psychiatrist": 4,
    "psychiatrists": 4,
    "psychiatric": 4,
    "therapy": 3,
    "therapies": 3,
    "improve": 2,
    "improved": 2,
    "improvement": 3,
    "more": 1,
    "one": 1,
    "once": 1,
    "someone": 2,
    "sometimes": 2,
    "somewhere": 2,
    "anyone": 3,
    "whole": 1,
    "where": 1,
    "there": 1,
    "here": 1,
    "were": 1,
    "are": 1,
    "the": 1,
    "fire": 1,
    "hour": 1,
    "hours": 1,
    "our": 1,
    "lifeline": 2,
    "lifelines": 2,
    "online": 2,
    "able": 2,
    "maybe": 2,
    "mania": 3,
    "naive": 2,
    "poem": 2,
    "reuse": 2,
    "coordinate": 4,
    "cooperate": 4,
    "evidence": 3,
    "experience": 4,
    "experiences": 5,
    "patient": 2,
    "patients": 2,
    "ocean": 2,
    "special": 2,
    "social": 2,
    "suicide": 3,
    "suicidal": 4,
    "scientist": 3,
    "client": 2,
    "clients": 2,
    "quiz": 1,
    "guide": 1,
    "guides": 1,
    "toward": 2,
    "something": 2,
    "everything": 3,
    "everywhere": 3,
    "forehead": 2,
    "pacemaker": 3,
    "homework": 2,
    "lifestyle": 2,
    "website": 2,
    "websites": 2,
}

_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|dr|mr|mrs|ms|no|approx|min|max|u\.s|d\.c)\.", re.IGNORECASE
)
_APOSTROPHES = "'\u2019"
_WORD = re.compile(
    rf"[A-Za-z0-9]+(?:[{_APOSTROPHES}][A-Za-z]+)*(?:-[A-Za-z0-9]+(?:[{_APOSTROPHES}][A-Za-z]+)*)*"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Vowel pairs read as two syllables (medi-a, radi-o, vide-o, gradu-al, medi-um), except
# in endings read as one (-tion, -cial, -sia, -ious, -ior) and after q or g (quality, language).
_SPLIT_VOWELS = re.compile(r"(?<![cts])ia|io(?![nur])|iu|eo(?!u)|(?<![qg])u[ao]")
_SILENT_INNER_E = re.compile(r"[aeiouy][^aeiouy]e(?:ly|ful|fully|less|ness|ments?|ty)$")
_SOUNDED_ES = re.compile(r"(?:[sxz]|ch|sh|[cg]|i)es$")
_DIGIT_SYLLABLES = {"0": 2, "7": 2}  # "zero", "seven"; every other digit is one syllable
_SMALL_NUMBER_SYLLABLES = (2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 3, 1, 2, 2, 2, 2, 3, 2, 2)


def syllables(word: str) -> int:
    """Syllables in one word, as read aloud; at least 1.

    The override table wins; hyphenated words add up their parts; a number
    up to 100 is counted as spoken ("24" is twen-ty-four, 3) and a longer one
    digit by digit ("988" is nine-eight-eight, 3). Otherwise the count is the
    number of vowel groups, less a silent final ``-e``, ``-es`` or ``-ed``,
    plus one for vowel pairs spoken apart (medi-a, radi-o, gradu-al).
    """
    lowered = word.lower().replace("\u2019", "'")
    if "'" in lowered:
        lowered = lowered.split("'", 1)[0]  # don't, you're, patient's
    known = SYLLABLE_OVERRIDES.get(lowered)
    if known is not None:
        return known
    if "-" in lowered:
        return sum(syllables(part) for part in lowered.split("-") if part)
    if lowered.isdigit():
        return _number_syllables(lowered)
    # A "y" before a vowel is a consonant: you, year, beyond.
    letters = re.sub(r"y(?=[aeiou])", "j", re.sub(r"[^a-z]", "", lowered))
    if not letters:
        return 1
    count = len(_VOWEL_GROUPS.findall(letters))
    if count > 1:
        if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")):
            count -= 1  # make, alone
        elif letters.endswith("le") and letters[-3] in "aeiouy":
            count -= 1  # while, scale (but table, simple keep theirs)
        elif letters.endswith("es") and not _SOUNDED_ES.search(letters):
            count -= 1  # takes, times (but places, changes, studies keep theirs)
        elif letters.endswith("ed") and not letters.endswith(("ted", "ded")):
            count -= 1  # helped, called (but started, needed keep theirs)
    if _SILENT_INNER_E.search(letters):
        count -= 1  # safety, likely, careful, hopeless
    count += len(_SPLIT_VOWELS.findall(letters))
    return max(1, count)


def _number_syllables(digits: str) -> int:
    value = int(digits)
    if value > 100 or digits.startswith("0"):
        return sum(_DIGIT_SYLLABLES.get(digit, 1) for digit in digits)
    if value == 100:
        return 3  # one hundred
    if value < 20:
        return _SMALL_NUMBER_SYLLABLES[value]
    tens, ones = divmod(value, 10)
    return (3 if tens == 7 else 2) + (_SMALL_NUMBER_SYLLABLES[ones] if ones else 0)


def plain_blocks(markdown: str) -> list[str]:
    """Running-text blocks of a Markdown text: paragraphs and list items, headings left out.

    Tables, headings (``#`` lines or a line that is wholly bold), HTML comments
    and code blocks are dropped; emphasis, inline code marks and link targets
    are removed, leaving the words a reader sees.
    """
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    # A web address is read as "the website", not spelled out.
    text = re.sub(
        r"\b(?:https?://)?[\w-]+(?:\.[\w-]+)*\.(?:org|com|gov|net|edu)\b(?:/[\w/.-]*[\w/])?",
        "website",
        text,
    )
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith(("#", "|")) or re.fullmatch(r"\*\*[^*]+\*\*:?", line):
            current = None
            continue
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if item:
            current = [item.group(1)]
            blocks.append(current)
        elif current is not None:
            current.append(line)
        else:
            current = [line]
            blocks.append(current)
    cleaned = []
    for block in blocks:
        joined = " ".join(block)
        joined = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", joined)  # [text](url) -> text
        joined = re.sub(r"[*_`]+", "", joined)
        cleaned.append(joined.strip())
    return [block for block in cleaned if block]


def sentences(blocks: Iterable[str]) -> Iterator[str]:
    """Sentences of running-text blocks; a list item without a full stop is one sentence."""
    for block in blocks:
        text = _ABBREVIATIONS.sub(lambda match: match.group(0).replace(".", ""), block)
        for sentence in _SENTENCE_END.split(text):
            if _WORD.search(sentence):
                yield sentence.strip()


def words(sentence: str) -> list[str]:
    """The words of a sentence; a hyphenated compound or a number is one word."""
    return _WORD.findall(sentence)


@attrs.frozen
class Readability:
    """Counts and grades for one text. ``grade`` is the worse (higher) of SMOG and FK."""

    sentences: int
    words: int
    syllables: int
    polysyllables: int
    flesch_kincaid: float
    smog: float
    longest_sentence: int

    @property
    def grade(self) -> float:
        return max(self.flesch_kincaid, self.smog)

    @property
    def average_sentence_words(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


def readability(markdown: str) -> Readability:
    """SMOG and Flesch-Kincaid grades of a Markdown text (0 for an empty text), rounded to 0.1."""
    sentence_count = word_count = syllable_count = polysyllable_count = longest = 0
    for sentence in sentences(plain_blocks(markdown)):
        found = words(sentence)
        if not found:
            continue
        sentence_count += 1
        word_count += len(found)
        longest = max(longest, len(found))
        for word in found:
            count = syllables(word)
            syllable_count += count
            if count >= 3:
                polysyllable_count += 1
    if not word_count:
        return Readability(0, 0, 0, 0, 0.0, 0.0, 0)
    flesch_kincaid = (
        0.39 * (word_count / sentence_count) + 11.8 * (syllable_count / word_count) - 15.59
    )
    smog = 1.0430 * math.sqrt(polysyllable_count * 30 / sentence_count) + 3.1291
    return Readability(
        sentences=sentence_count,
        words=word_count,
        syllables=syllable_count,
        polysyllables=polysyllable_count,
        flesch_kincaid=round(flesch_kincaid, 1),
        smog=round(smog, 1),
        longest_sentence=longest,
    )
