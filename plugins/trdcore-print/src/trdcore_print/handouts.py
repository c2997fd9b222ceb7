"""Which handouts to print, and what goes on each, taken from the catalog.

Everything here is a pure function of the catalog and the settings: no
rendering, no files, no clock. A handout's dates are its content's review
dates, so the same catalog always gives the same handouts.

Three kinds of handout are printed for one audience (patient or clinician):

- ``trd-and-options``: what treatment-resistant depression is (the
  ``what-is-trd`` content module) and the treatment options in the catalog;
- ``treatment-<id>``: one per treatment, from its audience text;
- ``questions-for-your-psychiatrist``: the checklist module.

Every handout carries the 988 crisis block: the module's own ``crisis-help``
section when it has one, otherwise the ``crisis-help`` section of the
``crisis-resources`` patient module. Only ``active`` content is printed;
anything left out is listed in :attr:`HandoutSet.skipped`, never dropped
silently.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Literal
from urllib.parse import urlsplit

import attrs

from trdcore.catalog import Catalog, CatalogEntry
from trdcore.exceptions import ExportError, UnknownTargetError
from trdcore.extensions import OptionValue
from trdcore.key_sources import key_sources
from trdcore.models.common import Review
from trdcore.models.content_module import ContentModule
from trdcore.models.source import Source
from trdcore.models.treatment import Treatment

__all__ = [
    "AUDIENCES",
    "Citation",
    "Handout",
    "HandoutSection",
    "HandoutSet",
    "OptionGroup",
    "Settings",
    "build_handouts",
]

Audience = Literal["patient", "clinician"]
AUDIENCES: tuple[Audience, ...] = ("patient", "clinician")

#: Content modules the handouts are made of, by the id they have before the ``-<audience>`` suffix.
TRD_MODULE = "what-is-trd"
QUESTIONS_MODULE = "questions-for-your-psychiatrist"
CRISIS_MODULE = "crisis-resources-patient"
CRISIS_SECTION = "crisis-help"

#: Plain headings for the treatment categories, in the order they are listed.
CATEGORY_HEADINGS: Mapping[str, Mapping[Audience, str]] = {
    "medication-change": {"patient": "Changing your medicine", "clinician": "Medication change"},
    "augmentation": {
        "patient": "Adding a second medicine",
        "clinician": "Combination and augmentation",
    },
    "psychotherapy": {"patient": "Talk therapy", "clinician": "Psychotherapy"},
    "neurostimulation": {"patient": "Brain stimulation", "clinician": "Neurostimulation"},
    "rapid-acting": {"patient": "Fast-acting treatments", "clinician": "Rapid-acting treatments"},
    "investigational": {"patient": "Still being studied", "clinician": "Investigational"},
}


@attrs.frozen
class Settings:
    """What the user asked for: audience, large print, which treatments, which language."""

    audience: Audience = "patient"
    large_print: bool = False
    treatments: tuple[str, ...] = ()
    language: str = "en"

    @classmethod
    def from_options(cls, options: Mapping[str, OptionValue], locale: str | None) -> Settings:
        """Settings from ``ExportContext.options``; a value of the wrong kind is an ExportError."""
        audience = options.get("audience", "patient")
        if audience not in AUDIENCES:
            raise ExportError(f"--audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        large_print = options.get("large-print", False)
        if not isinstance(large_print, bool):
            raise ExportError(f"--large-print is a flag (true or false), not {large_print!r}")
        treatments = options.get("treatment", ())
        if isinstance(treatments, str):
            treatments = (treatments,)
        if not isinstance(treatments, tuple) or not all(isinstance(t, str) for t in treatments):
            raise ExportError(f"--treatment takes treatment ids, not {treatments!r}")
        return cls(
            audience="clinician" if audience == "clinician" else "patient",
            large_print=large_print,
            treatments=tuple(dict.fromkeys(treatments)),
            language=locale or "en",
        )


@attrs.frozen
class HandoutSection:
    """One headed part of a handout; ``body`` is Markdown from the catalog."""

    heading: str
    body: str


@attrs.frozen
class OptionGroup:
    """Treatments of one category, listed by name on the overview handout."""

    heading: str
    names: tuple[str, ...]


@attrs.frozen
class Citation:
    """A source as printed at the end of a handout."""

    id: str
    text: str
    locator: str | None
    #: The full web address the locator links to (http or https only).
    href: str | None = None


@attrs.frozen
class Handout:
    """Everything printed on one handout; ``slug`` names its file."""

    slug: str
    title: str
    audience: Audience
    language: str
    description: str | None
    sections: tuple[HandoutSection, ...]
    crisis: HandoutSection
    content: str
    review: Review
    #: The sources printed: every cited one on a clinician handout, the key ones on a
    #: patient handout (:func:`trdcore.key_sources.key_sources`).
    citations: tuple[Citation, ...]
    options: tuple[OptionGroup, ...] = ()
    glossary: tuple[tuple[str, str], ...] = ()
    #: A leading Markdown heading equal to the title is not printed twice.
    skip_title_heading: bool = False
    #: How many sources the content cites in all (more than ``citations`` when some were cut).
    cited: int = 0

    @property
    def sources_cut(self) -> bool:
        """Whether only the key sources are printed (the full list is on the clinician one)."""
        return self.cited > len(self.citations)

    @property
    def reviewed(self) -> datetime.date:
        return self.review.last_reviewed


@attrs.frozen
class HandoutSet:
    """The handouts to print, and what was left out with the reason."""

    settings: Settings
    handouts: tuple[Handout, ...]
    skipped: tuple[str, ...]


def build_handouts(catalog: Catalog, settings: Settings) -> HandoutSet:
    """The handouts for ``settings``: the TRD overview, one per treatment, the questions sheet.

    Raises :class:`UnknownTargetError` for a ``--treatment`` the catalog does
    not have, and :class:`ExportError` for content that cannot be printed
    (a missing module, a missing source, a treatment without a review date).
    """
    sources = {entry.id: entry.model for entry in catalog.items("source")}
    crisis = _crisis_section(catalog, settings)
    treatments, skipped = _treatments(catalog, settings)
    handouts = [
        _module_handout(
            catalog,
            settings,
            TRD_MODULE,
            "trd-and-options",
            sources,
            crisis,
            options=_option_groups(catalog, settings.audience),
        ),
        *(_treatment_handout(entry, settings, sources, crisis) for entry in treatments),
        _module_handout(
            catalog, settings, QUESTIONS_MODULE, "questions-for-your-psychiatrist", sources, crisis
        ),
    ]
    return HandoutSet(settings, tuple(handouts), tuple(skipped))


def _active(catalog: Catalog, kind: str) -> list[CatalogEntry]:
    """The highest version of each id among active entries."""
    return list(catalog.newest_active(kind))


def _find_module(
    catalog: Catalog, base: str, audience: Audience, language: str
) -> ContentModule | None:
    """The active module ``<base>-<audience>`` in ``language``, or a translation of it."""
    wanted = f"{base}-{audience}"
    for entry in _active(catalog, "content-module"):
        module: ContentModule = entry.model
        original = (module.translation_of or "").split("@", 1)[0]
        if (
            wanted in (module.id, original)
            and module.audience == audience
            and _same_language(module.language, language)
        ):
            return module
    return None


def _same_language(tag: str, wanted: str) -> bool:
    """``en`` matches ``en`` and ``en-US``; ``es-MX`` matches only ``es-MX``."""
    tag, wanted = tag.casefold(), wanted.casefold()
    return tag == wanted or tag == wanted.split("-", 1)[0]


def _required_module(
    catalog: Catalog, base: str, audience: Audience, language: str
) -> ContentModule:
    module = _find_module(catalog, base, audience, language)
    if module is None:
        raise ExportError(
            f"the catalog has no active {language!r} content module {base}-{audience} "
            f"(or a translation of it); the handout cannot be printed without it"
        )
    return module


def _crisis_section(catalog: Catalog, settings: Settings) -> HandoutSection:
    """The crisis block every handout ends with (patient wording, for every audience)."""
    module = _find_module(catalog, "crisis-resources", "patient", settings.language)
    if module is not None:
        for section in module.sections:
            if section.id == CRISIS_SECTION and "988" in section.body:
                return HandoutSection(section.heading, section.body)
    raise ExportError(
        f"the catalog has no active {settings.language!r} module {CRISIS_MODULE} with a "
        f"'{CRISIS_SECTION}' section naming 988; every handout must carry the crisis block"
    )


def _module_handout(
    catalog: Catalog,
    settings: Settings,
    base: str,
    slug: str,
    sources: Mapping[str, Source],
    crisis: HandoutSection,
    options: tuple[OptionGroup, ...] = (),
) -> Handout:
    module = _required_module(catalog, base, settings.audience, settings.language)
    sections = []
    for section in module.sections:
        if section.id == CRISIS_SECTION:
            crisis = HandoutSection(section.heading, section.body)
        else:
            sections.append(HandoutSection(section.heading, section.body))
    cited = list(module.sources or ())
    for section in module.sections:
        cited += section.sources or ()
    crisis_cited = [
        source_id
        for section in module.sections
        if section.id == CRISIS_SECTION
        for source_id in section.sources or ()
    ]
    citations, total = _citations(
        cited,
        sources,
        f"content module {module.id}@{module.version}",
        settings.audience,
        always=crisis_cited,
    )
    return Handout(
        slug=slug,
        title=module.title,
        audience=settings.audience,
        language=module.language,
        description=module.description,
        sections=tuple(sections),
        crisis=crisis,
        content=f"{module.id}@{module.version}",
        review=module.review,
        citations=citations,
        cited=total,
        options=options,
        glossary=tuple((item.term, item.definition) for item in module.glossary or ()),
    )


def _treatments(catalog: Catalog, settings: Settings) -> tuple[list[CatalogEntry], list[str]]:
    """The treatments to print (all active ones, or those named) and what was left out."""
    every = sorted(catalog.items("treatment"), key=lambda entry: (entry.id, entry.version))
    active = _active(catalog, "treatment")
    skipped = [
        f"treatment {entry.ref}: status {entry.model.status}, only active content is printed"
        for entry in every
        if entry.model.status != "active"
    ]
    if not settings.treatments:
        return active, skipped
    chosen = []
    for requested in settings.treatments:
        entry = catalog.get("treatment", requested)
        if entry is None:
            raise UnknownTargetError("treatment", requested, [item.id for item in active])
        if entry.model.status != "active":
            raise ExportError(
                f"treatment {entry.ref} has status {entry.model.status}; "
                "only active content is printed"
            )
        chosen.append(entry)
    return chosen, skipped


def _treatment_handout(
    entry: CatalogEntry,
    settings: Settings,
    sources: Mapping[str, Source],
    crisis: HandoutSection,
) -> Handout:
    treatment: Treatment = entry.model
    where = f"treatment {entry.ref}"
    if treatment.review is None:
        raise ExportError(
            f"{where} has no review (reviewed_by, last_reviewed); "
            "a handout must show when its content was reviewed"
        )
    text = treatment.text.patient if settings.audience == "patient" else treatment.text.clinician
    language = text.language or "en"
    if not _same_language(language, settings.language):
        raise ExportError(
            f"{where} has {settings.audience} text in {language!r} only, not {settings.language!r}"
        )
    citations, total = _citations(treatment.sources, sources, where, settings.audience)
    return Handout(
        slug=f"treatment-{treatment.id}",
        title=treatment.name,
        audience=settings.audience,
        language=language,
        description=None,
        sections=(HandoutSection("", text.text),),
        crisis=crisis,
        content=entry.ref,
        review=treatment.review,
        citations=citations,
        cited=total,
        skip_title_heading=True,
    )


def _option_groups(catalog: Catalog, audience: Audience) -> tuple[OptionGroup, ...]:
    """Active treatments by category, in the order of :data:`CATEGORY_HEADINGS`."""
    by_category: dict[str, list[str]] = {}
    for entry in _active(catalog, "treatment"):
        by_category.setdefault(entry.model.category, []).append(entry.model.name)
    return tuple(
        OptionGroup(headings[audience], tuple(sorted(by_category[category], key=str.casefold)))
        for category, headings in CATEGORY_HEADINGS.items()
        if category in by_category
    )


def _citations(
    ids: Iterable[str],
    sources: Mapping[str, Source],
    where: str,
    audience: Audience,
    *,
    always: Iterable[str] = (),
) -> tuple[tuple[Citation, ...], int]:
    """The sources to print and how many are cited in all; an unknown id is an ExportError.

    A clinician handout prints each cited source once, in order of first
    citation; a patient handout prints the key ones only, strongest first, with
    ``always`` (the crisis section's sources) among them
    (:func:`trdcore.key_sources.key_sources`).
    """

    def resolve(source_id: str) -> Source:
        source = sources.get(source_id)
        if source is None:
            raise ExportError(f"{where} cites source {source_id!r}, which is not in the catalog")
        return source

    cited = [resolve(source_id) for source_id in dict.fromkeys(ids)]
    kept = [resolve(source_id) for source_id in dict.fromkeys(always)]
    shown = key_sources(cited, always=kept) if audience == "patient" else tuple(cited)
    citations = tuple(
        Citation(source.id, _citation_text(source), _locator(source), _link(source))
        for source in shown
    )
    return citations, len(cited)


def _citation_text(source: Source) -> str:
    """A short reference: first author, then the container of a paper or the title of a page.

    Handouts keep every source but have little room. A paper with a DOI or
    PMID is found by its first author, journal and identifier; a web page
    by its title and address, so its container (usually the site) is left out.
    """
    identified = bool(source.doi or source.pmid or source.pmcid)
    parts = []
    if source.authors:
        parts.append(source.authors[0] + (" et al." if len(source.authors) > 1 else "."))
    if not (source.authors and identified):
        parts.append(f"{source.title.rstrip('.')}.")
    if identified and source.container:
        parts.append(f"{source.container}, {source.year}.")
    else:
        parts.append(f"{source.year}.")
    return " ".join(parts)


def _locator(source: Source) -> str | None:
    """How to find the source: its DOI, else PMID, else PMCID, else the site of its web address.

    A web page is printed as its site (``mayoclinic.org``) beside its title;
    the full address is the link target (:func:`_link`), kept in the PDF.
    """
    if source.doi:
        return f"doi:{source.doi}"
    if source.pmid:
        return f"PMID {source.pmid}"
    if source.pmcid:
        return source.pmcid
    if source.url:
        return urlsplit(source.url).netloc.removeprefix("www.") or source.url
    return None


def _link(source: Source) -> str | None:
    """The address a printed reference links to: the DOI resolver or the source's own URL."""
    if source.doi:
        return f"https://doi.org/{source.doi}"
    if source.url and urlsplit(source.url).scheme in ("http", "https"):
        return source.url
    return None
