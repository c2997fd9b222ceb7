"""The verdict of one TRD definition on one treatment history, with what it rests on.

A result carries the exact definition and catalog versions, the as-of date, each trial's
criteria with thresholds and sources, and what was missing, so it can be defended and
reproduced later.
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.common import Coding, Verification

#: How input named a catalog drug (``trdcore.catalog.Catalog.recognise_drug``).
RecognisedBy: TypeAlias = Literal["name", "ingredient code", "clinical drug code", "parsed name"]

__all__ = [
    "CriterionResult",
    "DefinitionVerdict",
    "DimensionPoints",
    "Engine",
    "EvaluationResult",
    "EvaluationSummary",
    "Exclusion",
    "ExclusionReference",
    "IndexEvent",
    "InferOutcomes",
    "InferredOutcome",
    "InputWarning",
    "MissingData",
    "StageResult",
    "Threshold",
    "TrialAssessment",
    "TrialCounts",
]

TreatmentKind: TypeAlias = Literal[
    "antidepressant", "augmentation", "psychotherapy", "ect", "other-neurostimulation"
]
Criterion: TypeAlias = Literal[
    "dose", "duration", "non-response", "adherence", "intolerance", "episode", "kind"
]


@attrs.frozen(kw_only=True)
class Threshold(JsonModel):
    """A threshold the verdict relied on (say, 6 weeks), with its sources and verification."""

    parameter: str
    value: float | str | bool
    unit: str | None = None
    sources: tuple[str, ...]
    verification: Verification


@attrs.frozen(kw_only=True)
class CriterionResult(JsonModel):
    """How one trial fared on one criterion (dose, duration, non-response...) and why."""

    criterion: Criterion
    result: Literal["pass", "fail", "unknown", "not-applicable"]
    detail: str
    threshold: Threshold | None = None


@attrs.frozen(kw_only=True)
class InferredOutcome(JsonModel):
    """A trial outcome inferred from the treatment that followed it, not recorded."""

    method: Literal["switch", "next-treatment"]
    within_days: int
    next_start: datetime.date
    next_drug: str | None = None
    next_trial: str | None = None
    next_pointer: str | None = None


@attrs.frozen(kw_only=True)
class Exclusion(JsonModel):
    """The recorded condition that excludes a person under a definition's exclusions."""

    code_list: str
    condition: str
    coding: Coding | None = None
    name: str | None = None
    date: datetime.date


@attrs.frozen(kw_only=True)
class ExclusionReference(JsonModel):
    """In a summary: which code list and condition excluded the person, and when."""

    code_list: str
    condition: str
    date: datetime.date


@attrs.frozen(kw_only=True)
class IndexEvent(JsonModel):
    """The treatment whose start marked the counted trials as failed (next-treatment rules)."""

    pointer: str
    date: datetime.date
    drug_input: str | None = None


@attrs.frozen(kw_only=True)
class TrialAssessment(JsonModel):
    """The judgement on one trial or course of the history, which ``pointer`` locates.

    ``counted`` is True for an adequate failed trial, False for not, and None (JSON null,
    always written) when the data cannot tell.
    """

    pointer: str
    trial_id: str | None = None
    kind: TreatmentKind
    drug: str | None = None
    drug_input: str | None = None
    #: How the drug was recognised (``Catalog.recognise_drug``), in 1.1.0 results.
    recognised_by: RecognisedBy | None = None
    classes: tuple[str, ...] | None = None
    counted: bool | None
    outcome_inferred: InferredOutcome | None = None
    criteria: tuple[CriterionResult, ...]
    reason: str


@attrs.frozen(kw_only=True)
class TrialCounts(JsonModel):
    """The totals the definition's thresholds are compared with."""

    adequate_failed_trials: int
    possible_failed_trials: int | None = None
    distinct_classes: int


@attrs.frozen(kw_only=True)
class MissingData(JsonModel):
    """Data that could change the verdict but is not in the history, located by JSON pointer."""

    pointer: str
    what: str


@attrs.frozen(kw_only=True)
class InputWarning(JsonModel):
    """Something odd in the input that did not stop the evaluation (not a Python warning)."""

    code: str
    message: str
    pointer: str | None = None


@attrs.frozen(kw_only=True)
class DimensionPoints(JsonModel):
    """Points awarded on one dimension of a points staging model, with the reason."""

    dimension: str
    points: float
    detail: str


@attrs.frozen(kw_only=True)
class StageResult(JsonModel):
    """The stage one staging model assigns, or why it could not assign one."""

    model: str
    status: Literal["staged", "indeterminate"]
    stage: str | None = None
    score: float | None = None
    points: tuple[DimensionPoints, ...] | None = None
    missing: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class Engine(JsonModel):
    """The software and version that produced a result, needed to reproduce it."""

    name: Literal["trdcore"]
    version: str


@attrs.frozen(kw_only=True)
class EvaluationResult(DocumentModel):
    """Whether a history meets a TRD definition (met, not met, indeterminate) and why."""

    SCHEMA_NAME: ClassVar[str] = "evaluation-result"

    schema: (
        Literal["evaluation-result@1.0.0", "evaluation-result@1.1.0", "evaluation-result@1.2.0"]
        | None
    ) = None
    history_id: str | None = None
    definition: str
    catalog_version: str
    as_of: datetime.date
    status: Literal["met", "not_met", "indeterminate"]
    explanation: str | None = None
    trials: tuple[TrialAssessment, ...]
    counts: TrialCounts
    exclusion: Exclusion | None = None
    index: IndexEvent | None = None
    inferred: tuple[str, ...] | None = None
    missing: tuple[MissingData, ...]
    thresholds: tuple[Threshold, ...] | None = None
    warnings: tuple[InputWarning, ...]
    stages: tuple[StageResult, ...] | None = None
    engine: Engine


@attrs.frozen(kw_only=True)
class InferOutcomes(JsonModel):
    """The outcome inference an evaluation applied (``trdcore evaluate --infer-outcomes``)."""

    method: Literal["switch"]
    within_days: int


@attrs.frozen(kw_only=True)
class DefinitionVerdict(JsonModel):
    """One definition's verdict in a summary: status, counts and each trial's verdict."""

    definition: str
    status: Literal["met", "not_met", "indeterminate"]
    counts: TrialCounts
    counted: tuple[bool | None, ...]
    excluded_by: ExclusionReference | None = None
    inferred: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class EvaluationSummary(DocumentModel):
    """One history's verdicts under several definitions, compact, for large batches.

    ``counted`` in each verdict follows ``pointers``; the full explanation of
    a verdict is its :class:`EvaluationResult` (``trdcore evaluate --explain``).
    """

    SCHEMA_NAME: ClassVar[str] = "evaluation-summary"

    schema: Literal[
        "evaluation-summary@1.0.0", "evaluation-summary@1.1.0", "evaluation-summary@1.2.0"
    ]
    history_id: str | None = None
    source: str | None = None
    line: int | None = None
    as_of: datetime.date
    dose_scheme: str | None = None
    infer_outcomes: InferOutcomes | None = None
    catalog_version: str
    engine: Engine
    pointers: tuple[str, ...]
    results: tuple[DefinitionVerdict, ...]
    warnings: tuple[InputWarning, ...]
    stages: tuple[StageResult, ...] | None = None
