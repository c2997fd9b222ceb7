"""Patient output shows at most six key sources: the strongest first, the crisis line's kept."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trdcore.key_sources import KEY_SOURCE_LIMIT, PUBLISHER_ORDER, key_sources, ranked
from trdcore.models.source import Source, SourcePublisher


def source(
    identifier: str,
    reliability: str = "primary",
    kind: str | None = "peer-reviewed-journal",
    original: bool = True,
) -> Source:
    data: dict[str, Any] = {
        "id": identifier,
        "version": "1.0.0",
        "title": identifier,
        "year": 2020,
        "kind": "paper",
        "reliability": reliability,
        "url": f"https://example.org/{identifier}",
    }
    model = Source.from_json(data)
    if kind is None:
        return model
    publisher = SourcePublisher(kind=kind, original=original)  # type: ignore[arg-type]
    return Source.from_json({**data, "publisher": publisher.to_json()})


def test_primary_sources_come_before_secondary_and_tertiary_ones() -> None:
    cited = [source("web", "tertiary"), source("review", "secondary"), source("label", "primary")]
    assert [item.id for item in ranked(cited)] == ["label", "review", "web"]


def test_among_equally_reliable_sources_a_regulator_comes_before_news_and_copies() -> None:
    cited = [
        source("copy", kind="copy-or-aggregator", original=False),
        source("news", kind="news-or-press-release"),
        source("clinic", kind="health-care-provider"),
        source("label", kind="regulator"),
        source("unclassified", kind=None),
    ]
    order = ["label", "clinic", "news", "copy", "unclassified"]
    assert [item.id for item in ranked(cited)] == order


def test_an_original_link_comes_before_a_copy_of_the_same_kind() -> None:
    cited = [source("mirror", original=False), source("doi")]
    assert [item.id for item in ranked(cited)] == ["doi", "mirror"]


def test_equal_sources_keep_the_order_they_are_cited_in_and_appear_once() -> None:
    cited = [source("b"), source("a"), source("b"), source("c")]
    assert [item.id for item in ranked(cited)] == ["b", "a", "c"]


def test_the_crisis_sources_are_kept_even_when_weaker_than_the_rest() -> None:
    cited = [source(f"paper-{n}") for n in range(10)]
    crisis = [source("lifeline", "tertiary", "news-or-press-release")]
    shown = key_sources(cited, always=crisis)
    assert len(shown) == KEY_SOURCE_LIMIT
    assert shown[-1].id == "lifeline"
    assert [item.id for item in shown[:-1]] == [f"paper-{n}" for n in range(5)]


def test_a_limit_smaller_than_the_kept_sources_is_refused() -> None:
    with pytest.raises(ValueError, match="limit 1"):
        key_sources([], always=[source("a"), source("b")], limit=1)


RELIABILITY = ("primary", "secondary", "tertiary")
sources = st.builds(
    source,
    identifier=st.sampled_from([f"s{n}" for n in range(12)]),
    reliability=st.sampled_from(RELIABILITY),
    kind=st.sampled_from((*PUBLISHER_ORDER, None)),
    original=st.booleans(),
)


@given(st.lists(sources, max_size=20), st.lists(sources, max_size=3))
def test_no_source_left_out_is_more_reliable_than_one_shown(
    cited: list[Source], crisis: list[Source]
) -> None:
    crisis = list({item.id: item for item in crisis}.values())
    shown = key_sources(cited, always=crisis)
    shown_ids = {item.id for item in shown}
    assert len(shown) <= KEY_SOURCE_LIMIT
    assert {item.id for item in crisis} <= shown_ids
    assert shown_ids <= {item.id for item in (*cited, *crisis)}
    assert len(shown_ids) == len(shown)
    chosen = [item for item in shown if item.id not in {c.id for c in crisis}]
    left_out = [item for item in ranked(cited) if item.id not in shown_ids]
    if chosen and left_out:
        weakest = max(RELIABILITY.index(item.reliability) for item in chosen)
        assert all(RELIABILITY.index(item.reliability) >= weakest for item in left_out)
