"""Every built-in source says who published it, and its link is on a publisher trdcore accepts.

The allow-list below is kept by hand: each host with the publisher kinds a source on it may
have. A copy of a document on a third-party host (a mirror, a cache, a document-sharing
site, a coding blog, an AI summary) is not on it. The few copies kept are listed by source id
with the reason no original could be read; none of them may be cited by anything a patient
reads (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from trdcore.catalog import Catalog

REGULATOR = frozenset({"regulator"})
JOURNAL = frozenset({"peer-reviewed-journal"})
GUIDELINE = frozenset({"guideline-body"})
AGENCY = frozenset({"government-or-professional-body"})
DATA = frozenset({"data-publisher"})
MAKER = frozenset({"manufacturer"})
PROVIDER = frozenset({"health-care-provider"})
NEWS = frozenset({"news-or-press-release"})

#: Hosts a built-in source may link to, with the publisher kinds allowed there.
PUBLISHER_HOSTS: dict[str, frozenset[str]] = {
    # Regulators: FDA (labels, approvals, device databases, openFDA), NLM DailyMed, EMA.
    "accessdata.fda.gov": REGULATOR,
    "api.fda.gov": REGULATOR,
    "fda.gov": REGULATOR,
    "dailymed.nlm.nih.gov": REGULATOR,
    "ema.europa.eu": REGULATOR,
    # Journal articles: by DOI, at the National Library of Medicine, or on the journal's site.
    "doi.org": JOURNAL | GUIDELINE,
    "pubmed.ncbi.nlm.nih.gov": JOURNAL | GUIDELINE,
    "pmc.ncbi.nlm.nih.gov": JOURNAL | GUIDELINE,
    "ajp.psychiatryonline.org": JOURNAL,
    "psychiatryonline.org": JOURNAL | GUIDELINE,
    "bmcpsychiatry.biomedcentral.com": JOURNAL,
    "biologicalpsychiatryjournal.com": JOURNAL,
    "cochranelibrary.com": JOURNAL,
    "currentpsychiatry.com": JOURNAL,
    "karger.com": JOURNAL,
    "nature.com": JOURNAL,
    "psychiatrist.com": JOURNAL,
    "legacy.psychiatrist.com": JOURNAL,
    "nursingcenter.com": JOURNAL,
    "sciencedirect.com": JOURNAL,
    # Guideline bodies.
    "nice.org.uk": GUIDELINE,
    # Agencies, payers' regulators and professional bodies publishing in their own name.
    "cms.gov": AGENCY,
    "samhsa.gov": AGENCY,
    "nimh.nih.gov": AGENCY,
    "cdcr.ca.gov": AGENCY,
    "veteranscrisisline.net": AGENCY,
    "list.essentialmeds.org": AGENCY,
    "clinicaltmssociety.org": AGENCY,
    "psychiatry.org": AGENCY,
    "cgsmedicare.com": AGENCY,  # a Medicare administrative contractor's billing articles
    "formulary.health.gov.on.ca": AGENCY,  # Ontario Ministry of Health's drug formulary
    # Maintainers of registries, terminologies and data sets.
    "clinicaltrials.gov": DATA,
    "cts.nlm.nih.gov": DATA,
    "mor.nlm.nih.gov": DATA,
    "atcddd.fhi.no": DATA,
    "github.com": DATA,
    # Makers of the drugs and devices, about their own products.
    "spravato.com": MAKER,
    "spravatohcp.com": MAKER,
    "spravatorems.com": MAKER,
    "jnjmedicalconnect.com": MAKER,
    "livanova.com": MAKER,
    "dynamic.cyberonics.com": MAKER,
    "rexultihcp.com": MAKER,
    "vraylarhcp.com": MAKER,
    # Hospitals, clinics and health plans describing their own services or coverage.
    "bcbsnd.com": PROVIDER,
    "carepartnersct.com": PROVIDER,
    "columbiadoctors.org": PROVIDER,
    "dartmouth-hitchcock.org": PROVIDER,
    "doctorstjohn.com": PROVIDER,
    "evms.edu": PROVIDER,
    "mayoclinic.org": PROVIDER,
    "my.clevelandclinic.org": PROVIDER,
    "northernlighthealth.org": PROVIDER,
    "seattlentc.com": PROVIDER,
    "stonybrookmedicine.edu": PROVIDER,
    "sutterhealth.org": PROVIDER,
    # News, trade press and press releases: citable beside a primary source, never alone
    # (the citable-sources content rule).
    "beckershospitalreview.com": NEWS,
    "biocentury.com": NEWS,
    "biospace.com": NEWS,
    "bioworld.com": NEWS,
    "cm.healio.com": NEWS,
    "consumer.healthday.com": NEWS,
    "drugstorenews.com": NEWS,
    "empr.com": NEWS,
    "european-biotechnology.com": NEWS,
    "foxnews.com": NEWS,
    "insights.citeline.com": NEWS,
    "jnj.com": NEWS,
    "modernmedicine.com": NEWS,
    "multivu.com": NEWS,
    "newsmax.com": NEWS,
    "openminds.com": NEWS,
    "pharmanewsintel.com": NEWS,
    "psychcentral.com": NEWS,
    "psychedelicreview.com": NEWS,
    "psychnews.psychiatryonline.org": NEWS,
    "source.washu.edu": NEWS,
    "thecarlatreport.com": NEWS,
    "thestreet.com": NEWS,
    "usmedicine.com": NEWS,
    "webmd.com": NEWS,
}

#: Copies kept because no original could be read, and what they are the only record of.
#: Only drugs, definitions, staging models and dose schemes may cite them.
KEPT_COPIES: dict[str, str] = {
    "who-atc-ddd-index-2026": (
        "a copy of the WHO ATC/DDD index in a GitHub repository; of WHO's own site only the N06A "
        "group page could be read, not the per-drug codes, which every drug's ATC coding rests on"
    ),
    "who-atc-ddd-combinations-2026": "the same copy of the WHO index, its combination codes",
    "mgh-atrq-comp006-form": (
        "the MGH-ATRQ form of one trial, in a third party's repository at a pinned commit; the MGH "
        "master form is not public, and the mgh-atrq dose scheme's provisional values rest on it"
    ),
    "medalg-thase-rush": (
        "a summary of Thase and Rush 1997; the paper could not be read, the staging points are "
        "marked provisional"
    ),
    "medalg-souery-crd": (
        "a summary of Souery et al. 1999; the paper could not be read, the European Staging "
        "Model's bands are checked against Hägg 2020 instead"
    ),
    "pef-maudsley-staging": (
        "a teaching summary of Fekadu et al. 2009 (Maudsley Staging Method); the paper could not "
        "be read"
    ),
    "sforzini-2022-citing-statement": (
        "a citing-statement index showing one sentence of Sforzini et al. 2022 that the paper's "
        "open pages read did not include; cited in notes only"
    ),
}


def host(url: str) -> str:
    """The host of a URL as the allow-list spells it: no ``www.``, port or trailing dot."""
    name = (urlsplit(url).hostname or "").rstrip(".")
    return name.removeprefix("www.")


def sources(catalog: Catalog) -> list[Any]:
    return [entry.model for entry in catalog.items("source")]


def is_copy(source: Any) -> bool:
    publisher = source.publisher
    return publisher.kind == "copy-or-aggregator" or not publisher.original


def test_every_source_says_who_published_it(catalog: Catalog) -> None:
    missing = [source.id for source in sources(catalog) if source.publisher is None]
    assert not missing, f"sources without a publisher block (source@1.1.0): {missing}"


def test_every_source_url_is_on_the_allow_list_with_its_publisher_kind(catalog: Catalog) -> None:
    wrong = []
    for source in sources(catalog):
        if source.url is None or source.id in KEPT_COPIES:
            continue
        allowed = PUBLISHER_HOSTS.get(host(source.url))
        if allowed is None:
            wrong.append(f"{source.id}: {host(source.url)} is not on the allow-list")
        elif source.publisher is not None and source.publisher.kind not in allowed:
            wrong.append(f"{source.id}: {source.publisher.kind} on {host(source.url)}")
        elif source.publisher is not None and is_copy(source):
            wrong.append(f"{source.id}: a copy on {host(source.url)}")
    assert not wrong, "\n".join(wrong)


def test_every_host_on_the_allow_list_is_used_so_the_list_stays_short(catalog: Catalog) -> None:
    used = {host(source.url) for source in sources(catalog) if source.url}
    assert sorted(set(PUBLISHER_HOSTS) - used) == []


def _cited(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "sources" and isinstance(inner, list):
                yield from (item for item in inner if isinstance(item, str))
            else:
                yield from _cited(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _cited(inner)


def test_kept_copies_are_copies_and_nothing_a_patient_reads_cites_them(catalog: Catalog) -> None:
    known = {source.id: source for source in sources(catalog)}
    for source_id, reason in KEPT_COPIES.items():
        assert source_id in known, f"{source_id} is kept but no longer in the catalog"
        assert is_copy(known[source_id]), f"{source_id} is no longer a copy: {reason}"
    for kind in ("treatment", "content-module"):
        for entry in catalog.items(kind):
            if kind == "content-module" and entry.model.audience != "patient":
                continue
            cited = set(_cited(entry.model.to_json()))
            copies = sorted(cited & {s.id for s in known.values() if is_copy(s)})
            assert not copies, f"{entry.ref} cites copies {copies}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.fda.gov/x", "fda.gov"),
        ("https://psychiatry.org:443/news", "psychiatry.org"),
        ("https://drugstorenews.com./a", "drugstorenews.com"),
    ],
)
def test_hosts_are_compared_without_www_port_or_trailing_dot(url: str, expected: str) -> None:
    assert host(url) == expected
