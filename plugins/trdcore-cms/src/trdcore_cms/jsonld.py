"""schema.org JSON-LD for every page: a MedicalWebPage about treatment-resistant depression.

The graph follows schema.org's health-lifesci terms (v30): the page is a
``MedicalWebPage`` with ``lastReviewed``, ``reviewedBy`` and its audience
(``Patient`` is a type; ``Clinician`` a ``MedicalAudienceType`` member); it is
``about`` a ``MedicalCondition`` whose ``possibleTreatment`` lists the
options. ``possibleTreatment`` accepts ``MedicalTherapy`` and ``Drug`` but not
``TherapeuticProcedure`` or ``PsychologicalTreatment``, so each option is a
``MedicalTherapy`` there, with ``additionalType`` naming the precise type;
a treatment page's ``mainEntity`` uses the precise type itself
(``TherapeuticProcedure``, ``PsychologicalTreatment`` or ``MedicalTherapy``
with its ``Drug`` entries). The ``name`` is always the page title, which is
the page's H1.

Sources: https://schema.org/MedicalWebPage, https://schema.org/possibleTreatment,
https://schema.org/MedicalAudienceType (see docs/plugins/cms.md).
"""

from __future__ import annotations

import json
import re
from typing import Any

from trdcore.catalog import Catalog
from trdcore_cms.pages import Page

__all__ = ["CONDITION_NAME", "page_jsonld", "script_json"]

CONDITION_NAME = "Treatment-resistant depression"
_SCHEMA = "https://schema.org/"
_PRECISE_TYPE = {
    "psychotherapy": "PsychologicalTreatment",
    "neurostimulation": "TherapeuticProcedure",
}
# reviewed_by is free text; these words mark a group rather than one person.
_ORGANISATION = re.compile(
    r"\b(team|committee|group|board|organi[sz]ation|department|panel|council)\b", re.IGNORECASE
)


def _treatment_node(catalog: Catalog, treatment_id: str, *, precise: bool) -> dict[str, Any]:
    entry = catalog.get("treatment", treatment_id)
    assert entry is not None, treatment_id  # pages only name treatments from this catalog
    treatment = entry.model
    drugs = []
    for drug_id in treatment.drugs or ():
        drug = catalog.get("drug", drug_id)
        drugs.append({"@type": "Drug", "name": drug.model.name if drug else drug_id})
    precise_type = _PRECISE_TYPE.get(treatment.category)
    if treatment.category == "investigational" and not drugs:
        precise_type = "TherapeuticProcedure"
    node: dict[str, Any] = {"@type": "MedicalTherapy", "name": treatment.name}
    if precise and precise_type:
        node["@type"] = precise_type
    elif precise_type:
        node["additionalType"] = _SCHEMA + precise_type
    if drugs:
        node["drug"] = drugs
    return node


def _reviewer(text: str) -> dict[str, str]:
    kind = "Organization" if _ORGANISATION.search(text) else "Person"
    return {"@type": kind, "name": text}


def page_jsonld(page: Page, catalog: Catalog) -> dict[str, Any]:
    """The JSON-LD object for one page (a plain dict, keys in a fixed order)."""
    condition: dict[str, Any] = {
        "@type": "MedicalCondition",
        "name": CONDITION_NAME,
        "alternateName": "TRD",
    }
    if page.treatments:
        condition["possibleTreatment"] = [
            _treatment_node(catalog, treatment, precise=False) for treatment in page.treatments
        ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.description,
        "inLanguage": page.language,
        "version": page.content_version,
        "lastReviewed": page.last_reviewed.isoformat(),
        "reviewedBy": _reviewer(page.reviewed_by),
    }
    if page.audience == "patient":
        data["audience"] = {"@type": "Patient"}
        data["medicalAudience"] = {"@type": "Patient"}
    else:
        data["audience"] = {"@type": "MedicalAudience", "audienceType": "Clinician"}
        data["medicalAudience"] = {"@id": _SCHEMA + "Clinician"}
    data["about"] = condition
    if page.main_treatment:
        data["mainEntity"] = _treatment_node(catalog, page.main_treatment, precise=True)
    citations = []
    for source in page.sources:
        citation = {"@type": "CreativeWork", "name": source.title}
        if source.url:
            citation["url"] = source.url
        citations.append(citation)
    if citations:
        data["citation"] = citations
    return data


def script_json(data: Any) -> str:
    """JSON for inside ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped,
    so no text in the content can close the script element early."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
