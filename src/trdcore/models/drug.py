"""Drugs in the catalog: the names input may use, codes, classes and adequate doses."""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import DailyDose, DoseUnit, Review, Status, Verification

__all__ = ["AdequateDose", "Brand", "ClassMembership", "Drug", "SourcedCoding"]

DrugRole: TypeAlias = Literal["antidepressant", "augmentation", "rapid-acting"]
Taxonomy: TypeAlias = Literal["who-atc", "pharmacological"]


@attrs.frozen(kw_only=True)
class Brand(JsonModel):
    """A brand name and the region (ISO 3166 code) where it is sold, so input can use it."""

    name: str
    region: str | None = None


@attrs.frozen(kw_only=True)
class SourcedCoding(JsonModel):
    """A drug code (RxNorm RxCUI, ATC) with the source that confirms it is the right one."""

    system: str
    code: str
    display: str | None = None
    sources: tuple[str, ...]
    verification: Verification


@attrs.frozen(kw_only=True)
class ClassMembership(JsonModel):
    """The drug's class under one taxonomy; taxonomies disagree, so each names its own."""

    taxonomy: Taxonomy
    code: str
    name: str
    sources: tuple[str, ...]
    note: str | None = None


@attrs.frozen(kw_only=True)
class AdequateDose(JsonModel):
    """The lowest daily dose that counts as adequate under one dosing scheme (e.g. MGH ATRQ)."""

    scheme: str
    minimum_daily: DailyDose
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class Drug(DocumentModel):
    """A catalog drug, which trial input is matched against to judge class and dose adequacy."""

    SCHEMA_NAME: ClassVar[str] = "drug"

    schema: Literal["drug@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    name: str
    synonyms: tuple[str, ...] | None = None
    brands: tuple[Brand, ...] | None = None
    roles: tuple[DrugRole, ...]
    codings: tuple[SourcedCoding, ...] | None = None
    classes: tuple[ClassMembership, ...]
    dose_unit: DoseUnit | None = None
    adequate_doses: tuple[AdequateDose, ...] | None = None
    review: Review | None = None
    sources: tuple[str, ...]
