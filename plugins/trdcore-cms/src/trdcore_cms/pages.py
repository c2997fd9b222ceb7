"""The pages a site gets from the catalog, independent of the site generator or CMS.

Every exporter in this plugin starts from :func:`build_pages`: one
:class:`Page` per active content module (patients and clinicians), one per
treatment for each audience, and a comparison of the treatment options for
each audience. A page carries its title (which becomes the H1 and the
JSON-LD ``name``), its review metadata, its resolved sources and a body of
safe Markdown (see :mod:`trdcore_cms.markdown_safety`). Patient pages always
end with the crisis block: the ``crisis-help`` section of the crisis
resources module in the page's language, never a sentence written here.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

import attrs

from trdcore.catalog import Catalog
from trdcore.exceptions import ExportError
from trdcore.key_sources import key_sources
from trdcore.models.source import Source
from trdcore_cms.markdown_safety import neutralise_markdown

__all__ = [
    "CRISIS_MODULE",
    "CRISIS_SECTION",
    "SECTIONS",
    "Link",
    "Page",
    "PageSource",
    "build_pages",
    "skipped_items",
]

#: The content module whose ``crisis-help`` section is the crisis block of every patient page.
CRISIS_MODULE = "crisis-resources-patient"
#: The section id that holds a module's crisis block ("If you need help now").
CRISIS_SECTION = "crisis-help"

Audience = Literal["patient", "clinician"]

#: Site sections: (section, audience, what it holds).
SECTIONS: tuple[tuple[str, Audience, str], ...] = (
    ("patients", "patient", "Pages for people living with depression and their families"),
    ("treatments", "patient", "Treatment options, in plain language"),
    ("clinicians", "clinician", "Pages for clinicians"),
    ("clinician-treatments", "clinician", "Treatment options: notes for clinicians"),
)

#: Where a page lives: ``(section, slug) -> URL``; each target has its own URL scheme.
Link = Callable[[str, str], str]

COMPARISON_SLUG = "comparing-treatment-options"

# Plain-language names of the treatment categories, for the patient comparison page.
_CATEGORY_FOR_PATIENTS = {
    "medication-change": "Changing your antidepressant",
    "augmentation": "Adding a second medicine",
    "psychotherapy": "Talk therapy",
    "neurostimulation": "Brain stimulation",
    "rapid-acting": "Fast-acting medicines",
    "investigational": "Still being studied",
}
_CATEGORY_FOR_CLINICIANS = {
    "medication-change": "Medication change",
    "augmentation": "Augmentation or combination",
    "psychotherapy": "Psychotherapy",
    "neurostimulation": "Neurostimulation",
    "rapid-acting": "Rapid-acting",
    "investigational": "Investigational",
}
_GLOSSARY_HEADING = {"patient": "Words to know", "clinician": "Glossary"}
# Patient pages are listed in this order first; the rest follow by id.
_FIRST_PATIENT_PAGES = ("what-is-trd", COMPARISON_SLUG)
# A paragraph that opens with a bold label ("**Regulatory (US).** ...") is described without it.
_BOLD_LABEL = re.compile(r"\A\*\*[^*]{1,60}[.:]\*\*\s*")
_LEADING_HEADING = re.compile(r"\A\s*#{1,6}[ \t]+(?P<title>[^\n]+?)[ \t#]*(?:\n|\Z)")


@attrs.frozen
class PageSource:
    """A citation as shown on a page: the catalog source id, its title and where to find it."""

    id: str
    title: str
    url: str | None


@attrs.frozen
class Page:
    """One page in one language, ready for any target."""

    section: str
    slug: str
    language: str
    title: str
    description: str
    audience: Audience
    content_id: str
    content_version: str
    reviewed_by: str
    last_reviewed: datetime.date
    next_review: datetime.date | None
    sources: tuple[PageSource, ...]
    #: Safe Markdown of the page, without the crisis block.
    body: str
    #: The crisis block (a Markdown section) that ends every patient page, else None.
    crisis: str | None
    weight: int
    #: Treatment ids this page is about (one for a treatment page, all for the rest).
    treatments: tuple[str, ...]
    #: The treatment page's own treatment, if it is one.
    main_treatment: str | None = None
    #: The page this one translates, as ``section/slug`` (None for an original).
    translation_of: str | None = None
    #: How many sources the page's content cites in all; more than ``len(sources)`` on a
    #: patient page that shows only its key sources (:func:`trdcore.key_sources.key_sources`).
    sources_cited: int = 0

    @property
    def sources_cut(self) -> bool:
        """Whether the page shows only its key sources (the full list is on the clinician page)."""
        return self.sources_cited > len(self.sources)

    @property
    def translation_key(self) -> str:
        """What links a page to its translations (Hugo's ``translationKey``)."""
        return f"{self.section}/{self.slug}"

    @property
    def key(self) -> str:
        """A slug unique across the whole site (WordPress page slugs are flat)."""
        suffix = "" if self.language == "en" else f"-{self.language.lower()}"
        return (
            f"{self.slug}{suffix}"
            if self.audience == "patient"
            else (f"{self.slug}-for-clinicians{suffix}")
        )


def _primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


def skipped_items(catalog: Catalog) -> list[dict[str, str]]:
    """Modules and treatments that are not published because they are not ``active``."""
    return [
        {"item": f"{entry.kind} {entry.ref}", "reason": f"status is {entry.model.status!r}"}
        for entry in sorted(catalog.entries, key=lambda entry: (entry.kind, entry.ref))
        if entry.kind in ("content-module", "treatment") and entry.model.status != "active"
    ]


def _latest(catalog: Catalog, kind: str) -> list[Any]:
    """The highest version of every active item of one kind, sorted by id."""
    return [entry.model for entry in catalog.newest_active(kind)]


class _Builder:
    """Builds the pages of one catalog; holds the lookups the page functions share."""

    def __init__(self, catalog: Catalog, link: Link) -> None:
        self.catalog = catalog
        self.link = link
        self.modules = _latest(catalog, "content-module")
        self.treatments = _latest(catalog, "treatment")
        self.treatment_ids = tuple(treatment.id for treatment in self.treatments)

    # --- shared pieces ------------------------------------------------------------------------

    def shown(
        self, audience: Audience, cited: Iterable[str], crisis: Iterable[str], item: str
    ) -> tuple[tuple[PageSource, ...], int]:
        """The sources a page shows, and how many its content cites in all.

        A clinician page shows every one, in order of first citation; a patient
        page its key sources, the crisis block's always among them.
        """
        own = [self.model(source_id, item) for source_id in dict.fromkeys(cited)]
        always = [self.model(source_id, item) for source_id in dict.fromkeys(crisis)]
        every = list({source.id: source for source in (*own, *always)}.values())
        chosen = key_sources(own, always=always) if audience == "patient" else tuple(every)
        return tuple(_page_source(source) for source in chosen), len(every)

    def model(self, source_id: str, item: str) -> Source:
        entry = self.catalog.get("source", source_id)
        if entry is None:
            raise ExportError(
                f"{item} cites source {source_id!r}, which is not in the catalog; "
                "add the source document or fix the id"
            )
        source: Source = entry.model
        return source

    def crisis_section(self, language: str) -> tuple[Any, Any]:
        """The crisis module in ``language`` and its crisis-help section."""
        for module in self.modules:
            original = (module.translation_of or "").partition("@")[0]
            is_crisis = module.id == CRISIS_MODULE or original == CRISIS_MODULE
            if is_crisis and _primary(module.language) == _primary(language):
                for section in module.sections:
                    if section.id == CRISIS_SECTION:
                        return module, section
        raise ExportError(
            f"patient pages in language {language!r} need the crisis block: a content module "
            f"{CRISIS_MODULE!r} (or a translation of it) in that language with a section "
            f"{CRISIS_SECTION!r}; none is in the catalog. A translation must name a verified "
            "local crisis service, checked by a clinician."
        )

    def crisis_block(self, language: str) -> tuple[str, tuple[str, ...]]:
        """The crisis block as Markdown, and the sources it rests on."""
        _module, section = self.crisis_section(language)
        return _section_markdown(section.heading, section.body), tuple(section.sources or ())

    # --- pages --------------------------------------------------------------------------------

    def module_page(self, module: Any, weight: int) -> Page:
        item = f"content module {module.id}@{module.version}"
        sections = [section for section in module.sections if section.id != CRISIS_SECTION]
        own_crisis = [section for section in module.sections if section.id == CRISIS_SECTION]
        parts = [_section_markdown(section.heading, section.body) for section in sections]
        if module.glossary:
            terms = "\n".join(
                f"- **{entry.term}**: {entry.definition}" for entry in module.glossary
            )
            parts.append(_section_markdown(_GLOSSARY_HEADING[module.audience], terms))
        cited: list[str] = list(module.sources or ())
        for section in module.sections:
            cited.extend(section.sources or ())
        crisis = None
        block_sources: tuple[str, ...] = ()
        if own_crisis:
            crisis = _section_markdown(own_crisis[0].heading, own_crisis[0].body)
            block_sources = tuple(own_crisis[0].sources or ())
        elif module.audience == "patient":
            crisis, block_sources = self.crisis_block(module.language)
        shown, total = self.shown(module.audience, cited, block_sources, item)
        section, slug, translation_of = self.module_place(module)
        return Page(
            section=section,
            slug=slug,
            language=module.language,
            title=module.title,
            description=module.description or module.title,
            audience=module.audience,
            content_id=f"{module.id}@{module.version}",
            content_version=module.version,
            reviewed_by=module.review.reviewed_by,
            last_reviewed=module.review.last_reviewed,
            next_review=module.review.next_review,
            sources=shown,
            body=_join(parts),
            crisis=crisis,
            weight=weight,
            treatments=self.treatment_ids,
            translation_of=translation_of,
            sources_cited=total,
        )

    def module_place(self, module: Any) -> tuple[str, str, str | None]:
        """(section, slug, translated page) of a module: a translation shares its original's."""
        original_id = (module.translation_of or "").partition("@")[0]
        original = next((item for item in self.modules if item.id == original_id), None)
        anchor = original or module
        section = "patients" if anchor.audience == "patient" else "clinicians"
        slug = anchor.id.removesuffix(f"-{anchor.audience}")
        return section, slug, (f"{section}/{slug}" if original is not None else None)

    @staticmethod
    def review(treatment: Any) -> Any:
        """A treatment's review metadata; no page is published without it."""
        if treatment.review is None:
            raise ExportError(
                f"treatment {treatment.id}@{treatment.version} has no review metadata "
                "(reviewed_by, last_reviewed); a page cannot be published without it"
            )
        return treatment.review

    def treatment_page(self, treatment: Any, audience: Audience, weight: int) -> Page:
        item = f"treatment {treatment.id}@{treatment.version}"
        self.review(treatment)
        text = treatment.text.patient if audience == "patient" else treatment.text.clinician
        language = text.language or "en"
        title, body = _title_and_body(text.text)
        if title is None:
            title = (
                treatment.name if audience == "patient" else f"{treatment.name}: clinician notes"
            )
        parts = [neutralise_markdown(body.strip())]
        crisis = None
        block_sources: tuple[str, ...] = ()
        if audience == "patient":
            crisis, block_sources = self.crisis_block(language)
        shown, total = self.shown(audience, treatment.sources, block_sources, item)
        return Page(
            section="treatments" if audience == "patient" else "clinician-treatments",
            slug=treatment.id,
            language=language,
            title=title,
            description=_first_sentence(body) or treatment.name,
            audience=audience,
            content_id=f"{treatment.id}@{treatment.version}",
            content_version=treatment.version,
            reviewed_by=treatment.review.reviewed_by,
            last_reviewed=treatment.review.last_reviewed,
            next_review=treatment.review.next_review,
            sources=shown,
            body=_join(parts),
            crisis=crisis,
            weight=weight,
            treatments=(treatment.id,),
            main_treatment=treatment.id,
            sources_cited=total,
        )

    def comparison_page(self, audience: Audience, weight: int) -> Page:
        """The options side by side, built from the treatments themselves."""
        item = f"the {audience} comparison of treatment options"
        treatments = self.treatments
        reviewed = [self.review(treatment) for treatment in treatments]
        refs = "\n".join(f"{treatment.id}@{treatment.version}" for treatment in treatments)
        digest = hashlib.sha256(refs.encode("utf-8")).hexdigest()[:12]
        cited: list[str] = []
        crisis = None
        if audience == "patient":
            title = "Comparing treatment options"
            description = (
                "The treatment options in this guide, grouped by type, with a link to each one."
            )
            parts = [
                "There are many ways to treat depression that has not gotten better enough. "
                "This page lists the options in this guide, grouped by type. Each link opens a "
                "page that explains the treatment. Your psychiatrist can help you decide which "
                "ones fit you."
            ]
            for category, label in _CATEGORY_FOR_PATIENTS.items():
                members = [treatment for treatment in treatments if treatment.category == category]
                if members:
                    lines = "\n".join(
                        f"- [{_link_text(treatment.name)}]({self.link('treatments', treatment.id)})"
                        for treatment in members
                    )
                    parts.append(_section_markdown(label, lines))
            crisis, block_sources = self.crisis_block("en")
        else:
            block_sources = ()
            title = "Treatment options for TRD compared: category and US regulatory status"
            description = (
                "Every treatment option in the trdcore catalog with its category and its US "
                "regulatory status, each status marked with how well it is verified."
            )
            rows = [
                "| Treatment | Category | US regulatory status (verification) |",
                "|---|---|---|",
            ]
            for treatment in treatments:
                statuses = []
                for status in treatment.regulatory or ():
                    if status.region != "US":
                        continue
                    when = f", {status.date.isoformat()}" if status.date else ""
                    statuses.append(
                        f"{status.authority} {status.status}{when} ({status.verification})"
                    )
                    cited.extend(status.sources)
                link = f"[{_link_text(treatment.name)}]"
                link += f"({self.link('clinician-treatments', treatment.id)})"
                rows.append(
                    "| "
                    + " | ".join(
                        _cell(text)
                        for text in (
                            link,
                            _CATEGORY_FOR_CLINICIANS[treatment.category],
                            "; ".join(statuses) or "not recorded",
                        )
                    )
                    + " |"
                )
            parts = [
                "Built from the treatment documents in the catalog. A status marked "
                "provisional or unverified rests on secondary or low-reliability sources; "
                "see each treatment's page for the details and sources.",
                "\n".join(rows),
            ]
        shown, total = self.shown(audience, cited, block_sources, item)
        return Page(
            section="patients" if audience == "patient" else "clinicians",
            slug=COMPARISON_SLUG,
            language="en",
            title=title,
            description=description,
            audience=audience,
            content_id=f"trdcore-cms/{COMPARISON_SLUG}",
            content_version=f"catalog-{digest}",
            reviewed_by="; ".join(sorted({review.reviewed_by for review in reviewed})),
            last_reviewed=min(review.last_reviewed for review in reviewed),
            next_review=min(
                (review.next_review for review in reviewed if review.next_review), default=None
            ),
            sources=shown,
            body=_join(parts),
            crisis=crisis,
            weight=weight,
            treatments=self.treatment_ids,
            sources_cited=total,
        )


def _page_source(source: Source) -> PageSource:
    return PageSource(id=source.id, title=source.title, url=source.link)


def _section_markdown(heading: str, body: str) -> str:
    return f"## {_link_text(heading)}\n\n{neutralise_markdown(body.strip())}"


def _link_text(text: str) -> str:
    """Plain text made safe inside Markdown link text or a heading."""
    return neutralise_markdown(" ".join(text.split())).replace("[", "\\[").replace("]", "\\]")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _join(parts: Iterable[str]) -> str:
    return "\n\n".join(part.strip() for part in parts if part.strip()) + "\n"


def _title_and_body(markdown: str) -> tuple[str | None, str]:
    """A leading Markdown heading becomes the page title (the H1), so it is not shown twice."""
    match = _LEADING_HEADING.match(markdown)
    if match is None:
        return None, markdown
    return match.group("title").strip(), markdown[match.end() :]


def _first_sentence(markdown: str) -> str:
    """The first sentence of the first paragraph, without Markdown emphasis, for a description."""
    for paragraph in markdown.strip().split("\n\n"):
        text = _BOLD_LABEL.sub("", " ".join(paragraph.split()))
        text = text.replace("**", "").replace("__", "")
        if text and not text.startswith(("#", "-", "|", "*")):
            end = re.search(r"(?<=[.!?])\s", text)
            return text[: end.start()] if end else text
    return ""


def build_pages(catalog: Catalog, link: Link, *, locale: str | None = None) -> tuple[Page, ...]:
    """Every page of the site, in a fixed order (by section, weight, slug and language).

    ``locale`` keeps only pages in that language (matched on the primary
    subtag: ``es`` matches ``es-US``). Raises :class:`ExportError` when
    content a page needs is missing (a source, review metadata, the crisis
    block) or when the locale has no pages.
    """
    builder = _Builder(catalog, link)
    pages: list[Page] = []
    order = {slug: position for position, slug in enumerate(_FIRST_PATIENT_PAGES)}
    for audience in ("patient", "clinician"):
        modules = [module for module in builder.modules if module.audience == audience]
        slugs = sorted({builder.module_place(module)[1] for module in modules})
        slugs = sorted(
            [*slugs, COMPARISON_SLUG] if builder.treatments else slugs,
            key=lambda slug: (order.get(slug, len(order)), slug),
        )
        weights = {slug: position + 1 for position, slug in enumerate(slugs)}
        for module in modules:
            pages.append(builder.module_page(module, weights[builder.module_place(module)[1]]))
        if builder.treatments:
            pages.append(builder.comparison_page(audience, weights[COMPARISON_SLUG]))
        for position, treatment in enumerate(builder.treatments, start=1):
            pages.append(builder.treatment_page(treatment, audience, position))
    if locale is not None:
        pages = [page for page in pages if _primary(page.language) == _primary(locale)]
        if not pages:
            raise ExportError(f"no active content in locale {locale!r} to publish")
    section_order = {section: position for position, (section, _, _) in enumerate(SECTIONS)}
    pages.sort(
        key=lambda page: (section_order[page.section], page.weight, page.slug, page.language)
    )
    seen: set[tuple[str, str, str]] = set()
    for page in pages:
        place = (page.section, page.slug, _primary(page.language))
        if place in seen:
            raise ExportError(
                f"two content items want the page {page.section}/{page.slug} in language "
                f"{page.language!r}; give one of them another id"
            )
        seen.add(place)
    return tuple(pages)
