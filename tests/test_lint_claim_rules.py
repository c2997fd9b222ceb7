"""What patient text rests on: every figure traces to a statement, and sources a clinic can cite.

The four cases of issue 15 are the sentences as they stood in the built-in catalog before it
was fixed (trdcore 0.1, content/treatments), each beside the statement it rested on.
"""

from __future__ import annotations

from typing import Any

import pytest

from trdcore import validate
from trdcore.catalog import Catalog
from trdcore.lint.claim_rules import CitableSources, TraceableClaims, figures
from trdcore.lint.pages import LintContext
from trdcore.testing import valid_document

CRISIS = "If you are thinking about suicide or are in crisis, call or text 988."


def statement(text: str, verification: str, sources: tuple[str, ...] = ("example-source",)) -> Any:
    return {"topic": "course", "text": text, "sources": list(sources), "verification": verification}


def treatment(patient_text: str, *statements: dict[str, Any], **overrides: Any) -> Any:
    document = valid_document("treatment")
    document["text"]["patient"]["text"] = f"{patient_text}\n\n{CRISIS}\n"
    document["statements"] = list(statements)
    document.update(overrides)
    return validate(document)


def traced(item: Any) -> list[str]:
    return [finding.message for finding in TraceableClaims().check(item, LintContext.of(item))]


# --- the four cases of issue 15 ---------------------------------------------------------------


def test_ect_six_to_twelve_treatments_rests_on_a_provisional_statement_without_a_caveat() -> None:
    item = treatment(
        "Treatments are most often given 2 or 3 times a week for 3 to 4 weeks. Many people get 6 "
        "to 12 treatments in all. But the number is not the same for each person. Check with your "
        "care team about your own plan.",
        statement(
            "Typical acute course: 2 to 3 treatments a week for 3 to 4 weeks, 6 to 12 treatments "
            "in all. Read only as Mayo Clinic text quoted in a search snippet.",
            "provisional",
        ),
    )
    messages = traced(item)
    assert any("'Many people get 6 to 12 treatments in all.'" in m for m in messages), messages
    assert all("provisional" in message for message in messages)


def test_vns_battery_seven_to_eight_years_is_not_caveated_by_advice_to_ask() -> None:
    item = treatment(
        "- The battery needs to be replaced after about 7 to 8 years. Check with your care team\n"
        "  about the device you would get.",
        statement(
            "Surgical risks, including infection. The battery needs replacing after about 7 to 8 "
            "years.",
            "provisional",
        ),
    )
    (message,) = traced(item)
    assert "7 to 8 years" in message
    assert "does not say it is not confirmed" in message


def test_iv_ketamine_about_forty_minutes_rests_on_a_provisional_statement() -> None:
    item = treatment(
        "- You get the medicine through an IV at a clinic. It often runs for about 40 minutes.\n"
        "  Check with your clinic about how long yours will take.",
        statement(
            "The most common regimen is 0.5 mg/kg intravenously over 40 minutes.", "provisional"
        ),
    )
    (message,) = traced(item)
    assert "'It often runs for about 40 minutes.'" in message


def test_rtms_drive_home_is_backed_by_no_statement_at_all() -> None:
    item = treatment(
        "- You stay awake the whole time.\n"
        "- Most people can drive themselves home after a session.",
        statement(
            "The patient is awake, no anaesthesia is used, and a NeuroStar session lasts about 37 "
            "minutes.",
            "verified",
        ),
    )
    (message,) = traced(item)
    assert "'Most people can drive themselves home after a session.'" in message
    assert "no statement" in message


# --- what passes ------------------------------------------------------------------------------


def test_a_figure_a_verified_statement_states_needs_no_caveat() -> None:
    item = treatment(
        "A session takes about 37 minutes.",
        statement("A NeuroStar session lasts about 37 minutes.", "verified"),
    )
    assert traced(item) == []


@pytest.mark.parametrize(
    "text",
    [
        "It often runs for about 40 minutes, but this has not been confirmed.",
        "It often runs for about 40 minutes. This figure has not been verified.",
        "It often runs for about 40 minutes. Sources differ on this.",
    ],
)
def test_a_provisional_figure_passes_with_a_caveat_in_its_sentence_or_the_next(text: str) -> None:
    item = treatment(text, statement("Given over 40 minutes.", "provisional"))
    assert traced(item) == []


def test_a_caveat_in_another_paragraph_does_not_cover_the_figure() -> None:
    item = treatment(
        "It often runs for about 40 minutes.\n\nSome details here have not been confirmed.",
        statement("Given over 40 minutes.", "provisional"),
    )
    assert len(traced(item)) == 1


def test_each_figure_may_rest_on_its_own_statement_and_the_weakest_decides() -> None:
    verified = statement("Given 2 or 3 times a week.", "verified")
    provisional = statement("A course lasts 3 to 4 weeks.", "provisional")
    assert traced(treatment("It is given 2 or 3 times a week.", verified, provisional)) == []
    (message,) = traced(
        treatment("It is given 2 or 3 times a week for 3 to 4 weeks.", verified, provisional)
    )
    assert "/statements/1" in message


def test_a_figure_no_record_states_blocks_even_with_a_caveat() -> None:
    item = treatment(
        "Each session takes about 3 minutes, though this has not been confirmed.",
        statement("Sessions last 37 minutes.", "verified"),
    )
    (message,) = traced(item)
    assert "states 3, which none" in message


def test_regulatory_entries_back_figures_too() -> None:
    item = treatment(
        "The FDA cleared it in 2008.",
        regulatory=[
            {
                "region": "US",
                "authority": "FDA",
                "status": "cleared",
                "indication": "Cleared in October 2008.",
                "sources": ["example-source"],
                "verification": "verified",
            }
        ],
    )
    assert traced(item) == []


def test_a_frequency_claim_passes_when_a_verified_statement_is_about_the_same_thing() -> None:
    item = treatment(
        "Most people feel a tapping on the scalp.",
        statement("Patients feel a tapping sensation on the scalp during stimulation.", "verified"),
    )
    assert traced(item) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 to 12 treatments", {"6", "12"}),
        ("two antidepressants, one after the other", {"2"}),
        ("You take the two drugs at the same time.", set()),
        ("two or three times a week", {"2", "3"}),
        ("more than half of the people", {"half"}),
        ("call or text 988", set()),
        ("0.5 mg/kg over 40 minutes", {"0.5", "40"}),
        ("1,036 orders", {"1036"}),
    ],
)
def test_figures_are_numbers_counted_number_words_and_proportions(
    text: str, expected: set[str]
) -> None:
    assert figures(text) == expected


# --- citable sources --------------------------------------------------------------------------


def source(identifier: str, kind: str | None, original: bool = True) -> dict[str, Any]:
    document = valid_document("source")
    document["id"] = identifier
    if kind is not None:
        document["schema"] = "source@1.1.0"
        document["publisher"] = {"kind": kind, "original": original}
    return document


def citable(item: Any, *sources: dict[str, Any]) -> list[Any]:
    catalog = Catalog.from_documents([("test", document) for document in sources])
    return list(CitableSources().check(item, LintContext.of(item, catalog=catalog)))


def test_a_statement_resting_only_on_news_and_copies_blocks() -> None:
    item = treatment(
        "Plain words.",
        statement("Approved in 2007.", "provisional", ("news", "mirror")),
    )
    (finding,) = citable(
        item,
        source("news", "news-or-press-release"),
        source("mirror", "peer-reviewed-journal", original=False),
    )
    assert finding.pointer == "/statements/0"
    assert "news (news-or-press-release)" in finding.message
    assert "mirror (a copy on a third-party host)" in finding.message


def test_one_original_source_beside_the_news_is_enough() -> None:
    item = treatment("Plain words.", statement("Approved in 2007.", "verified", ("news", "label")))
    assert (
        citable(item, source("news", "news-or-press-release"), source("label", "regulator")) == []
    )


def test_sources_without_a_recorded_publisher_are_not_judged() -> None:
    item = treatment("Plain words.", statement("Approved in 2007.", "verified", ("old",)))
    assert citable(item, source("old", None)) == []


def test_a_patient_module_section_resting_only_on_a_copy_blocks() -> None:
    document = valid_document(
        "content-module",
        audience="patient",
        sections=[{"id": "a", "heading": "A", "body": CRISIS, "sources": ["copy"]}],
    )
    (finding,) = citable(validate(document), source("copy", "copy-or-aggregator", original=False))
    assert finding.pointer == "/sections/0"
