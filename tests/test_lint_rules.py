"""Content rules: readability arithmetic, each built-in rule passing and failing, suppressions."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from trdcore import validate
from trdcore.catalog import Catalog
from trdcore.lint import lint_catalog, readability, syllables
from trdcore.lint.builtin_rules import BUILTIN_RULES
from trdcore.lint.pages import LintContext
from trdcore.lint.readability import plain_blocks, sentences
from trdcore.lint.reading_rules import JargonDefined, ReadingGrade, SentenceLength
from trdcore.lint.review_instrument_rules import ClearCommunicationIndex, Pemat
from trdcore.lint.source_and_review_rules import (
    ReviewFreshness,
    Sourced,
    TranslationCurrent,
    months_between,
)
from trdcore.lint.wording_rules import CrisisResource, PersonFirstLanguage, SafeMessaging
from trdcore.testing import valid_document

CRISIS = (
    "If you are thinking about suicide or are in crisis, call or text 988. "
    "Or go to the nearest emergency room."
)


def module(*bodies: str, **overrides: Any) -> Any:
    """A patient content module with one section per body, the crisis line in the last."""
    document = valid_document(
        "content-module",
        sections=[
            {"id": f"part-{n}", "heading": f"Part {n}", "body": body, "sources": ["example-source"]}
            for n, body in enumerate((*bodies, CRISIS))
        ],
    )
    document.update(overrides)
    return validate(document)


def treatment(patient_text: str, **overrides: Any) -> Any:
    document = valid_document("treatment")
    document["text"]["patient"]["text"] = patient_text
    document["review"] = {"reviewed_by": "Content Team", "last_reviewed": "2026-01-15"}
    document.update(overrides)
    return validate(document)


def findings(rule: Any, item: Any, **context: Any) -> list[Any]:
    return list(rule.check(item, context=LintContext.of(item, **context)))


# --- readability: hand-computed values --------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("table", 2),
        ("while", 1),
        ("helped", 1),
        ("needed", 2),
        ("places", 2),
        ("takes", 1),
        ("medication", 4),
        ("radio", 3),
        ("beyond", 2),
        ("safety", 2),
        ("depression", 3),
        ("treatment-resistant", 5),
        ("esketamine", 4),  # override: counters say 3
        ("ketamine", 3),  # override: counters say 2
        ("transcranial", 4),  # override
        ("988", 3),  # nine-eight-eight
        ("24", 3),  # twen-ty-four
        ("7", 2),  # sev-en
    ],
)
def test_syllables_of_known_words(word: str, count: int) -> None:
    assert syllables(word) == count


def test_reading_grade_of_a_plain_sample_by_hand() -> None:
    # "The cat sat on the mat. It was a sunny day. We ate lunch outside."
    # 3 sentences of 6 + 5 + 4 = 15 words; every word has 1 syllable except sun-ny (2) and
    # out-side (2): 13 + 4 = 17 syllables. No word has 3 or more syllables.
    # FK = 0.39 * 15/3 + 11.8 * 17/15 - 15.59 = 1.95 + 13.373 - 15.59 = -0.267 -> -0.3
    # SMOG = 1.0430 * sqrt(0 * 30 / 3) + 3.1291 = 3.1291 -> 3.1
    score = readability("The cat sat on the mat. It was a sunny day. We ate lunch outside.")
    assert (score.sentences, score.words, score.syllables, score.polysyllables) == (3, 15, 17, 0)
    assert score.flesch_kincaid == -0.3
    assert score.smog == 3.1
    assert score.grade == 3.1


def test_reading_grade_of_a_medical_sample_by_hand() -> None:
    # "Esketamine is a medicine for depression. Your psychiatrist decides the dose."
    # Sentence 1: es-ket-a-mine 4, is 1, a 1, med-i-cine 3, for 1, de-pres-sion 3  -> 6 words, 13
    # Sentence 2: your 1, psy-chi-a-trist 4, de-cides 2, the 1, dose 1           -> 5 words, 9
    # 2 sentences, 11 words, 22 syllables, 4 polysyllables (esketamine, medicine, depression,
    # psychiatrist).
    # FK = 0.39 * 11/2 + 11.8 * 22/11 - 15.59 = 2.145 + 23.6 - 15.59 = 10.155 -> 10.2
    # SMOG = 1.0430 * sqrt(4 * 30 / 2) + 3.1291 = 1.0430 * 7.746 + 3.1291 = 11.208 -> 11.2
    score = readability(
        "Esketamine is a medicine for depression. Your psychiatrist decides the dose."
    )
    assert (score.sentences, score.words, score.syllables, score.polysyllables) == (2, 11, 22, 4)
    assert score.flesch_kincaid == 10.2
    assert score.smog == 11.2
    assert score.grade == 11.2  # the worse of the two


def test_headings_tables_lists_and_links_are_reduced_to_running_text() -> None:
    text = (
        "## A heading\n\n**Bold heading**\n\n| a | b |\n|---|---|\n\n- first item\n"
        "- second [link](https://example.org) item\n\nSee e.g. the notes. Call 988lifeline.org now."
    )
    assert plain_blocks(text) == [
        "first item",
        "second link item",
        "See e.g. the notes. Call website now.",
    ]
    assert list(sentences(plain_blocks(text))) == [
        "first item",
        "second link item",
        "See eg the notes.",
        "Call website now.",
    ]


# --- each rule passes and fails ---------------------------------------------------------------


def test_reading_grade_blocks_above_8_and_warns_above_6() -> None:
    easy = validate(valid_document("content-module"))  # "Some text.": grade 3.1
    assert findings(ReadingGrade(), easy) == []
    # The crisis line's long words (suicide, 988, emergency) put a short page at grade 7.6.
    [middle] = findings(
        ReadingGrade(), module("You can get help. Talk to your doctor. Ask what to do next.")
    )
    assert middle.severity == "warn"
    assert "above 6" in middle.message
    hard = module(
        "Pharmacological augmentation strategies demonstrate considerable heterogeneity. "
        "Comprehensive psychiatric evaluation identifies contributing medical comorbidities."
    )
    [found] = findings(ReadingGrade(), hard)
    assert found.severity is None  # the rule's own severity: block
    assert "above 8" in found.message
    assert found.pointer == "/sections"


def test_sentence_length_flags_long_sentences_and_long_averages() -> None:
    assert findings(SentenceLength(), module("Short words help. So do short lines.")) == []
    long_sentence = " ".join(["word"] * 26) + "."
    messages = [f.message for f in findings(SentenceLength(), module(long_sentence))]
    assert any("a sentence of 26 words" in message for message in messages)
    assert any("sentences average" in message for message in messages)


def test_jargon_needs_a_glossary_entry_or_a_definition_where_first_used() -> None:
    undefined = module("Your doctor may suggest ECT.")
    [found] = findings(JargonDefined(), undefined)
    assert "'ECT'" in found.message
    assert found.pointer == "/sections/0/body"
    in_place = module("Your doctor may suggest ECT (a brief electric current). ECT helps.")
    assert findings(JargonDefined(), in_place) == []
    glossary = module(
        "Your doctor may suggest ECT.",
        glossary=[{"term": "electroconvulsive therapy (ECT)", "definition": "A treatment."}],
    )
    assert findings(JargonDefined(), glossary) == []


@pytest.mark.parametrize(
    "phrase",
    ["committed suicide", "a successful suicide", "a failed attempt", "the suicide epidemic"],
)
def test_safe_messaging_blocks_unsafe_wording_in_every_audience(phrase: str) -> None:
    for audience in ("patient", "clinician"):
        item = module(f"He {phrase} last year.", audience=audience)
        [found] = findings(SafeMessaging(), item)
        assert phrase.split()[-1] in found.message
        assert found.suggestion
    assert findings(SafeMessaging(), module("He died by suicide last year.")) == []


def test_person_first_language_blocks_for_patients_and_warns_for_clinicians() -> None:
    [patient] = findings(PersonFirstLanguage(), module("She suffers from depression."))
    assert patient.severity is None
    assert "'has' or 'lives with'" in (patient.suggestion or "")
    clinician = module("Depressed patients were enrolled.", audience="clinician")
    [warning] = findings(PersonFirstLanguage(), clinician)
    assert warning.severity == "warn"
    assert findings(PersonFirstLanguage(), module("She lives with depression.")) == []


def test_every_patient_page_says_call_or_text_988() -> None:
    assert findings(CrisisResource(), module("Plain words.")) == []
    without = validate(valid_document("content-module"))
    [found] = findings(CrisisResource(), without)
    assert "988" in found.message
    [treatment_page] = findings(CrisisResource(), treatment("Plain words. Call 1-800-273-8255."))
    assert treatment_page.pointer == "/text/patient"
    assert findings(CrisisResource(), treatment(f"Plain words. {CRISIS}")) == []


def test_sourced_needs_review_section_sources_and_known_source_ids() -> None:
    catalog = Catalog.from_documents([("test", valid_document("source"))])
    assert findings(Sourced(), module("Plain words."), catalog=catalog) == []
    unreviewed = validate(valid_document("treatment"))
    assert [f.pointer for f in findings(Sourced(), unreviewed, catalog=catalog)] == ["/review"]
    no_sources = valid_document("content-module")
    [found] = findings(Sourced(), validate(no_sources))
    assert found.pointer == "/sections/0"
    assert "cites no sources" in found.message
    dangling = module("Plain words.", sources=["nowhere-2020"])
    [missing] = findings(Sourced(), dangling, catalog=catalog)
    assert missing.pointer == "/sources/0"
    assert "'nowhere-2020'" in missing.message


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-06-01", []),
        ("2027-01-15", ["warn"]),  # 12 months
        ("2028-01-14", ["warn"]),  # 23 months
        ("2028-01-15", [None]),  # 24 months: the rule's own severity, block
        ("2025-12-31", ["warn"]),  # reviewed after the lint date
    ],
)
def test_review_freshness_warns_after_12_months_and_blocks_after_24(
    as_of: str, expected: list[str | None]
) -> None:
    item = module("Plain words.")  # last reviewed 2026-01-15
    found = findings(ReviewFreshness(), item, as_of=datetime.date.fromisoformat(as_of))
    assert [finding.severity for finding in found] == expected


def test_review_freshness_is_not_judged_without_a_date() -> None:
    assert findings(ReviewFreshness(), module("Plain words.")) == []


def test_months_between_counts_whole_months() -> None:
    assert months_between(datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)) == 0
    assert months_between(datetime.date(2024, 1, 15), datetime.date(2025, 1, 15)) == 12


def test_translation_must_be_of_the_current_version_of_its_original() -> None:
    original = valid_document("content-module", version="1.1.0")
    translation = valid_document(
        "content-module",
        id="example-module-es",
        language="es",
        translation_of="example-module@1.0.0",
    )
    catalog = Catalog.from_documents([("test", original), ("test", translation)])
    item = validate(translation)
    [stale] = findings(TranslationCurrent(), item, catalog=catalog)
    assert "now at version 1.1.0" in stale.message
    assert stale.pointer == "/translation_of"
    current = dict(translation, translation_of="example-module@1.1.0")
    assert findings(TranslationCurrent(), validate(current), catalog=catalog) == []
    orphan = dict(translation, translation_of="gone@1.0.0")
    [missing] = findings(TranslationCurrent(), validate(orphan), catalog=catalog)
    assert "not in the catalog" in missing.message
    # No translations at all: nothing to check.
    assert findings(TranslationCurrent(), module("Plain words."), catalog=catalog) == []


def _reviews(
    understandability: float = 80,
    actionability: float = 80,
    cci: float = 95,
    date: str = "2026-02-01",
) -> dict[str, Any]:
    """Stored human review records (made up for these tests, never for real content)."""
    return {
        "pemat": [
            {
                "form": "PEMAT-P",
                "instrument_version": "AHRQ 14-0002-EF",
                "understandability_percent": understandability,
                "actionability_percent": actionability,
                "reviewed_by": "A. Reviewer",
                "date": date,
            }
        ],
        "clear_communication_index": [
            {"score": cci, "score_sheet": "standard", "reviewed_by": "A. Reviewer", "date": date}
        ],
    }


def scores(rule: Any, item: Any) -> list[Any]:
    """A human review rule's findings about stored scores (its pre-checks left out)."""
    return [found for found in findings(rule, item) if found.severity != "warn"]


def test_pemat_and_cdc_index_missing_records_need_review_not_block() -> None:
    for item in (module("Ask your doctor about it."), treatment(f"Ask your doctor. {CRISIS}")):
        [pemat] = scores(Pemat(), item)
        [index] = scores(ClearCommunicationIndex(), item)
        assert pemat.severity == index.severity == "review"
        assert pemat.pointer == index.pointer == "/human_reviews"
        assert "no stored PEMAT score" in pemat.message


@pytest.mark.parametrize("make", [module, treatment])
def test_stored_scores_at_the_thresholds_pass(make: Any) -> None:
    item = make(f"Ask your doctor about it. {CRISIS}", human_reviews=_reviews(70, 70, 90))
    assert scores(Pemat(), item) == []
    assert scores(ClearCommunicationIndex(), item) == []


@pytest.mark.parametrize("make", [module, treatment])
def test_stored_scores_below_the_thresholds_block(make: Any) -> None:
    item = make(f"Ask your doctor about it. {CRISIS}", human_reviews=_reviews(69, 80, 89))
    [pemat] = scores(Pemat(), item)
    [index] = scores(ClearCommunicationIndex(), item)
    assert pemat.severity is None  # the rule's own severity: block
    assert pemat.pointer == "/human_reviews/pemat/0"
    assert "PEMAT-P scored understandability 69% on 2026-02-01 (by A. Reviewer)" in pemat.message
    assert "actionability" not in pemat.message
    assert index.severity is None
    assert index.pointer == "/human_reviews/clear_communication_index/0"
    assert "scored 89" in index.message
    both_low = make(f"Ask your doctor. {CRISIS}", human_reviews=_reviews(50, 60, 95))
    [found] = scores(Pemat(), both_low)
    assert "understandability 50% and actionability 60%" in found.message


def test_the_newest_stored_score_counts() -> None:
    old, new = _reviews(40, 40, 50, "2025-01-01"), _reviews(75, 75, 92, "2026-03-01")
    records = {key: old[key] + new[key] for key in old}
    assert scores(Pemat(), module("Ask your doctor.", human_reviews=records)) == []
    records = {key: new[key] + old[key] for key in old}  # order does not matter, the date does
    assert scores(ClearCommunicationIndex(), module("Ask.", human_reviews=records)) == []
    worse_later = {key: new[key] + _reviews(60, 90, 80, "2026-06-01")[key] for key in old}
    [found] = scores(Pemat(), module("Ask your doctor.", human_reviews=worse_later))
    assert found.pointer == "/human_reviews/pemat/1"


def test_pemat_pre_check_wants_an_action_step() -> None:
    item = module("Depression is common.", human_reviews=_reviews(90, 90, 95))
    [found] = findings(Pemat(), item)
    assert found.severity == "warn"
    assert "what to do" in found.message


def test_every_builtin_rule_has_an_id_version_source_and_a_docstring() -> None:
    for rule in BUILTIN_RULES:
        assert rule.id
        assert rule.source
        assert re.fullmatch(r"\d+\.\d+\.\d+", rule.version)
        assert rule.severity in ("block", "warn", "review")
        assert len((rule.__doc__ or "").splitlines()) > 3, rule.id


# --- the engine -------------------------------------------------------------------------------


def _rules() -> dict[str, Any]:
    return {rule.id: rule() for rule in BUILTIN_RULES}


def test_a_suppression_with_a_reason_is_listed_and_its_finding_does_not_count() -> None:
    document = valid_document("content-module")
    document["sections"] = [
        {
            "id": "plan",
            "heading": "Make a plan",
            "body": "Save 988 in your phone. Call or text 988 any time.",
            "suppressions": [{"rule": "sourced", "reason": "Practical steps; no clinical claim."}],
        }
    ]
    catalog = Catalog.from_documents([("test", document)])
    report = lint_catalog(catalog, _rules())
    assert not [f for f in report.findings if f.rule == "sourced"]
    [suppressed] = report.suppressed
    assert suppressed.reason == "Practical steps; no clinical claim."
    assert suppressed.declared_at == "/sections/0/suppressions/0"
    assert "reason (/sections/0/suppressions/0)" in report.to_text()
    assert report.to_json()["suppressed"][0]["rule"] == "sourced"


def test_safe_messaging_and_the_crisis_line_cannot_be_suppressed() -> None:
    document = valid_document("content-module")
    document["sections"][0]["suppressions"] = [
        {"rule": "crisis-resource", "reason": "We would rather not say it here."}
    ]
    report = lint_catalog(Catalog.from_documents([("test", document)]), _rules())
    assert report.blocked
    assert any(f.rule == "crisis-resource" for f in report.blocking)
    assert any("cannot be suppressed" in f.message for f in report.findings)


def test_a_rule_that_raises_blocks_its_item_instead_of_crashing() -> None:
    class Broken:
        id = "broken"
        severity = "warn"
        audiences = ("patient",)
        description = "always fails"
        source = "test"

        def check(self, item: Any) -> list[Any]:
            raise RuntimeError("boom")

    catalog = Catalog.from_documents([("test", valid_document("content-module"))])
    report = lint_catalog(catalog, {"broken": Broken()})
    [found] = report.findings
    assert found.severity == "block"
    assert "RuntimeError: boom" in found.message
    assert report.rules[0].version == "unversioned"


def test_reports_are_sorted_and_deterministic() -> None:
    documents = [("test", valid_document("content-module")), ("test", valid_document("treatment"))]
    first = lint_catalog(Catalog.from_documents(documents), _rules())
    second = lint_catalog(Catalog.from_documents(list(reversed(documents))), _rules())
    assert first.to_json() == second.to_json()
    assert [f.severity for f in first.findings] == sorted(
        (f.severity for f in first.findings), key=["block", "warn", "review"].index
    )


# --- treatments: glossary and suppressions on their texts -------------------------------------


def test_a_treatment_glossary_defines_jargon_on_its_patient_page() -> None:
    text = f"Your doctor may suggest ECT. {CRISIS}"
    [undefined] = findings(JargonDefined(), treatment(text))
    assert undefined.pointer == "/text/patient/text"
    entry = {
        "term": "electroconvulsive therapy (ECT)",
        "definition": "A treatment with a brief electric current, given under anesthesia.",
        "sources": ["example-source"],
    }
    assert findings(JargonDefined(), treatment(text, glossary=[entry])) == []


def test_a_treatment_glossary_is_patient_text_for_the_word_rules() -> None:
    entry = {"term": "ECT", "definition": "A treatment for people who suffer from depression."}
    [found] = findings(PersonFirstLanguage(), treatment(CRISIS, glossary=[entry]))
    assert found.pointer == "/glossary/0/definition"
    assert found.severity is None  # patient text: blocks


def _treatment_with_suppression(rule: str, reason: str, text: str) -> dict[str, Any]:
    document = valid_document("treatment")
    document["review"] = {"reviewed_by": "Content Team", "last_reviewed": "2026-01-15"}
    document["text"]["patient"] = {
        "text": text,
        "language": "en",
        "suppressions": [{"rule": rule, "reason": reason}],
    }
    return document


def test_a_suppression_on_treatment_text_is_listed_with_its_reason() -> None:
    long_sentence = " ".join(["word"] * 26) + "."
    reason = "A quoted label that must stay word for word."
    document = _treatment_with_suppression("sentence-length", reason, f"{long_sentence} {CRISIS}")
    report = lint_catalog(Catalog.from_documents([("test", document)]), _rules())
    assert not [f for f in report.findings if f.rule == "sentence-length"]
    assert {(s.finding.pointer, s.reason, s.declared_at) for s in report.suppressed} == {
        ("/text/patient/text", reason, "/text/patient/suppressions/0"),
        ("/text/patient", reason, "/text/patient/suppressions/0"),
    }


def test_treatment_text_cannot_suppress_the_crisis_line() -> None:
    document = _treatment_with_suppression("crisis-resource", "Not wanted on this page.", "Hi.")
    report = lint_catalog(Catalog.from_documents([("test", document)]), _rules())
    assert any(
        f.rule == "crisis-resource" and f.pointer == "/text/patient" for f in report.blocking
    )
    assert any(
        f.pointer == "/text/patient/suppressions/0" and "cannot be suppressed" in f.message
        for f in report.findings
    )


@pytest.mark.parametrize(
    "suppression",
    [{"rule": "sentence-length"}, {"rule": "sentence-length", "reason": ""}],
    ids=["no reason", "empty reason"],
)
def test_a_suppression_without_a_reason_is_invalid(suppression: dict[str, str]) -> None:
    from trdcore.exceptions import SchemaValidationError

    document = valid_document("treatment")
    document["text"]["patient"]["suppressions"] = [suppression]
    with pytest.raises(SchemaValidationError, match="/text/patient/suppressions/0"):
        validate(document)


@pytest.mark.parametrize(
    ("records", "pointer"),
    [
        ({"pemat": [{"understandability_percent": 80}]}, "/human_reviews/pemat/0"),
        (
            {
                "clear_communication_index": [
                    {"score": 101, "reviewed_by": "A", "date": "2026-01-01"}
                ]
            },
            "/human_reviews/clear_communication_index/0/score",
        ),
    ],
)
def test_incomplete_or_impossible_review_records_are_invalid(
    records: dict[str, Any], pointer: str
) -> None:
    from trdcore.exceptions import SchemaValidationError

    with pytest.raises(SchemaValidationError, match=pointer):
        validate(valid_document("content-module", human_reviews=records))


# --- other languages --------------------------------------------------------------------------

SPANISH_CRISIS = (
    "Si está pensando en el suicidio o está en crisis, llame o envíe un mensaje de texto al "
    "**988**."
)


def spanish(*bodies: str, language: str = "es") -> Any:
    document = valid_document(
        "content-module",
        language=language,
        sections=[
            {"id": f"parte-{n}", "heading": f"Parte {n}", "body": body, "sources": ["x"]}
            for n, body in enumerate(bodies)
        ],
    )
    return validate(document)


def test_the_crisis_line_is_recognised_in_spanish() -> None:
    assert findings(CrisisResource(), spanish("Hable con su médico.", SPANISH_CRISIS)) == []
    assert findings(CrisisResource(), spanish("Llame o mande un texto al 988.")) == []
    es_mx = spanish(SPANISH_CRISIS, language="es-MX")
    assert findings(CrisisResource(), es_mx) == []


@pytest.mark.parametrize(
    "body",
    [
        "Hable con su médico.",  # no 988
        "El 988 es una línea de ayuda.",  # 988 without call or text
        "Call or text 988.",  # English wording on a Spanish page
        "Llame a su médico. Hay una línea, el 988. Mande un texto.",  # not in one sentence
    ],
)
def test_a_spanish_page_without_the_spanish_call_or_text_988_blocks(body: str) -> None:
    [found] = findings(CrisisResource(), spanish(body))
    assert found.severity is None  # block
    assert "call or text 988" in found.message


def test_a_language_without_wording_needs_review_when_988_is_shown() -> None:
    [found] = findings(CrisisResource(), spanish("Appelez ou textez le 988.", language="fr"))
    assert found.severity == "review"
    assert "'fr'" in found.message
    [missing] = findings(CrisisResource(), spanish("Parlez à votre médecin.", language="fr"))
    assert missing.severity is None


def test_tel_and_sms_links_to_988_count_in_any_language() -> None:
    links = "[988](tel:988) · [988](sms:988)"
    assert findings(CrisisResource(), spanish(links, language="fr")) == []
    assert findings(CrisisResource(), spanish("[988](tel:988)", language="fr"))[0].severity


def test_english_readability_formulas_are_not_applied_to_other_languages() -> None:
    hard = (
        "Las estrategias farmacológicas de potenciación demuestran una considerable "
        "heterogeneidad terapéutica en poblaciones clínicamente resistentes."
    )
    [found] = findings(ReadingGrade(), spanish(hard, SPANISH_CRISIS))
    assert found.severity == "review"
    assert "English formulas" in found.message
    assert "'es'" in found.message
    assert not re.search(r"\d", found.message)  # no English grade number


def test_english_word_lists_say_they_did_not_check_other_languages() -> None:
    for rule in (SafeMessaging(), PersonFirstLanguage()):
        [found] = findings(rule, spanish(SPANISH_CRISIS))
        assert found.severity == "review"
        assert "list is English" in found.message
    assert findings(SafeMessaging(), module("Plain words.")) == []


def test_english_pre_checks_are_not_applied_to_other_languages() -> None:
    item = spanish("La depresión es común.", SPANISH_CRISIS)
    assert [f.severity for f in findings(Pemat(), item)] == ["review"]
    assert [f.severity for f in findings(ClearCommunicationIndex(), item)] == ["review"]
