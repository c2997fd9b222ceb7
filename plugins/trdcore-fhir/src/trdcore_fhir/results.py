"""A trdcore evaluation as FHIR R4, shaped the way CPG-on-FHIR records an inference.

- an inferred ``Observation``: code trdcore ``trd-assessment``, value ``met`` / ``not-met`` /
  ``indeterminate``, the definition's Library canonical with its version, CPG's
  ``cpg-caseFeatureType = inferred``, the trials in ``cpg-pertinent`` and the scale scores
  in ``derivedFrom``;
- optionally (``condition=True``, and only when the definition is met) a ``Condition`` with
  ``verificationStatus = provisional``, its evidence pointing at the same inputs;
- a ``Provenance`` naming the engine (a ``Device``), the definition (``policy``) and every
  input resource used;
- a ``GuidanceResponse`` wrapping it for decision support: ``moduleCanonical`` is the
  definition, ``outputParameters`` a ``Parameters`` resource naming the Observation,
  ``evaluationMessage`` an ``OperationOutcome`` with the evaluation's warnings and missing
  data.

References to the input are the references the importer recorded
(:attr:`trdcore_fhir.ImportedHistory.sources`), so results point at the resources they
came from.

For many patients, one :class:`ResultWriter` writes them all: the texts that recur from
patient to patient are built once per writer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, Literal, TypeVar

import attrs

from trdcore_fhir.serialize import Resource, canonical, stable_id, table_div, transaction_bundle
from trdcore_fhir.terminology import (
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    CPG_CASE_FEATURE_TYPE,
    CPG_PERTINENT,
    DEFAULT_BASE,
    PROVENANCE_PARTICIPANT,
    trdcore_coding,
)
from trdcore_fhir.vocabulary import DEFINITION_EXTENSION

__all__ = ["ResultWriter", "definition_canonical", "result_bundle", "result_resources"]

_VERDICT = {"met": "met", "not_met": "not-met", "indeterminate": "indeterminate"}
_SCORE_PATHS = ("/episode/scores/", "/baseline_score", "/end_score")
_AUGMENTATION = "/augmentation/"
#: Distinct texts a writer keeps of each kind before starting afresh (memory stays flat).
_MEMO_SIZE = 4096
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def _remembered(memo: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
    """``memo[key]``, made by ``make()`` the first time ``key`` is asked for."""
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[key] = make()
    return found


def _missing_item_text(item: Mapping[str, Any]) -> str:
    """The diagnostics of one missing-data item (the item itself when it has no message)."""
    return f"missing {item.get('pointer', '')}: {item.get('message', item)}"


def definition_canonical(reference: str) -> str:
    """The Library canonical ``url|version`` of a definition ``id@version``."""
    identifier, _, version = reference.partition("@")
    return f"{canonical('Library', identifier)}|{version}"


def _inputs(
    evaluation: Mapping[str, Any], sources: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], list[str], list[str]]:
    """References of the trials, of the scale-score Observations and of the episode."""
    # One pass over the sources: augmentations by the pointer of their trial (in source
    # order), and the score pointers.
    augmentations: dict[str, list[tuple[str, ...]]] = {}
    score_sources = []
    for path, found in sources.items():
        at = path.find(_AUGMENTATION)
        if at >= 0:
            augmentations.setdefault(path[:at], []).append(found)
        if _SCORE_PATHS[0] in path or _SCORE_PATHS[1] in path or _SCORE_PATHS[2] in path:
            score_sources.append((path, found))
    trials: list[str] = []
    for trial in evaluation.get("trials", ()):
        pointer = trial.get("pointer", "")
        for reference in sources.get(pointer, ()):
            if reference not in trials:
                trials.append(reference)
        if "augmentation" in pointer:
            # A pointer that could hold the marker itself: the plain scan.
            for path, found in sources.items():
                if path.startswith(f"{pointer}{_AUGMENTATION}"):
                    trials.extend(r for r in found if r not in trials)
        else:
            for found in augmentations.get(pointer, ()):
                trials.extend(r for r in found if r not in trials)
    score_sources.sort()
    # A total read both as an episode score and as a trial's baseline or end is one input.
    scores = list(dict.fromkeys(reference for _, found in score_sources for reference in found))
    return trials, scores, list(sources.get("/episode", ()))


@attrs.define
class ResultWriter:
    """Writes evaluations as FHIR results, for as many patients as a run evaluates.

    What recurs from patient to patient (the narrative tables, the missing-data diagnostics,
    the engine's Device id) is built once per distinct text and kept by the writer: that
    halves the time to write the results of many patients. Make one per run
    (``fhir-evaluate`` makes one per process); writers share nothing.
    """

    _tables: dict[tuple[str, tuple[tuple[str, str], ...]], str] = attrs.field(
        factory=dict, init=False, repr=False
    )
    _missing: dict[tuple[tuple[str, str], ...], str] = attrs.field(
        factory=dict, init=False, repr=False
    )
    _engines: dict[tuple[str, str], str] = attrs.field(factory=dict, init=False, repr=False)

    def resources(
        self,
        evaluation: Mapping[str, Any],
        *,
        subject: str,
        sources: Mapping[str, tuple[str, ...]] | None = None,
        condition: bool = False,
    ) -> list[Resource]:
        """FHIR resources for one ``evaluation-result@1.2.0`` document about ``subject``.

        ``subject`` is the patient reference (``Patient/123``); ``sources`` maps JSON
        pointers of the evaluated history to input references (from the importer). With
        ``condition`` a provisional Condition is added when the definition is met. The
        GuidanceResponse is last. Ids are derived from the subject, definition and as-of
        date: the same evaluation always gives the same resources.
        """
        sources = sources or {}
        definition = evaluation["definition"]
        as_of = evaluation["as_of"]
        status = evaluation["status"]
        key = (subject, definition, as_of)
        library = definition_canonical(definition)
        trials, scores, episode = _inputs(evaluation, sources)
        engine = evaluation.get("engine", {})
        device: Resource = {
            "resourceType": "Device",
            "id": self._engine_id(str(engine.get("name")), str(engine.get("version"))),
            "deviceName": [{"name": str(engine.get("name", "trdcore")), "type": "model-name"}],
            "type": {"coding": [trdcore_coding("trdcore-engine")]},
            "version": [{"value": str(engine.get("version", "unknown"))}],
            "text": self._table("trdcore engine", [("Version", str(engine.get("version")))]),
        }
        device_reference = {"reference": f"Device/{device['id']}"}
        observation_id = stable_id("assessment", *key)
        observation: Resource = {
            "resourceType": "Observation",
            "id": observation_id,
            "extension": [
                {"url": CPG_CASE_FEATURE_TYPE, "valueCode": "inferred"},
                {"url": DEFINITION_EXTENSION, "valueCanonical": library},
                *(
                    {"url": CPG_PERTINENT, "valueReference": {"reference": r}}
                    for r in trials + episode
                ),
            ],
            "status": "final",
            "code": {
                "coding": [trdcore_coding("trd-assessment")],
                "text": f"Treatment-resistant depression assessment under {definition}",
            },
            "subject": {"reference": subject},
            "effectiveDateTime": as_of,
            "valueCodeableConcept": {"coding": [trdcore_coding(_VERDICT[status])]},
            "device": device_reference,
            "component": [
                {
                    "code": {"coding": [trdcore_coding("adequate-failed-trials")]},
                    "valueInteger": int(evaluation["counts"]["adequate_failed_trials"]),
                },
                {
                    "code": {"coding": [trdcore_coding("distinct-classes")]},
                    "valueInteger": int(evaluation["counts"]["distinct_classes"]),
                },
            ],
            "text": self._table(
                "Treatment-resistant depression assessment",
                [("Definition", definition), ("As of", as_of), ("Result", status)]
                + ([("Why", evaluation["explanation"])] if evaluation.get("explanation") else []),
            ),
        }
        if evaluation.get("explanation"):
            observation["note"] = [{"text": evaluation["explanation"]}]
        observation_scores = [r for r in scores if r.startswith(("Observation/", "urn:"))]
        if observation_scores:
            observation["derivedFrom"] = [{"reference": r} for r in observation_scores]
        observation_reference = {"reference": f"Observation/{observation_id}"}
        resources: list[Resource] = [device, observation]
        targets = [observation_reference]
        if condition and status == "met":
            provisional: Resource = {
                "resourceType": "Condition",
                "id": stable_id("condition", *key),
                "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
                "verificationStatus": {
                    "coding": [{"system": CONDITION_VERIFICATION, "code": "provisional"}]
                },
                "category": [
                    {"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}
                ],
                "code": {
                    "coding": [trdcore_coding("treatment-resistant-depression")],
                    "text": f"Treatment-resistant depression (meets {definition}; to be confirmed "
                    "by a clinician)",
                },
                "subject": {"reference": subject},
                "recordedDate": as_of,
                "evidence": [
                    {
                        "detail": [observation_reference]
                        + [{"reference": r} for r in trials + scores + episode]
                    }
                ],
                "text": self._table(
                    "Provisional: treatment-resistant depression",
                    [("Definition", definition), ("As of", as_of)],
                ),
            }
            resources.append(provisional)
            targets.append({"reference": f"Condition/{provisional['id']}"})
        provenance: Resource = {
            "resourceType": "Provenance",
            "id": stable_id("provenance", *key),
            "target": targets,
            "occurredDateTime": as_of,
            # No clock: the record is dated by the evaluation's as-of date.
            "recorded": f"{as_of}T00:00:00Z",
            "policy": [library],
            "activity": {"text": f"evaluated with trdcore against {definition}"},
            "agent": [
                {
                    "type": {"coding": [{"system": PROVENANCE_PARTICIPANT, "code": "performer"}]},
                    "who": device_reference,
                }
            ],
            "text": self._table(
                "How this result was made", [("Definition", definition), ("Engine", "trdcore")]
            ),
        }
        entities = [{"role": "source", "what": {"reference": r}} for r in trials + scores + episode]
        if entities:
            provenance["entity"] = entities
        resources.append(provenance)
        parameters: Resource = {
            "resourceType": "Parameters",
            "id": stable_id("parameters", *key),
            "parameter": [
                {"name": "status", "valueCode": _VERDICT[status]},
                {"name": "assessment", "valueReference": observation_reference},
            ],
        }
        resources.append(parameters)
        guidance: Resource = {
            "resourceType": "GuidanceResponse",
            "id": stable_id("guidance", *key),
            "moduleCanonical": library,
            "status": "success",
            "subject": {"reference": subject},
            "occurrenceDateTime": as_of,
            "performer": device_reference,
            "outputParameters": {"reference": f"Parameters/{parameters['id']}"},
            "text": self._table(
                "Decision support result", [("Definition", definition), ("Result", status)]
            ),
        }
        issues = [
            {
                "severity": "warning",
                "code": "informational",
                "diagnostics": f"{item.get('pointer', '')}: {item.get('message', '')}",
            }
            for item in evaluation.get("warnings", ())
        ] + [
            {
                "severity": "information",
                "code": "incomplete",
                "diagnostics": self._missing_text(item),
            }
            for item in evaluation.get("missing", ())
        ]
        if issues:
            outcome: Resource = {
                "resourceType": "OperationOutcome",
                "id": stable_id("outcome", *key),
                "issue": issues,
            }
            resources.append(outcome)
            guidance["evaluationMessage"] = [{"reference": f"OperationOutcome/{outcome['id']}"}]
        resources.append(guidance)
        return resources

    def bundle(
        self,
        evaluation: Mapping[str, Any],
        *,
        subject: str,
        sources: Mapping[str, tuple[str, ...]] | None = None,
        condition: bool = False,
        bundle_type: Literal["collection", "transaction"] = "collection",
    ) -> Resource:
        """:meth:`resources` in one Bundle: a ``collection`` to hand back to a caller, or a
        ``transaction`` of PUTs to store on a FHIR server."""
        resources = self.resources(
            evaluation, subject=subject, sources=sources, condition=condition
        )
        bundle_id = stable_id("results", subject, evaluation["definition"], evaluation["as_of"])
        if bundle_type == "transaction":
            return transaction_bundle(resources, bundle_id=bundle_id)
        return {
            "resourceType": "Bundle",
            "id": bundle_id,
            "type": "collection",
            "entry": [
                {
                    "fullUrl": f"{DEFAULT_BASE}/{r['resourceType']}/{r['id']}",
                    "resource": r,
                }
                for r in resources
            ],
        }

    def _table(self, title: str, rows: list[tuple[str, str]]) -> Resource:
        """A Narrative with a heading and a two-column table (label, value)."""
        # Results repeat the same few tables (definition, as-of date, result) for every patient.
        key = (title, tuple(rows))
        return {
            "status": "generated",
            "div": _remembered(self._tables, key, lambda: table_div(*key)),
        }

    def _engine_id(self, name: str, version: str) -> str:
        return _remembered(
            self._engines, (name, version), lambda: stable_id("engine", name, version)
        )

    def _missing_text(self, item: Mapping[str, Any]) -> str:
        if type(item) is dict and "message" not in item:
            pairs = tuple(item.items())
            if all(type(key) is str and type(value) is str for key, value in pairs):
                # The same few items (a pointer and what is missing there) recur from
                # patient to patient.
                return _remembered(self._missing, pairs, lambda: _missing_item_text(item))
        return _missing_item_text(item)


def result_resources(
    evaluation: Mapping[str, Any],
    *,
    subject: str,
    sources: Mapping[str, tuple[str, ...]] | None = None,
    condition: bool = False,
) -> list[Resource]:
    """FHIR resources for one ``evaluation-result@1.2.0`` document about ``subject``
    (:meth:`ResultWriter.resources`, by a writer of its own)."""
    return ResultWriter().resources(
        evaluation, subject=subject, sources=sources, condition=condition
    )


def result_bundle(
    evaluation: Mapping[str, Any],
    *,
    subject: str,
    sources: Mapping[str, tuple[str, ...]] | None = None,
    condition: bool = False,
    bundle_type: Literal["collection", "transaction"] = "collection",
) -> Resource:
    """:func:`result_resources` in one Bundle: a ``collection`` to hand back to a caller, or
    a ``transaction`` of PUTs to store on a FHIR server (:meth:`ResultWriter.bundle`, by a
    writer of its own)."""
    return ResultWriter().bundle(
        evaluation, subject=subject, sources=sources, condition=condition, bundle_type=bundle_type
    )
