"""Word lists the content rules use, each entry with the wording to use instead.

Sources (details in docs/content-rules.md and the project's research notes, §4.2):

- safe messaging on suicide: the NBC/AFSP do-and-don't table
  (https://data.nbcstations.com/national/2017/PHI/suicide/dodont-table.html), University of
  Arizona (https://preventsuicide.arizona.edu/node/69), Lock and Talk
  (https://lockandtalk.org/resources/for-media). These summarise reportingonsuicide.org, whose
  current text was not read: a clinician should confirm the list against it;
- person-first, non-stigmatising language: https://www.calbhbc.org/person-first-language.html,
  https://healthpartners.com/blog/?p=1016, AHCCCS "Words matter" (2018), and the retext-equality
  list used by the ``alex`` linter as a seed;
- jargon: the PEMAT-P item "medical terms are used only to familiarize audience with the terms;
  when used, medical terms are defined" (AHRQ Pub. No. 14-0002-EF) and the CMS Toolkit for
  Making Written Material Clear and Effective; the seed terms come from the research notes
  (augmentation, refractory, titrate, ECT, TMS, psychotherapy) plus terms of the same kind that
  occur in trdcore's own content.
"""

from __future__ import annotations

import re

__all__ = ["JARGON", "SAFE_MESSAGING", "STIGMATISING", "Term"]

#: (pattern, what to write instead)
Term = tuple[re.Pattern[str], str]


def _terms(*entries: tuple[str, str]) -> tuple[Term, ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), instead) for pattern, instead in entries)


SAFE_MESSAGING: tuple[Term, ...] = _terms(
    (r"\bcommit(?:s|ted|ting)?\s+suicide\b", "'died by suicide' or 'took their own life'"),
    (r"\bsuicide\s+was\s+committed\b", "'died by suicide'"),
    (
        r"\b(?:successful|completed)\s+suicides?\b",
        "'died by suicide' (a death is not a success or a completion)",
    ),
    (
        r"\b(?:successful|failed|unsuccessful|completed)\s+(?:suicide\s+)?attempts?\b",
        "'suicide attempt' or 'survived a suicide attempt' (an attempt is not a success or a "
        "failure)",
    ),
    (r"\b(?:failed|unsuccessful)\s+suicides?\b", "'suicide attempt'"),
    (r"\bsuicide\s+victims?\b", "'person who died by suicide'"),
    (r"\bsuicide\s+epidemic\b", "'rising suicide rates', with the numbers and their source"),
    (r"\bskyrocket\w*", "'rising' or 'increasing', with the numbers and their source"),
)

STIGMATISING: tuple[Term, ...] = _terms(
    (r"\bsuffer(?:s|ed|ing)?\s+(?:from|with)\b", "'has' or 'lives with'"),
    (r"\bvictims?\s+of\b", "'person who has' or 'person who experienced'"),
    (r"\bafflicted\s+(?:by|with)\b", "'has' or 'lives with'"),
    (r"\bthe\s+mentally\s+ill\b", "'people with mental illness'"),
    (
        r"\bmentally\s+ill\s+(?:people|persons|patients|individuals)\b",
        "'people with mental illness'",
    ),
    (r"\bschizophrenics?\b", "'person with schizophrenia'"),
    (r"\b(?:a|the)\s+depressives?\b|\bdepressives\b", "'person with depression'"),
    (
        r"\b(?:depressed|suicidal|bipolar|schizophrenic)\s+(?:patients?|people|persons|individuals)\b",
        "person-first wording: 'patients with depression', 'people with thoughts of suicide'",
    ),
    (r"\bmanic[- ]depressives?\b", "'person with bipolar disorder'"),
    (
        r"\b(?:crazy|psycho|nuts|lunatics?|insane|loony|maniacs?|mental\s+cases?)\b",
        "plain, respectful words: 'person with a mental health condition'",
    ),
    (
        r"\b(?:addicts?|junkies?|(?:drug|substance)\s+abusers?)\b",
        "'person with a substance use disorder'",
    ),
)

#: Terms a patient page must define: (pattern, the term as shown in messages).
#: Acronyms match case-sensitively; words in any case, singular or plural.
JARGON: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), name)
    for pattern, flags, name in (
        (r"\baugment(?:ation|ing|s)?\b", re.IGNORECASE, "augmentation"),
        (r"\brefractory\b", re.IGNORECASE, "refractory"),
        (r"\btitrat(?:e|es|ed|ing|ion)\b", re.IGNORECASE, "titrate"),
        (r"\bremission\b", re.IGNORECASE, "remission"),
        (r"\bpsychotherapy\b", re.IGNORECASE, "psychotherapy"),
        (r"\badjunct(?:ive)?\b", re.IGNORECASE, "adjunct"),
        (r"\ban(?:a)?esthe(?:sia|tic)s?\b", re.IGNORECASE, "anesthesia"),
        (r"\bdissociat(?:ion|ive)\b", re.IGNORECASE, "dissociation"),
        (r"\bplacebo\b", re.IGNORECASE, "placebo"),
        (r"\bsham\b", re.IGNORECASE, "sham"),
        (r"\befficacy\b", re.IGNORECASE, "efficacy"),
        (r"\bcontraindicat(?:ed|ion|ions)\b", re.IGNORECASE, "contraindication"),
        (r"\bneurostimulation\b", re.IGNORECASE, "neurostimulation"),
        (r"\boff-label\b", re.IGNORECASE, "off-label"),
        (r"\bantipsychotics?\b", re.IGNORECASE, "antipsychotic"),
        (r"\bECT\b", 0, "ECT"),
        (r"\brTMS\b", 0, "rTMS"),
        (r"\b(?<!r)TMS\b", 0, "TMS"),
        (r"\biTBS\b", 0, "iTBS"),
        (r"\bVNS\b", 0, "VNS"),
        (r"\bDBS\b", 0, "DBS"),
        (r"\bSSRIs?\b", 0, "SSRI"),
        (r"\bSNRIs?\b", 0, "SNRI"),
        (r"\bMAOIs?\b", 0, "MAOI"),
        (r"\bTRD\b", 0, "TRD"),
    )
)
