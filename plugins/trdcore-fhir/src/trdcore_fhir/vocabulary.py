"""How treatment-history fields are written in FHIR R4, shared by the export and the import.

One table per field, read in both directions, so what the history export writes the
importer reads back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from trdcore_fhir.serialize import EXTENSION_BASE
from trdcore_fhir.terminology import DEFAULT_BASE

__all__ = [
    "ADHERENCE_EXTENSION",
    "COUNT_UNITS",
    "DOSE_UNITS",
    "DURATION_UNITS",
    "HISTORY_ID_SYSTEM",
    "OUTCOME_EXTENSION",
    "TRIAL_ID_SYSTEM",
    "UCUM_DOSE_UNITS",
]

#: Identifier systems for trdcore's own ids, so they survive a trip through FHIR.
HISTORY_ID_SYSTEM: Final = f"{DEFAULT_BASE}/identifier/history"
TRIAL_ID_SYSTEM: Final = f"{DEFAULT_BASE}/identifier/trial"
#: Trial details that R4 MedicationStatement has no element for (R5 added ``adherence``).
OUTCOME_EXTENSION: Final = f"{EXTENSION_BASE}/trial-outcome"
ADHERENCE_EXTENSION: Final = f"{EXTENSION_BASE}/trial-adherence"
#: On an inferred Observation: the definition (Library canonical url|version) it applies.
DEFINITION_EXTENSION: Final = f"{EXTENSION_BASE}/definition"

#: treatment-history dose unit -> UCUM code (unitsofmeasure.org); mg/24h is a patch's rate.
UCUM_DOSE_UNITS: Final[Mapping[str, str]] = {
    "mg": "mg",
    "g": "g",
    "mcg": "ug",
    "mg/24h": "mg/(24.h)",
}
#: Units read from an input dose (UCUM codes and common spellings) -> history dose unit.
DOSE_UNITS: Final[Mapping[str, str]] = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "g": "g",
    "gram": "g",
    "ug": "mcg",
    "mcg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "mg/(24.h)": "mg/24h",
    "mg/24h": "mg/24h",
    "mg/24.h": "mg/24h",
    "mg/d": "mg/24h",
}
#: Units that count units of a dose form (UCUM annotations and common spellings) -> the form
#: counted; a dose in them is converted to mg with the drug's strength per unit.
COUNT_UNITS: Final[Mapping[str, str]] = {
    "{tbl}": "tablet",
    "{tablet}": "tablet",
    "{tablets}": "tablet",
    "tablet": "tablet",
    "tablets": "tablet",
    "tab": "tablet",
    "{capsule}": "capsule",
    "{cap}": "capsule",
    "capsule": "capsule",
    "capsules": "capsule",
    "cap": "capsule",
    "ml": "mL",
    "milliliter": "mL",
    "millilitre": "mL",
}
#: history duration unit <-> UCUM code.
DURATION_UNITS: Final[Mapping[str, str]] = {"day": "d", "week": "wk", "month": "mo"}
#: How many times a day a Timing period unit stands for (UCUM ``periodUnit``).
PER_DAY: Final[Mapping[str, float]] = {"h": 24.0, "d": 1.0, "wk": 1 / 7}
#: HL7 v3 GTS abbreviations (Timing.code) with a fixed number of doses a day.
TIMING_CODES: Final[Mapping[str, int]] = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}
