"""Which of an item's sources a patient page or handout shows: a few key ones, strongest first.

A treatment may rest on two dozen sources; printed in full they take half of a
two-page handout, and a patient cannot tell the FDA label from a clinic's web
page in the list. Patient output therefore shows at most
:data:`KEY_SOURCE_LIMIT` of them, chosen by how far each can be relied on; the
full list stays in the data and on the clinician page. The order is:

1. ``reliability`` (primary, then secondary, then tertiary);
2. who published it (:data:`PUBLISHER_ORDER`: a regulator's document before a
   guideline, a journal article, an agency page, a data set, a maker's page,
   a clinic's page, news, then copies), a source without ``publisher`` last;
3. an original link before a copy;
4. the order the item cites them in.

The crisis block's own sources (the 988 line) always stay: every patient page
states 988, so its source is never cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trdcore.models.source import PublisherKind, Source

__all__ = ["KEY_SOURCE_LIMIT", "PUBLISHER_ORDER", "key_sources", "ranked"]

#: The most sources a patient page or handout shows (issue 15: "at most 6 key sources").
KEY_SOURCE_LIMIT = 6

#: Publisher kinds from the most to the least authoritative for a patient-facing claim.
PUBLISHER_ORDER: tuple[PublisherKind, ...] = (
    "regulator",
    "guideline-body",
    "peer-reviewed-journal",
    "government-or-professional-body",
    "data-publisher",
    "manufacturer",
    "health-care-provider",
    "news-or-press-release",
    "copy-or-aggregator",
)

_RELIABILITY_ORDER = ("primary", "secondary", "tertiary")


def _strength(position: int, source: Source) -> tuple[int, int, int, int]:
    publisher = source.publisher
    kind = PUBLISHER_ORDER.index(publisher.kind) if publisher else len(PUBLISHER_ORDER)
    copy = 0 if publisher is not None and publisher.original else 1
    return (_RELIABILITY_ORDER.index(source.reliability), kind, copy, position)


def ranked(sources: Iterable[Source]) -> tuple[Source, ...]:
    """Each source once (first citation wins), strongest first (see the module docstring)."""
    unique = list({source.id: source for source in sources}.values())
    order = sorted(enumerate(unique), key=lambda pair: _strength(*pair))
    return tuple(source for _, source in order)


def key_sources(
    cited: Sequence[Source],
    *,
    always: Sequence[Source] = (),
    limit: int = KEY_SOURCE_LIMIT,
) -> tuple[Source, ...]:
    """At most ``limit`` sources for patient output: ``always`` (kept), then the strongest cited.

    ``cited`` is the item's own list in citation order; ``always`` holds the
    sources of text every patient page carries (the crisis block).
    """
    if limit < len({source.id for source in always}):
        raise ValueError(f"limit {limit} is smaller than the {len(always)} sources always shown")
    kept = ranked(always)
    taken = {source.id for source in kept}
    room = limit - len(kept)
    chosen = [source for source in ranked(cited) if source.id not in taken][:room]
    return (*chosen, *kept)
