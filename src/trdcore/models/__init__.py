"""Frozen attrs models of every trdcore document, built from JSON that passed its schema check.

``Model.from_json(document)`` builds a model and ``model.to_json()`` gives the same document
back, key for key. ``MODELS`` maps each document schema's name to its model class.
"""

from __future__ import annotations

from trdcore.models._json import DocumentModel, JsonModel
from trdcore.models.clinical_drug_list import ClinicalDrug, ClinicalDrugList
from trdcore.models.code_list import CodeList, ListedCode
from trdcore.models.common import (
    ClearCommunicationReview,
    Coding,
    DailyDose,
    DateOrUnknown,
    Duration,
    GlossaryEntry,
    HumanReviews,
    LocalizedText,
    PematReview,
    Review,
    RuleSuppression,
    ScaleScore,
    Sourced,
    Unknown,
)
from trdcore.models.content_module import ContentModule, Section
from trdcore.models.definition import (
    AdequateDoseRule,
    CountsAsTrial,
    DefinitionParameters,
    DistinctClassesRule,
    EpisodeRule,
    NonResponseRule,
    TrdDefinition,
)
from trdcore.models.dose_scheme import DoseScheme
from trdcore.models.drug import AdequateDose, Brand, ClassMembership, Drug, SourcedCoding
from trdcore.models.evaluation import (
    CriterionResult,
    DefinitionVerdict,
    DimensionPoints,
    Engine,
    EvaluationResult,
    EvaluationSummary,
    InputWarning,
    MissingData,
    StageResult,
    Threshold,
    TrialAssessment,
    TrialCounts,
)
from trdcore.models.events import DispensingEvent, DispensingEvents, EpisodeStart, Strength
from trdcore.models.history import (
    Augmentation,
    Condition,
    Course,
    DoseOrUnknown,
    DrugReference,
    Episode,
    OutcomeInferred,
    SystemIdentifier,
    TimedTreatment,
    TreatmentHistory,
    Trial,
)
from trdcore.models.source import Source
from trdcore.models.staging import Dimension, DimensionOption, ScoreBand, Stage, StagingModel
from trdcore.models.treatment import RegulatoryStatus, SourcedStatement, Treatment, TreatmentText

__all__ = [
    "MODELS",
    "AdequateDose",
    "AdequateDoseRule",
    "Augmentation",
    "Brand",
    "ClassMembership",
    "ClearCommunicationReview",
    "ClinicalDrug",
    "ClinicalDrugList",
    "CodeList",
    "Coding",
    "Condition",
    "ContentModule",
    "CountsAsTrial",
    "Course",
    "CriterionResult",
    "DailyDose",
    "DateOrUnknown",
    "DefinitionParameters",
    "DefinitionVerdict",
    "Dimension",
    "DimensionOption",
    "DimensionPoints",
    "DispensingEvent",
    "DispensingEvents",
    "DistinctClassesRule",
    "DocumentModel",
    "DoseOrUnknown",
    "DoseScheme",
    "Drug",
    "DrugReference",
    "Duration",
    "Engine",
    "Episode",
    "EpisodeRule",
    "EpisodeStart",
    "EvaluationResult",
    "EvaluationSummary",
    "GlossaryEntry",
    "HumanReviews",
    "InputWarning",
    "JsonModel",
    "ListedCode",
    "LocalizedText",
    "MissingData",
    "NonResponseRule",
    "OutcomeInferred",
    "PematReview",
    "RegulatoryStatus",
    "Review",
    "RuleSuppression",
    "ScaleScore",
    "ScoreBand",
    "Section",
    "Source",
    "Sourced",
    "SourcedCoding",
    "SourcedStatement",
    "Stage",
    "StageResult",
    "StagingModel",
    "Strength",
    "SystemIdentifier",
    "Threshold",
    "TimedTreatment",
    "TrdDefinition",
    "Treatment",
    "TreatmentHistory",
    "TreatmentText",
    "Trial",
    "TrialAssessment",
    "TrialCounts",
    "Unknown",
]

MODELS: dict[str, type[DocumentModel]] = {
    model.SCHEMA_NAME: model
    for model in (
        ClinicalDrugList,
        CodeList,
        ContentModule,
        DispensingEvents,
        DoseScheme,
        Drug,
        EvaluationResult,
        EvaluationSummary,
        Source,
        StagingModel,
        TrdDefinition,
        Treatment,
        TreatmentHistory,
    )
}
