"""The catalog's RxNorm ingredient codes agree with OHDSI's, an independent published source.

OHDSI PhenotypeLibrary cohort 1009 (data/omop/phenotype-library-1009.json, a byte-for-byte
copy; see data/omop/README.md) lists RxNorm ingredient concepts with their RxCUIs (the OMOP
concept_code) for antidepressants, atypical antipsychotics and esketamine. Every such drug the
catalog knows by name must carry the same RxCUI, or none yet: a catalog code that disagrees is
a wrong code.
"""

from __future__ import annotations

import json
from pathlib import Path

from trdcore.catalog import Catalog

COHORT = Path(__file__).resolve().parent.parent / "data" / "omop" / "phenotype-library-1009.json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def ohdsi_ingredients() -> dict[str, str]:
    """Ingredient name (lower case) -> RxCUI, for every RxNorm ingredient in the cohort."""
    cohort = json.loads(COHORT.read_text("utf-8"))
    found = {}
    for concept_set in cohort["ConceptSets"]:
        for item in concept_set["expression"]["items"]:
            concept = item["concept"]
            if concept["VOCABULARY_ID"] == "RxNorm" and concept["CONCEPT_CLASS_ID"] == "Ingredient":
                found[concept["CONCEPT_NAME"].lower()] = concept["CONCEPT_CODE"]
    return found


def test_every_shared_ingredient_has_ohdsis_rxcui(catalog: Catalog) -> None:
    agreed, disagreed = [], []
    for name, rxcui in sorted(ohdsi_ingredients().items()):
        entry = catalog.find_drug(name)
        if entry is None:
            continue  # a drug the catalog does not hold (tianeptine, clozapine ...)
        codes = {c.code for c in entry.model.codings or () if c.system == RXNORM}
        if codes:
            (agreed if rxcui in codes else disagreed).append((name, rxcui, sorted(codes)))
    assert disagreed == []
    # 31 antidepressants of its "First-line anti-Depressants therapy" set that the catalog holds
    # with an RxCUI (amitriptyline to vortioxetine; agomelatine is RxNorm Extension there),
    # esketamine, and the two augmentation antipsychotics of its atypical set.
    assert len(agreed) == 34


def test_every_catalog_drug_ohdsi_lists_as_an_rxnorm_ingredient_has_an_rxcui(
    catalog: Catalog,
) -> None:
    missing = sorted(
        name
        for name in ohdsi_ingredients()
        if (entry := catalog.find_drug(name)) is not None
        and not any(c.system == RXNORM for c in entry.model.codings or ())
    )
    assert missing == []
