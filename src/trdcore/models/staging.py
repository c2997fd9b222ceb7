"""Published models that grade how resistant depression is (Thase-Rush, MGH-S, Maudsley...)."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import Review, Status, Verification

__all__ = ["Dimension", "DimensionOption", "ScoreBand", "Stage", "StagingModel"]


@attrs.frozen(kw_only=True)
class Stage(JsonModel):
    """One ordinal stage and the criterion that reaches it, as the model's authors wrote it."""

    label: str
    criterion: str


@attrs.frozen(kw_only=True)
class DimensionOption(JsonModel):
    """One answer on a scored dimension and the points it adds."""

    id: str
    label: str
    points: float


@attrs.frozen(kw_only=True)
class Dimension(JsonModel):
    """A scored dimension of a points model (for example number of failed trials, or duration)."""

    id: str
    name: str
    options: tuple[DimensionOption, ...]


@attrs.frozen(kw_only=True)
class ScoreBand(JsonModel):
    """A named range of total points, bounds inclusive (for example 3 to 6 is mild)."""

    label: str
    min_score: float
    max_score: float


@attrs.frozen(kw_only=True)
class StagingModel(DocumentModel):
    """A staging model's published scoring: ordinal stages, or dimensions and score bands."""

    SCHEMA_NAME: ClassVar[str] = "staging-model"

    schema: Literal["staging-model@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    title: str
    summary: str | None = None
    method: Literal["ordinal", "points"]
    stages: tuple[Stage, ...] | None = None
    dimensions: tuple[Dimension, ...] | None = None
    bands: tuple[ScoreBand, ...] | None = None
    verification: Verification | None = None
    review: Review | None = None
    sources: tuple[str, ...]
