"""Published lists of coded clinical drugs: what each RxNorm SCD, SBD or pack code contains.

Input from EHRs, pharmacies and generators codes a drug as the product that was ordered
("sertraline 100 MG Oral Tablet", RxCUI 312938), not as its ingredient. A list records, for
each such code, the catalog drugs in it, their strengths and the dose form, read from the
code's RxNorm normalized name, and names the published list (a VSAC value set) and the file
the codes were copied from, so that every code can be traced to its publisher.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import Review, Status, Verification

__all__ = ["ClinicalDrug", "ClinicalDrugComponent", "ClinicalDrugList", "CopiedFrom", "ValueSet"]

StrengthUnit = Literal["MG", "MCG", "G", "MG/ML", "MG/HR", "MG/ACTUAT", "MEQ"]


@attrs.frozen(kw_only=True)
class ValueSet(JsonModel):
    """The published list: canonical URL, OID, version, expansion and terminology release."""

    url: str
    version: str
    oid: str | None = None
    name: str | None = None
    expansion: str | None = None
    terminology_version: str | None = None


@attrs.frozen(kw_only=True)
class CopiedFrom(JsonModel):
    """The file the codes were read from: repository, path and commit."""

    repository: str
    path: str
    commit: str
    licence: str | None = None


@attrs.frozen(kw_only=True)
class ClinicalDrugComponent(JsonModel):
    """One catalog drug in a clinical drug, with its strength per unit of the dose form."""

    strength: float
    unit: StrengthUnit
    drug: str | None = None
    ingredient: str | None = None


@attrs.frozen(kw_only=True)
class ClinicalDrug(JsonModel):
    """One code of a list, its display, and what its normalized name says it contains."""

    code: str
    display: str
    components: tuple[ClinicalDrugComponent, ...]
    dose_form: str
    release_hours: int | None = None
    brand: str | None = None
    pack: bool | None = None
    product: str | None = None

    @property
    def drugs(self) -> tuple[str, ...]:
        """The catalog drugs it is: the combination product if catalogued as one, else each
        catalogued ingredient once, in the order written."""
        if self.product is not None:
            return (self.product,)
        return tuple(
            dict.fromkeys(component.drug for component in self.components if component.drug)
        )


@attrs.frozen(kw_only=True)
class ClinicalDrugList(DocumentModel):
    """A versioned, sourced list of clinical drug codes (``clinical-drug-list@1.0.0``)."""

    SCHEMA_NAME: ClassVar[str] = "clinical-drug-list"

    schema: Literal["clinical-drug-list@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    title: str
    summary: str
    system: Literal["http://www.nlm.nih.gov/research/umls/rxnorm"]
    value_set: ValueSet
    copied_from: CopiedFrom
    drugs: tuple[ClinicalDrug, ...]
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None
    review: Review | None = None
