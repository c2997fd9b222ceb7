"""The catalog as FHIR R4 (4.0.1) resources, in the shapes HL7's CPG-on-FHIR uses.

- a ``Library`` (logic-library) per TRD definition: its parameters as ParameterDefinitions,
  the data it reads as DataRequirements, the definition document itself as JSON content;
- an ``ActivityDefinition`` per treatment and one ``PlanDefinition`` grouping them by
  category (``selectionBehavior`` any);
- a ``Medication`` and a ``MedicationKnowledge`` per drug, with RxNorm and ATC codings;
- a ``ValueSet`` per antidepressant class (WHO ATC and pharmacological) and one for all
  antidepressants;
- the ``CodeSystem`` of trdcore's own codes;
- sources as ``RelatedArtifact`` citations on the resources that rest on them.

Every coding taken from the catalog carries the catalog's verification mark in the
extension ``{EXTENSION_BASE}/verification`` (verified, provisional or unverified), so an
unverified code is never passed off as checked. Codings in a system the plugin does not
know are left out and reported in the export metadata.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from trdcore.catalog import Catalog, CatalogEntry
from trdcore_fhir.serialize import (
    EXTENSION_BASE,
    Resource,
    canonical,
    dumps,
    narrative,
    table_narrative,
    without_empty,
)
from trdcore_fhir.terminology import (
    ATC,
    DEFAULT_BASE,
    LIBRARY_TYPE,
    LOINC,
    PHQ9_TOTAL,
    PLAN_DEFINITION_TYPE,
    RXNORM,
    TERMINOLOGY_VERSION,
    TRDCORE_CONCEPTS,
    TRDCORE_SYSTEM,
    fhir_system,
    trdcore_coding,
)

__all__ = ["VERIFICATION_EXTENSION", "catalog_resources"]

VERIFICATION_EXTENSION = f"{EXTENSION_BASE}/verification"
#: Identifier system for catalog items (value: ``id@version``).
CATALOG_ITEM_SYSTEM = f"{DEFAULT_BASE}/catalog-item"
PLAN_ID = "trd-treatment-options"
_CATEGORY_ORDER = (
    "medication-change",
    "augmentation",
    "psychotherapy",
    "neurostimulation",
    "rapid-acting",
    "investigational",
)
_STATUS = {"draft": "draft", "active": "active", "retired": "retired"}


def catalog_resources(catalog: Catalog, *, version: str) -> tuple[list[Resource], list[str]]:
    """Every resource for ``catalog`` (sorted by type and id) and what could not be exported.

    ``version`` is the version given to resources made from the catalog as a whole (the
    PlanDefinition and the ValueSets); items keep their own ``id@version``.
    """
    skipped: list[str] = []
    sources = {entry.id: entry.model for entry in catalog.items("source")}
    ids = _resource_ids(catalog)
    resources: list[Resource] = [_code_system()]
    for entry in catalog.items("trd-definition"):
        resources.append(_library(entry, ids[entry.kind, entry.ref], sources, skipped))
    for entry in catalog.items("drug"):
        resources.append(_medication(entry, ids[entry.kind, entry.ref], skipped))
        resources.append(_medication_knowledge(entry, ids[entry.kind, entry.ref], skipped))
    treatments = catalog.items("treatment")
    for entry in treatments:
        resources.append(
            _activity_definition(entry, ids[entry.kind, entry.ref], catalog, sources, skipped)
        )
    if treatments:
        resources.append(_plan_definition(treatments, version))
    resources.extend(_value_sets(catalog, version, skipped))
    resources.sort(key=lambda resource: (resource["resourceType"], resource["id"]))
    return resources, sorted(set(skipped))


def _resource_ids(catalog: Catalog) -> dict[tuple[str, str], str]:
    """Resource ids: the item's id, or ``id-version`` when the catalog holds several versions."""
    counts: dict[tuple[str, str], int] = {}
    for entry in catalog.entries:
        counts[entry.kind, entry.id] = counts.get((entry.kind, entry.id), 0) + 1
    return {
        (entry.kind, entry.ref): entry.id
        if counts[entry.kind, entry.id] == 1
        else f"{entry.id}-{entry.version}"
        for entry in catalog.entries
    }


def _computable_name(slug: str) -> str:
    name = "".join(part[:1].upper() + part[1:] for part in slug.replace("/", "-").split("-"))
    return name if name[:1].isalpha() else f"T{name}"


def _verification(value: str) -> list[Resource]:
    return [{"url": VERIFICATION_EXTENSION, "valueCode": value}]


def _codings(codings: Iterable[Any], owner: str, skipped: list[str]) -> list[Resource]:
    """Catalog codings as FHIR Codings with their verification mark; unknown systems skipped."""
    found = []
    for coding in codings:
        system = fhir_system(coding.system)
        if system is None:
            skipped.append(f"{owner}: coding {coding.system}|{coding.code} (system not known)")
            continue
        item: Resource = {"system": system, "code": coding.code}
        if coding.display:
            item["display"] = coding.display
        verification = getattr(coding, "verification", None)
        if verification is not None:
            item["extension"] = _verification(verification)
        found.append(item)
    return found


def _citation(source_id: str, sources: Mapping[str, Any], owner: str, skipped: list[str]) -> Any:
    source = sources.get(source_id)
    if source is None:
        skipped.append(f"{owner}: source {source_id!r} is not in the catalog")
        return None
    parts = [", ".join(source.authors) if source.authors else None, source.title]
    parts += [source.container, str(source.year)]
    if source.doi:
        parts.append(f"doi:{source.doi}")
    if source.pmid:
        parts.append(f"PMID {source.pmid}")
    url = source.url
    if url is None and source.doi:
        url = f"https://doi.org/{source.doi}"
    if url is None and source.pmid:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/"
    return without_empty(
        {
            "type": "citation",
            "label": source.id,
            "display": source.title,
            "citation": ". ".join(part for part in parts if part),
            "url": url,
        }
    )


def _citations(
    source_ids: Iterable[str], sources: Mapping[str, Any], owner: str, skipped: list[str]
) -> list[Resource]:
    found = (
        _citation(source_id, sources, owner, skipped) for source_id in dict.fromkeys(source_ids)
    )
    return [citation for citation in found if citation is not None]


def _code_system() -> Resource:
    concepts = [
        {"code": code, "display": display, "definition": definition}
        for code, (display, definition) in TRDCORE_CONCEPTS.items()
    ]
    return {
        "resourceType": "CodeSystem",
        "id": "trdcore",
        "url": TRDCORE_SYSTEM,
        "version": TERMINOLOGY_VERSION,
        "name": "Trdcore",
        "title": "trdcore codes",
        "status": "active",
        "experimental": False,
        "description": "Codes trdcore uses where no standard code exists: the assessment of "
        "treatment-resistant depression and its verdicts, trial outcomes and adherence, rating "
        "scales without a verified LOINC code, and catalog categories. It holds no code for "
        "a standard concept.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
        "text": table_narrative("trdcore codes", [(c["code"], c["display"]) for c in concepts]),
    }


# --- definitions -> Library -----------------------------------------------------------------

_PARAMETER_TYPES = {bool: "boolean", int: "integer", float: "decimal", str: "code"}


def _parameter_rows(parameters: Mapping[str, Any]) -> list[tuple[str, Any, Mapping[str, Any]]]:
    """(name, value, details) for every definition parameter, nested rules flattened."""
    rows: list[tuple[str, Any, Mapping[str, Any]]] = []
    for name, detail in parameters.items():
        if not isinstance(detail, Mapping):
            rows.append((name, detail, {}))
        elif "value" in detail:
            rows.append((name, detail["value"], detail))
        else:
            for key, value in detail.items():
                if key in {"sources", "verification", "note"}:
                    continue
                rows.append((f"{name}.{key}", value, detail))
    return rows


def _describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _library(
    entry: CatalogEntry, resource_id: str, sources: Mapping[str, Any], skipped: list[str]
) -> Resource:
    definition = entry.model
    document = definition.to_json()
    owner = f"trd-definition {entry.ref}"
    parameters = []
    rows = _parameter_rows(document["parameters"])
    for name, value, detail in rows:
        kind = _PARAMETER_TYPES.get(type(value), "string")
        note = [f"{name} = {_describe_value(value)}"]
        if detail.get("sources"):
            note.append(f"sources: {', '.join(detail['sources'])}")
        if detail.get("verification"):
            note.append(f"verification: {detail['verification']}")
        parameter: Resource = {
            "name": name.replace("-", "_").replace(".", "_"),
            "use": "in",
            "min": 1,
            "max": "1",
            "type": kind,
            "documentation": "; ".join(note),
        }
        if detail.get("verification"):
            parameter["extension"] = _verification(detail["verification"])
        parameters.append(parameter)
    parameters.append(
        {
            "name": "status",
            "use": "out",
            "min": 1,
            "max": "1",
            "type": "code",
            "documentation": "met, not_met or indeterminate (trdcore codes met, not-met, "
            "indeterminate)",
        }
    )
    content = dumps(document)
    data_requirements: list[Resource] = [
        {"type": kind, "profile": [f"http://hl7.org/fhir/StructureDefinition/{kind}"]}
        for kind in ("MedicationStatement", "MedicationRequest", "MedicationDispense", "Condition")
    ]
    observation_requirement: Resource = {
        "type": "Observation",
        "profile": ["http://hl7.org/fhir/StructureDefinition/Observation"],
        "codeFilter": [
            {
                "path": "code",
                "code": [{"system": LOINC, "code": PHQ9_TOTAL}],
            }
        ],
    }
    data_requirements.append(observation_requirement)
    review = definition.review
    return without_empty(
        {
            "resourceType": "Library",
            "id": resource_id,
            "url": canonical("Library", definition.id),
            "version": definition.version,
            "name": _computable_name(definition.id),
            "title": definition.title,
            "status": _STATUS[definition.status],
            "experimental": definition.status == "draft",
            "type": {"coding": [{"system": LIBRARY_TYPE, "code": "logic-library"}]},
            "date": review.last_reviewed.isoformat() if review else None,
            "description": definition.summary,
            "purpose": "A definition of treatment-resistant depression that trdcore evaluates "
            "against a treatment history. The parameters below are the definition's thresholds, "
            "each with its sources and verification; the content is the trdcore definition "
            "document (trd-definition@1.0.0).",
            "topic": [{"coding": [trdcore_coding("treatment-resistant-depression")]}],
            "relatedArtifact": _citations(definition.sources, sources, owner, skipped),
            "parameter": parameters,
            "dataRequirement": data_requirements,
            "content": [
                {
                    "contentType": "application/json",
                    "title": f"trdcore definition document {entry.ref}",
                    "data": base64.b64encode(content).decode("ascii"),
                    "hash": base64.b64encode(hashlib.sha1(content).digest()).decode("ascii"),
                    "size": len(content),
                }
            ],
            "text": table_narrative(
                definition.title,
                [("Definition", entry.ref), ("Summary", definition.summary)]
                + [(name, _describe_value(value)) for name, value, _ in rows],
            ),
        }
    )


# --- drugs -> Medication, MedicationKnowledge -----------------------------------------------


def _drug_code(entry: CatalogEntry, skipped: list[str]) -> Resource:
    drug = entry.model
    return without_empty(
        {
            "coding": _codings(drug.codings or (), f"drug {entry.ref}", skipped),
            "text": drug.name,
        }
    )


def _medication(entry: CatalogEntry, resource_id: str, skipped: list[str]) -> Resource:
    drug = entry.model
    return without_empty(
        {
            "resourceType": "Medication",
            "id": resource_id,
            "identifier": [{"system": CATALOG_ITEM_SYSTEM, "value": entry.ref}],
            "code": _drug_code(entry, skipped),
            "status": "inactive" if drug.status == "retired" else "active",
            "text": table_narrative(drug.name, _drug_rows(drug)),
        }
    )


def _drug_rows(drug: Any) -> list[tuple[str, str]]:
    rows = [("Roles", ", ".join(drug.roles))]
    for membership in drug.classes:
        rows.append((f"Class ({membership.taxonomy})", f"{membership.code} {membership.name}"))
    for coding in drug.codings or ():
        rows.append((coding.system, f"{coding.code} ({coding.verification})"))
    return rows


def _medication_knowledge(entry: CatalogEntry, resource_id: str, skipped: list[str]) -> Resource:
    drug = entry.model
    classifications = []
    for membership in drug.classes:
        concept: Resource = {"text": f"{membership.code} {membership.name}"}
        if membership.taxonomy == "who-atc":
            concept["coding"] = [
                {"system": ATC, "code": membership.code, "display": membership.name}
            ]
        classifications.append(
            {
                "type": {"coding": [trdcore_coding(f"taxonomy-{membership.taxonomy}")]},
                "classification": [concept],
            }
        )
    synonyms = [*(drug.synonyms or ()), *(brand.name for brand in drug.brands or ())]
    return without_empty(
        {
            "resourceType": "MedicationKnowledge",
            "id": resource_id,
            "code": _drug_code(entry, skipped),
            "status": "inactive" if drug.status == "retired" else "active",
            "synonym": list(dict.fromkeys(synonyms)),
            "associatedMedication": [{"reference": f"Medication/{resource_id}"}],
            "medicineClassification": classifications,
            "text": table_narrative(drug.name, _drug_rows(drug)),
        }
    )


# --- treatments -> ActivityDefinition, PlanDefinition -----------------------------------------


def _activity_definition(
    entry: CatalogEntry,
    resource_id: str,
    catalog: Catalog,
    sources: Mapping[str, Any],
    skipped: list[str],
) -> Resource:
    treatment = entry.model
    owner = f"treatment {entry.ref}"
    drugs = [catalog.get("drug", drug_id) for drug_id in treatment.drugs or ()]
    for drug_id, found in zip(treatment.drugs or (), drugs, strict=True):
        if found is None:
            skipped.append(f"{owner}: drug {drug_id!r} is not in the catalog")
    product = None
    if len(drugs) == 1 and drugs[0] is not None:
        product = _drug_code(drugs[0], skipped)
    code = without_empty(
        {"coding": _codings(treatment.codings or (), owner, skipped), "text": treatment.name}
    )
    patient = treatment.text.patient
    return without_empty(
        {
            "resourceType": "ActivityDefinition",
            "id": resource_id,
            "url": canonical("ActivityDefinition", treatment.id),
            "version": treatment.version,
            "name": _computable_name(treatment.id),
            "title": treatment.name,
            "status": _STATUS[treatment.status],
            "experimental": treatment.status == "draft",
            "date": treatment.review.last_reviewed.isoformat() if treatment.review else None,
            "description": treatment.text.clinician.text,
            "topic": [{"coding": [trdcore_coding(f"category-{treatment.category}")]}],
            "relatedArtifact": _citations(treatment.sources, sources, owner, skipped),
            "kind": "MedicationRequest" if drugs else "ServiceRequest",
            "intent": "proposal",
            "code": code,
            "productCodeableConcept": product,
            "language": patient.language,
            "text": narrative(None, patient.text),
        }
    )


def _plan_definition(treatments: Iterable[CatalogEntry], version: str) -> Resource:
    by_category: dict[str, list[CatalogEntry]] = {}
    for entry in treatments:
        by_category.setdefault(entry.model.category, []).append(entry)
    groups: list[Resource] = []
    for category in _CATEGORY_ORDER:
        members = sorted(by_category.get(category, ()), key=lambda e: (e.id, e.version))
        if not members:
            continue
        display, definition = TRDCORE_CONCEPTS[f"category-{category}"]
        groups.append(
            {
                "title": display,
                "description": definition,
                "code": [{"coding": [trdcore_coding(f"category-{category}")]}],
                "groupingBehavior": "logical-group",
                "selectionBehavior": "any",
                "action": [
                    {
                        "title": member.model.name,
                        "definitionCanonical": (
                            f"{canonical('ActivityDefinition', member.id)}|{member.version}"
                        ),
                    }
                    for member in members
                ],
            }
        )
    return {
        "resourceType": "PlanDefinition",
        "id": PLAN_ID,
        "url": canonical("PlanDefinition", PLAN_ID),
        "version": version,
        "name": "TrdTreatmentOptions",
        "title": "Treatment options for treatment-resistant depression",
        "type": {"coding": [{"system": PLAN_DEFINITION_TYPE, "code": "workflow-definition"}]},
        "status": "active",
        "description": "The treatment options in trdcore's catalog, grouped by category. Any "
        "number may be considered; the choice belongs to the patient and their clinician.",
        "action": groups,
        "text": table_narrative(
            "Treatment options for treatment-resistant depression",
            [(group["title"], ", ".join(a["title"] for a in group["action"])) for group in groups],
        ),
    }


# --- antidepressant classes -> ValueSet -------------------------------------------------------


def _value_sets(catalog: Catalog, version: str, skipped: list[str]) -> list[Resource]:
    antidepressants = sorted(
        (e for e in catalog.items("drug") if "antidepressant" in e.model.roles),
        key=lambda e: (e.id, e.version),
    )
    classes: dict[tuple[str, str], tuple[str, list[CatalogEntry]]] = {}
    for entry in antidepressants:
        for membership in entry.model.classes:
            key = (membership.taxonomy, membership.code)
            classes.setdefault(key, (membership.name, []))[1].append(entry)
    found = []
    if antidepressants:
        found.append(
            _value_set(
                "antidepressants",
                "Antidepressants",
                "Every drug trdcore's catalog lists as an antidepressant.",
                antidepressants,
                version,
                skipped,
            )
        )
    for (taxonomy, code), (name, members) in sorted(classes.items()):
        slug = "".join(ch if ch.isalnum() else "-" for ch in code.lower()).strip("-")
        found.append(
            _value_set(
                f"antidepressant-class-{taxonomy}-{slug}",
                f"Antidepressants: {name} ({code}, {taxonomy})",
                f"Antidepressants trdcore's catalog places in the {taxonomy} class {code} "
                f"({name}).",
                members,
                version,
                skipped,
            )
        )
    return found


def _value_set(
    identifier: str,
    title: str,
    description: str,
    members: Iterable[CatalogEntry],
    version: str,
    skipped: list[str],
) -> Resource:
    by_system: dict[str, list[Resource]] = {}
    for entry in sorted(members, key=lambda e: e.id):
        for coding in _codings(entry.model.codings or (), f"drug {entry.ref}", skipped):
            concept = {"code": coding["code"], "display": coding.get("display", entry.model.name)}
            concept["extension"] = coding["extension"]
            by_system.setdefault(coding["system"], []).append(concept)
    includes: list[Resource] = [
        {"system": system, "concept": by_system[system]}
        for system in (RXNORM, ATC)
        if by_system.get(system)
    ]
    return without_empty(
        {
            "resourceType": "ValueSet",
            "id": identifier,
            "url": canonical("ValueSet", identifier),
            "version": version,
            "name": _computable_name(identifier),
            "title": title,
            "status": "active",
            "description": description + " Each code carries its verification mark; use only "
            "the verified ones where a wrong code would matter.",
            "compose": {"include": includes} if includes else None,
            "text": table_narrative(
                title,
                [
                    (include["system"], ", ".join(c["code"] for c in include["concept"]))
                    for include in includes
                ],
            ),
        }
    )
