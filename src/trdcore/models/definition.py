"""Definitions of treatment-resistant depression, written as sourced parameters, not code.

Every point on which published definitions disagree (how many trials, how long, what counts
as non-response...) is a parameter here, so one engine can evaluate them all.
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from trdcore.models._json import JSON_KEY, DocumentModel, JsonModel
from trdcore.models.common import Review, Scale, Sourced, Status, Verification

__all__ = [
    "AdequateDoseRule",
    "CodeListRule",
    "CountsAsTrial",
    "DefinitionParameters",
    "DistinctClassesRule",
    "EpisodeRule",
    "NextTreatment",
    "NonResponseRule",
    "RequiredCondition",
    "TrdDefinition",
]

EpisodeScope: TypeAlias = Literal["current-episode", "lookback-days", "lifetime"]
MissingDataPolicy: TypeAlias = Literal["indeterminate", "not-counted"]


@attrs.frozen(kw_only=True)
class DistinctClassesRule(JsonModel):
    """Whether failed trials must come from different drug classes, and under which taxonomy."""

    required: bool
    taxonomy: Literal["who-atc", "pharmacological"] | None = None
    min_classes: int | None = None
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class AdequateDoseRule(JsonModel):
    """How dose adequacy is judged: against a catalog dosing scheme, or by the clinician."""

    method: Literal["dose-scheme", "clinician-judgment", "not-checked"]
    scheme: str | None = None
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class NextTreatment(JsonModel):
    """A treatment whose start marks earlier trials as failed (the next-treatment method):
    drugs in ``code_lists``, preceded by at least ``min_failed_trials`` trials of different
    drugs (begun on its first day too when ``same_day``)."""

    code_lists: tuple[str, ...]
    min_failed_trials: int
    same_day: bool
    note: str | None = None


@attrs.frozen(kw_only=True)
class CodeListRule(JsonModel):
    """A rule that reads code lists of the catalog (trial drugs, exclusions), with sources."""

    code_lists: tuple[str, ...]
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class RequiredCondition(CodeListRule):
    """A condition of the lists recorded no more than ``days_before`` days before the index."""

    days_before: int


@attrs.frozen(kw_only=True)
class NonResponseRule(JsonModel):
    """What counts as non-response: too little improvement on a scale, or the recorded outcome.

    ``inclusive`` says whether improvement exactly at the threshold still counts (at most 25%)
    or must fall strictly below it (less than 50%).
    """

    method: Literal["percent-improvement", "recorded-outcome", "next-treatment"]
    max_improvement_percent: float | None = None
    inclusive: bool | None = None
    scales: tuple[Scale, ...] | None = None
    partial_response_counts: bool | None = None
    within_days: int | None = None
    next_treatments: tuple[NextTreatment, ...] | None = None
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class CountsAsTrial(JsonModel):
    """Which kinds of treatment count towards the number of failed trials."""

    antidepressant: bool
    augmentation: bool
    psychotherapy: bool
    ect: bool
    other_neurostimulation: bool = attrs.field(metadata={JSON_KEY: "other-neurostimulation"})
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class EpisodeRule(JsonModel):
    """Which trials count: the current episode's, a look-back window's (``days``), or all."""

    value: EpisodeScope
    days: int | None = None
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None


@attrs.frozen(kw_only=True)
class DefinitionParameters(JsonModel):
    """Every parameter of a definition, each with its sources and how well it is established."""

    min_failed_trials: Sourced[int]
    distinct_classes: DistinctClassesRule
    min_trial_weeks: Sourced[float]
    early_stop_weeks: Sourced[float] | None = None
    adequate_dose: AdequateDoseRule
    non_response: NonResponseRule
    counts_as_trial: CountsAsTrial
    episode_scope: EpisodeRule
    adherence_required: Sourced[bool]
    intolerance_counts_as_failure: Sourced[bool]
    missing_data: MissingDataPolicy
    trial_drugs: CodeListRule | None = None
    required_condition: RequiredCondition | None = None
    exclusions: CodeListRule | None = None


@attrs.frozen(kw_only=True)
class TrdDefinition(DocumentModel):
    """A named, versioned definition of treatment-resistant depression that can be evaluated."""

    SCHEMA_NAME: ClassVar[str] = "trd-definition"

    schema: (
        Literal["trd-definition@1.0.0", "trd-definition@1.1.0", "trd-definition@1.2.0"] | None
    ) = None
    id: str
    version: str
    status: Status
    title: str
    summary: str
    parameters: DefinitionParameters
    review: Review | None = None
    sources: tuple[str, ...]
