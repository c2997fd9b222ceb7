"""Citations that content and definitions point to by id."""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import DocumentModel

__all__ = ["PublisherKind", "Source", "SourcePublisher"]

SourceKind: TypeAlias = Literal[
    "guideline",
    "label",
    "paper",
    "review",
    "consensus",
    "payer-policy",
    "dataset",
    "code-list",
    "web-page",
    "book",
]
Reliability: TypeAlias = Literal["primary", "secondary", "tertiary"]
PublisherKind: TypeAlias = Literal[
    "regulator",
    "peer-reviewed-journal",
    "guideline-body",
    "government-or-professional-body",
    "manufacturer",
    "health-care-provider",
    "data-publisher",
    "news-or-press-release",
    "copy-or-aggregator",
]


@attrs.frozen(kw_only=True)
class SourcePublisher(DocumentModel):
    """Who issued a source, and whether its link is on that publisher's own site (source@1.1.0).

    ``original`` is false for a copy on a third-party host; a DOI, PubMed or PubMed Central
    link to a journal article counts as the original.
    """

    kind: PublisherKind
    original: bool


@attrs.frozen(kw_only=True)
class Source(DocumentModel):
    """A guideline, label, paper, policy or code list that a clinical statement rests on.

    It always has at least one way to find it (DOI, PMID, PMCID or URL), and ``reliability``
    says whether it was read first-hand (primary) or through a summary.
    """

    SCHEMA_NAME: ClassVar[str] = "source"

    schema: Literal["source@1.0.0", "source@1.1.0"] | None = None
    id: str
    version: str
    title: str
    authors: tuple[str, ...] | None = None
    container: str | None = None
    year: int
    published: datetime.date | None = None
    kind: SourceKind
    reliability: Reliability
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    accessed: datetime.date | None = None
    note: str | None = None
    publisher: SourcePublisher | None = None

    @property
    def link(self) -> str | None:
        """Where a reader finds the source: its own URL, else the DOI resolver, else PubMed,
        else PubMed Central (every source has at least one of them)."""
        if self.url is not None:
            return self.url
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.pmcid:
            return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/"
        return None
