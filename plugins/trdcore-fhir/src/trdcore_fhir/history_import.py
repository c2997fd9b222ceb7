"""FHIR R4 patient data to treatment histories, one per patient, nothing silently dropped.

Input: a Bundle (any type), a single resource, NDJSON of resources (bulk-data export) or
NDJSON of Bundles. NDJSON is read line by line, so a large file is never held as text; only
the compact facts taken from each resource are kept until the histories are built.

What is read (R4 4.0.1):

- ``MedicationStatement`` -> a trial (``partOf`` another statement: an augmentation of it);
- ``MedicationRequest`` (intent order/plan) -> a trial, unless a statement is ``basedOn`` it;
- ``MedicationDispense`` (completed) -> prescription fills, turned into trials by
  :func:`trdcore.rules.events.trials_from_events` (OMOP-style drug eras);
- ``Observation`` with LOINC 44261-6 (PHQ-9 total) or a trdcore scale code -> a scale score;
- ``Condition`` coded as major depression (the VSAC Major Depression value set) -> the episode;
- ``Patient`` -> the history's id and identifiers; ``Medication`` -> resolves references.

Everything else, and every code, element or reference that cannot be used, becomes a warning
naming the file (and line), the resource and the element.
"""

from __future__ import annotations

import bisect
import datetime
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson

from trdcore.exceptions import DocumentError
from trdcore.models.code_list import CodeList
from trdcore.models.history import ReasonStopped
from trdcore.rxnorm_names import parse_clinical_drug_name
from trdcore_fhir.terminology import (
    ATC,
    DATA_ABSENT_REASON,
    MAJOR_DEPRESSION_CODE_LIST,
    RXNORM,
    SCALE_BY_CODE,
    SNOMED,
    TRDCORE_SYSTEM,
    US_CORE_ADHERENCE,
    US_CORE_ADHERENCE_CODES,
)
from trdcore_fhir.vocabulary import (
    ADHERENCE_EXTENSION,
    COUNT_UNITS,
    DOSE_UNITS,
    HISTORY_ID_SYSTEM,
    OUTCOME_EXTENSION,
    PER_DAY,
    TIMING_CODES,
    TRIAL_ID_SYSTEM,
)

__all__ = ["FhirImport", "FhirReader", "ImportedHistory", "read_fhir", "read_fhir_bundle"]

#: Resource types that exist in R4B or R5 but not in R4 4.0.1.
_NOT_R4 = frozenset(
    {
        "MedicationUsage",
        "RequestOrchestration",
        "ActorDefinition",
        "Requirements",
        "InventoryItem",
        "InventoryReport",
        "Transport",
        "NutritionIntake",
        "NutritionProduct",
        "BiologicallyDerivedProductDispense",
        "DeviceAssociation",
        "DeviceDispense",
        "DeviceUsage",
        "EncounterHistory",
        "FormularyItem",
        "GenomicStudy",
        "ImagingSelection",
        "Permission",
        "TestPlan",
        "ArtifactAssessment",
        "ConditionDefinition",
        "Citation",
        "Evidence",
        "EvidenceReport",
        "ClinicalUseDefinition",
        "ManufacturedItemDefinition",
        "PackagedProductDefinition",
        "AdministrableProductDefinition",
        "RegulatedAuthorization",
        "Ingredient",
        "MedicinalProductDefinition",
        "SubscriptionStatus",
        "SubscriptionTopic",
    }
)
_READ_TEXT = "MedicationStatement, MedicationRequest, MedicationDispense, Observation, Condition"
_DRUG_SYSTEMS = (RXNORM, ATC)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_STATEMENT_STATUSES = {"active", "completed", "stopped", "on-hold", "unknown"}
_REQUEST_STATUSES = {"active", "completed", "stopped", "on-hold"}
_REQUEST_INTENTS = {
    "order",
    "plan",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
}
_OBSERVATION_STATUSES = {"final", "amended", "corrected"}
_SCALE_MAX = {
    "PHQ-9": 27,
    "MADRS": 60,
    "HAM-D-17": 52,
    "HAM-D-21": 64,
    "QIDS-SR-16": 27,
    "QIDS-C-16": 27,
    "BDI-II": 63,
    "CGI-S": 7,
}
_SEVERITIES = {
    f"severity-{s}": s
    for s in (
        "mild",
        "moderate",
        "severe-without-psychotic-features",
        "severe-with-psychotic-features",
        "unknown",
    )
}
# One status-reason code per reason the history schema knows (the model's literal).
_REASONS = {f"stopped-{reason}": reason for reason in typing.get_args(ReasonStopped)}
_OUTCOMES = {
    f"outcome-{o}": o
    for o in ("remission", "response", "partial-response", "non-response", "intolerance", "unknown")
}
_ADHERENCE = {f"adherence-{a}": a for a in ("full", "partial", "poor", "unknown")}
_DURATION = {"d": "day", "wk": "week", "mo": "month"}


@attrs.frozen
class ImportedHistory:
    """One patient's treatment history and the FHIR resources each part came from.

    ``sources`` maps a JSON pointer in ``document`` (``/trials/0``, ``/episode/scores/1``,
    ``/episode``) to the references of the resources it was built from, so results can point
    back at the input (see :func:`trdcore_fhir.result_resources`).
    """

    document: dict[str, Any]
    patient: str
    sources: Mapping[str, tuple[str, ...]]


@attrs.frozen
class FhirImport:
    """Every history read from an input, and a warning for each thing not used."""

    histories: tuple[ImportedHistory, ...]
    warnings: tuple[str, ...]


class _Unusable(Exception):
    """A resource (or one of its elements) that cannot be used; the message says why."""


@attrs.define
class _Scope:
    """References resolvable in one Bundle (or across an NDJSON file).

    ``alias`` maps every way a resource may be referenced (``Type/id``, its fullUrl) to one
    key; only Medications are kept whole, to resolve medicationReference when histories are
    built (in NDJSON the Medication may come after the record that names it).
    """

    alias: dict[str, str] = attrs.field(factory=dict)
    medications: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    used: set[str] = attrs.field(factory=set)

    def key(self, reference: str) -> str:
        return self.alias.get(reference, reference)


_Record = tuple[str, str, dict[str, Any], _Scope]


@attrs.define
class _Patient:
    statements: list[_Record] = attrs.field(factory=list)
    requests: list[_Record] = attrs.field(factory=list)
    dispenses: list[_Record] = attrs.field(factory=list)
    observations: list[_Record] = attrs.field(factory=list)
    conditions: list[_Record] = attrs.field(factory=list)
    resource: dict[str, Any] | None = None
    covered_requests: set[str] = attrs.field(factory=set)


#: Where a patient keeps the records of each resource type read.
_RECORDS = {
    "MedicationStatement": "statements",
    "MedicationRequest": "requests",
    "MedicationDispense": "dispenses",
    "Observation": "observations",
    "Condition": "conditions",
}
#: Condition clinicalStatus codes (HL7 condition-clinical) of an episode that is over.
_PAST_CLINICAL_STATUSES = frozenset({"inactive", "remission", "resolved"})
#: Condition.abatement[x]: any of them means the condition has abated.
_ABATEMENT = (
    "abatementDateTime",
    "abatementAge",
    "abatementPeriod",
    "abatementRange",
    "abatementString",
)
#: Record types whose R5 shape (``medication`` ...) is recognised and refused.
_MEDICATION_RECORDS = frozenset({"MedicationStatement", "MedicationRequest", "MedicationDispense"})
#: The elements read from each resource type; the rest (narrative, meta ...) is not kept.
_KEEP = {
    "MedicationStatement": (
        "status",
        "statusReason",
        "medicationCodeableConcept",
        "medicationReference",
        "effectivePeriod",
        "effectiveDateTime",
        "dosage",
        "note",
        "extension",
        "identifier",
        "partOf",
        "basedOn",
    ),
    "MedicationRequest": (
        "status",
        "intent",
        "statusReason",
        "medicationCodeableConcept",
        "medicationReference",
        "authoredOn",
        "dispenseRequest",
        "dosageInstruction",
        "note",
        "extension",
        "identifier",
    ),
    "MedicationDispense": (
        "status",
        "medicationCodeableConcept",
        "medicationReference",
        "whenHandedOver",
        "whenPrepared",
        "quantity",
        "daysSupply",
        "dosageInstruction",
    ),
    "Observation": (
        "status",
        "code",
        "category",
        "valueInteger",
        "valueQuantity",
        "valueString",
        "effectiveDateTime",
        "partOf",
    ),
    "Condition": (
        "clinicalStatus",
        "abatementDateTime",
        "abatementAge",
        "abatementPeriod",
        "abatementRange",
        "abatementString",
        "verificationStatus",
        "code",
        "onsetDateTime",
        "onsetString",
        "onsetPeriod",
        "onsetAge",
        "onsetRange",
        "severity",
        "note",
    ),
}


#: The reference elements of each record type that are resolved in its scope when read.
_LINKS = {
    kind: tuple(name for name in ("partOf", "basedOn") if name in elements)
    for kind, elements in _KEEP.items()
}


@attrs.define
class _Reading:
    """One input being read by a :class:`FhirReader`: its patients' records and warnings."""

    source: str
    reader: FhirReader
    #: The reader's tables of what repeated elements read as.
    memo: _Memo
    warnings: list[str] = attrs.field(factory=list)
    patients: dict[str, _Patient] = attrs.field(factory=dict)
    medications: list[tuple[str, str, _Scope]] = attrs.field(factory=list)
    #: Medication records not used as trials because their drug is known not to be an
    #: antidepressant or augmentation agent: drug as written -> how many records.
    ignored: dict[str, int] = attrs.field(factory=dict)
    #: Keep only the elements read from each record (False: the input is dropped after
    #: reading anyway, as when one Bundle is read on its own).
    compact: bool = True

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    # -- reading -------------------------------------------------------------------------

    def read_path(self, path: Path) -> None:
        try:
            with path.open("rb") as stream:
                first = stream.readline()
                stripped = first.strip()
                single_line = False
                if stripped:
                    try:
                        orjson.loads(stripped)
                        single_line = True
                    except orjson.JSONDecodeError:
                        single_line = False
                if single_line:
                    stream.seek(0)
                    self._read_ndjson(stream)
                else:
                    stream.seek(0)
                    self._read_document(stream.read())
        except OSError as error:
            raise DocumentError(f"cannot read: {error.strerror}", source=self.source) from None

    def _read_document(self, raw: bytes) -> None:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            line = raw.count(b"\n", 0, error.pos) + 1 if raw else None
            raise DocumentError(
                f"not JSON or NDJSON, so not FHIR ({error.msg})", source=self.source, line=line
            ) from None
        self._top(data, self.source, _Scope())

    def _read_ndjson(self, stream: Any) -> None:
        scope = _Scope()
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise DocumentError(
                    f"line is not JSON, so not FHIR NDJSON ({error.msg})",
                    source=self.source,
                    line=number,
                ) from None
            where = f"{self.source}:{number}"
            if isinstance(data, dict) and data.get("resourceType") == "Bundle":
                self._top(data, where, _Scope())
            else:
                self._top(data, where, scope)

    def _top(self, data: Any, where: str, scope: _Scope) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            raise DocumentError(
                "not a FHIR resource: a JSON object with a resourceType is needed "
                "(a Bundle, or NDJSON with one resource per line)",
                source=where,
            )
        if data["resourceType"] == "Bundle":
            self._bundle(data, where)
        else:
            self._collect(data, where, None, scope)

    def _bundle(self, bundle: dict[str, Any], where: str) -> None:
        scope = _Scope()
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            raise DocumentError("Bundle.entry must be a list", source=where)
        items = []
        register = self._register
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                self.warn(f"{where} entry {index}", "Bundle entry without a resource; not used")
                continue
            full_url = entry.get("fullUrl")
            full_url = full_url if isinstance(full_url, str) else None
            items.append((resource, index, full_url, register(resource, full_url, scope)))
        collect = self._collect
        for resource, index, full_url, reference in items:
            if resource["resourceType"] == "Bundle":
                self._bundle(resource, f"{where} entry {index}")
            else:
                collect(resource, f"{where} entry {index}", full_url, scope, reference=reference)

    def _register(self, resource: dict[str, Any], full_url: str | None, scope: _Scope) -> str:
        """Make ``resource`` resolvable in ``scope``; returns its reference (``Type/id``)."""
        kind = resource["resourceType"]
        identifier = resource.get("id")
        if isinstance(identifier, str):
            key = f"{kind}/{identifier}"
        elif full_url and (stable := _urn_uuid_id(full_url)) is not None:
            # A transaction entry without an id (carebundle writes them so): the UUID of its
            # fullUrl is its id, so histories and results refer to Type/<uuid>, a reference
            # that resolves wherever the input is stored under those ids, where a urn:uuid
            # resolves only inside the input Bundle.
            key = f"{kind}/{stable}"
        else:
            key = full_url or f"{kind}/(no id)"
        alias = scope.alias
        alias[key] = key
        if full_url:
            alias[full_url] = key
            # A server URL ends in Type/id; relative references use that part (a urn has none).
            if not full_url.startswith("urn:"):
                tail = "/".join(full_url.rstrip("/").split("/")[-2:])
                if tail.startswith(f"{kind}/"):
                    alias.setdefault(tail, key)
        if kind == "Medication":
            scope.medications[key] = resource
        return key

    # -- sorting resources to patients ----------------------------------------------------

    def _collect(
        self,
        resource: dict[str, Any],
        where: str,
        full_url: str | None,
        scope: _Scope,
        *,
        reference: str | None = None,
    ) -> None:
        kind = resource["resourceType"]
        if reference is None:
            reference = self._register(resource, full_url, scope)
        label = f"{where} {reference}"
        keep = _KEEP.get(kind)
        if keep is None:
            # Not a record: a Patient, a Medication, or something not read.
            if kind in _NOT_R4:
                self.warn(
                    label,
                    f"{kind} is not a FHIR R4 resource (it comes from R4B or R5); trdcore-fhir "
                    "reads R4 4.0.1; not used",
                )
            elif kind == "Patient":
                patient = self._patient(reference)
                patient.resource = {"identifier": resource.get("identifier")}
            elif kind == "Medication":
                self.medications.append((reference, label, scope))
            else:
                self.warn(label, f"{kind} is not read (trdcore-fhir reads {_READ_TEXT}); not used")
            return
        if kind in _MEDICATION_RECORDS:
            r5 = _r5_shape(resource)
            if r5:
                self.warn(
                    label, f"looks like FHIR R5 ({r5}); trdcore-fhir reads R4 4.0.1; not used"
                )
                return
        subject = resource.get("subject")
        subject_reference = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(subject_reference, str) or not subject_reference:
            self.warn(f"{label} subject", "no subject reference, so no patient; not used")
            return
        key = scope.alias.get(subject_reference, subject_reference)
        patient = self.patients.get(key) or self._patient(key)
        # Every warning about this record names its patient as well as its entry.
        label = f"{where} (patient {key}) {reference}"
        if self.compact:
            record = {name: resource[name] for name in keep if name in resource}
        else:
            # The input is this reader's own and is dropped after reading: the record is the
            # resource itself (only the elements in _KEEP are ever read from it).
            record = resource
        for name in _LINKS[kind]:
            if name in record:
                record[name] = [{"reference": scope.key(r)} for r in _references(record[name])]
        getattr(patient, _RECORDS[kind]).append((label, reference, record, scope))

    def _patient(self, key: str) -> _Patient:
        found = self.patients.get(key)
        if found is None:
            found = self.patients[key] = _Patient()
        return found

    def _unused_medications(self) -> None:
        for reference, label, scope in self.medications:
            if reference not in scope.used:
                self.warn(label, "Medication not referenced by any medication record; not used")

    # -- building histories ---------------------------------------------------------------

    def histories(self) -> list[ImportedHistory]:
        found = []
        for key in sorted(self.patients):
            patient = self.patients[key]
            records = (
                patient.statements,
                patient.requests,
                patient.dispenses,
                patient.observations,
                patient.conditions,
            )
            if not any(records):
                self.warn(
                    key,
                    "Patient without medication, observation or condition records; "
                    "no history written",
                )
                continue
            if patient.resource is None:
                self.warn(
                    key,
                    "referenced as subject but not in the input; the history is "
                    "named by this reference",
                )
            found.append(self._history(key, patient))
        self._unused_medications()
        if self.ignored:
            self.warn(self.source, _ignored_summary(self.ignored))
        return found

    def _history(self, key: str, patient: _Patient) -> ImportedHistory:
        sources: dict[str, tuple[str, ...]] = {}
        history: dict[str, Any] = {"schema": "treatment-history@1.0.0", "id": key}
        if patient.resource is not None:
            identifiers = []
            for index, identifier in enumerate(_list(patient.resource["identifier"])):
                system, value = _get(identifier, "system"), _get(identifier, "value")
                if system == HISTORY_ID_SYSTEM and isinstance(value, str):
                    history["id"] = value
                elif isinstance(system, str) and isinstance(value, str) and ":" in system:
                    identifiers.append({"system": system, "value": value})
                else:
                    self.warn(
                        f"{key} identifier[{index}]",
                        "identifier without a system URI and value; not used",
                    )
            if identifiers:
                history["identifiers"] = identifiers
        episode, episode_sources, notes = self._episode(patient)
        if episode_sources:
            sources["/episode"] = episode_sources
        history["episode"] = episode
        if notes:
            history["notes"] = notes
        trials: list[dict[str, Any]] = []
        by_statement: dict[str, int] = {}
        parts: list[tuple[str, str, dict[str, Any], _Scope, str]] = []
        for label, reference, resource, scope in patient.statements:
            part_of = (
                [r for r in _references(resource["partOf"]) if r] if "partOf" in resource else ()
            )
            if "basedOn" in resource:
                for based in _references(resource["basedOn"]):
                    patient.covered_requests.add(based)
            if part_of:
                parts.append((label, reference, resource, scope, part_of[0]))
                continue
            trial = self._trial(label, reference, resource, scope, statement=True)
            if trial is not None:
                by_statement[reference] = len(trials)
                sources[f"/trials/{len(trials)}"] = (reference,)
                trials.append(trial)
        for label, reference, resource, scope, parent in parts:
            if parent not in by_statement:
                self.warn(
                    f"{label} partOf",
                    f"{parent} is not a trial in the input; read as a trial of its own",
                )
                trial = self._trial(label, reference, resource, scope, statement=True)
                if trial is not None:
                    sources[f"/trials/{len(trials)}"] = (reference,)
                    trials.append(trial)
                continue
            agent = self._trial(label, reference, resource, scope, statement=True)
            if agent is None:
                continue
            index = by_statement[parent]
            augmentation = {
                k: v
                for k, v in agent.items()
                if k in {"drug", "daily_dose", "start_date", "end_date", "ongoing", "duration"}
            }
            trials[index].setdefault("augmentation", []).append(augmentation)
            number = len(trials[index]["augmentation"]) - 1
            sources[f"/trials/{index}/augmentation/{number}"] = (reference,)
        ordered: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
        for label, reference, resource, scope in patient.requests:
            if reference in patient.covered_requests:
                continue
            trial = self._trial(label, reference, resource, scope, statement=False)
            if trial is not None:
                ordered.append((trial, reference, resource))
        from_orders = []
        for trial, references in self._renewals_merged(ordered):
            sources[f"/trials/{len(trials)}"] = references
            from_orders.append(trial)
            trials.append(trial)
        self._ends_from_next_orders(from_orders, trials)
        if patient.dispenses:
            self._dispensed(key, patient, history, trials, sources)
        self._scores(patient, history, episode, trials, by_statement, sources)
        self._scores_near_trials(episode, trials, sources)
        if len(trials) > _MAX_TRIALS:
            trials, sources = self._latest_trials(key, trials, sources)
        history["trials"] = trials
        return ImportedHistory(history, key, sources)

    def _latest_trials(
        self, key: str, trials: list[dict[str, Any]], sources: dict[str, tuple[str, ...]]
    ) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ...]]]:
        """A history holds at most 200 trials (the schema's limit): keep the latest-starting
        200, renumbering their sources, and say how many earlier ones were left out, rather
        than lose the patient."""
        order = sorted(
            range(len(trials)),
            key=lambda index: (
                _known_day(trials[index].get("start_date")) or datetime.date.min,
                index,
            ),
        )
        kept = sorted(order[-_MAX_TRIALS:])
        renumbered: dict[str, tuple[str, ...]] = {
            path: found for path, found in sources.items() if not path.startswith("/trials/")
        }
        for new_index, old_index in enumerate(kept):
            prefix = f"/trials/{old_index}"
            for path, found in sources.items():
                if path == prefix or path.startswith(prefix + "/"):
                    renumbered[f"/trials/{new_index}{path[len(prefix) :]}"] = found
        self.warn(
            key,
            f"{len(trials)} trials after renewals were merged, more than the {_MAX_TRIALS} a "
            f"history holds: the {len(trials) - _MAX_TRIALS} that started earliest were left out",
        )
        return [trials[index] for index in kept], renumbered

    def _episode(self, patient: _Patient) -> tuple[dict[str, Any], tuple[str, ...], str | None]:
        chosen: list[tuple[str, str, str | None, dict[str, Any], list[dict[str, Any]]]] = []
        for label, reference, resource, _scope in patient.conditions:
            # The code first: a Condition that is not depression is not used whatever its
            # statuses, and the warning should say so rather than call it a past episode.
            codings = []
            others = []
            listed = self.reader.episode_diagnoses()
            for coding in _codings(resource.get("code")):
                system, code = coding.get("system"), coding.get("code")
                if _is_listed(listed, system, code):
                    codings.append(_clean_coding(coding))
                else:
                    others.append(f"{system}|{code}")
            if not codings:
                self.warn(
                    f"{label} code",
                    "not a major depression diagnosis (a SNOMED CT or ICD-10-CM code of the "
                    f"VSAC {listed.value_set.name} value set {listed.value_set.oid}, "
                    f"code list {listed.id}@{listed.version}); not used"
                    + (f" ({', '.join(others)})" if others else ""),
                )
                continue
            status = _code_of(resource.get("verificationStatus"))
            if status in {"refuted", "entered-in-error"}:
                self.warn(label, f"verificationStatus {status}; not used")
                continue
            clinical = _code_of(resource.get("clinicalStatus"))
            abated = next((name for name in _ABATEMENT if name in resource), None)
            if clinical in _PAST_CLINICAL_STATUSES or abated is not None:
                said = f"clinicalStatus {clinical}" if clinical in _PAST_CLINICAL_STATUSES else ""
                if abated is not None:
                    value = resource[abated]
                    when = f" on {value}" if isinstance(value, str) else ""
                    said = f"{said}{', ' if said else ''}abated{when} ({abated})"
                self.warn(label, f"a past episode ({said}); not read as the current episode")
                continue
            if others:
                self.warn(f"{label} code", f"codings not used: {', '.join(others)}")
            onset = resource.get("onsetDateTime")
            start: str | None
            if isinstance(onset, str):
                start = self.memo.date(onset)
                if start is None:
                    self.warn(f"{label} onsetDateTime", f"{onset!r} is not a date; not used")
            else:
                start = None
                if resource.get("onsetString") != "unknown" and "onsetDateTime" not in resource:
                    for element in ("onsetPeriod", "onsetAge", "onsetRange", "onsetString"):
                        if element in resource:
                            self.warn(f"{label} {element}", "only onsetDateTime is read; not used")
            chosen.append((label, reference, start, resource, codings))
        if not chosen:
            return {"start_date": "unknown"}, (), None
        # The current episode: the most recent onset (undated ones count as oldest).
        chosen.sort(key=lambda item: item[2] or "")
        label, reference, start, resource, codings = chosen[-1]
        episode: dict[str, Any] = {"start_date": start or "unknown"}
        diagnoses: list[dict[str, Any]] = []
        for item in chosen:
            for coding in item[4]:
                if coding not in diagnoses:
                    diagnoses.append(coding)
        episode["diagnoses"] = diagnoses
        severity = _trdcore_code(resource.get("severity"))
        if severity in _SEVERITIES:
            episode["severity"] = _SEVERITIES[severity]
        elif resource.get("severity") is not None:
            self.warn(f"{label} severity", "not a trdcore severity code; not used")
        return episode, tuple(item[1] for item in chosen), _notes(resource)

    def _trial(
        self,
        label: str,
        reference: str,
        resource: dict[str, Any],
        scope: _Scope,
        *,
        statement: bool,
    ) -> dict[str, Any] | None:
        status = resource.get("status")
        allowed = _STATEMENT_STATUSES if statement else _REQUEST_STATUSES
        if status not in allowed:
            self.warn(f"{label} status", f"status {status!r} is not a treatment taken; not used")
            return None
        if not statement:
            intent = resource.get("intent")
            if intent not in _REQUEST_INTENTS:
                self.warn(f"{label} intent", f"intent {intent!r} is not an order; not used")
                return None
        drug = self._drug(label, resource, scope)
        if drug is None or not self._may_be_a_trial(label, drug):
            return None
        trial: dict[str, Any] = {"id": _trial_id(resource, reference), "drug": drug}
        element = "dosage" if statement else "dosageInstruction"
        dose, duration = self._dose(label, element, _list(resource.get(element)), drug)
        if isinstance(dose, dict) and "derived" in dose:
            _add_note(trial, dose.pop("derived"))
        if dose is not None:
            trial["daily_dose"] = dose
        if statement:
            self._statement_timing(label, resource, trial)
        else:
            self._request_timing(label, resource, trial)
        if duration is not None:
            trial["duration"] = duration
        if status == "active" and "end_date" not in trial:
            trial["ongoing"] = True
        asserted_at = ""  # the latest US Core adherence assertion read so far
        for extension in _list(resource["extension"]) if "extension" in resource else ():
            url = _get(extension, "url")
            coding = _get(extension, "valueCoding")
            code = coding.get("code") if isinstance(coding, dict) else None
            if not isinstance(code, str) or coding.get("system") != TRDCORE_SYSTEM:
                code = None
            if url == OUTCOME_EXTENSION and code in _OUTCOMES:
                trial["outcome"] = _OUTCOMES[code]
            elif url == ADHERENCE_EXTENSION and code in _ADHERENCE:
                trial["adherence"] = _ADHERENCE[code]
            elif url == US_CORE_ADHERENCE:
                found = _us_core_adherence(extension)
                if found is None:
                    self.warn(
                        f"{label} extension",
                        "US Core medication adherence without a code trdcore reads "
                        f"(SNOMED CT {', '.join(US_CORE_ADHERENCE_CODES)}); not used",
                    )
                else:
                    asserted, level = found
                    if asserted >= asserted_at:
                        trial["adherence"], asserted_at = level, asserted
            else:
                self.warn(f"{label} extension", f"extension {url} not read; not used")
        reason = resource.get("statusReason")
        if reason is not None:
            code = _trdcore_code(_list(reason)[0] if isinstance(reason, list) else reason)
            if code in _REASONS:
                trial["reason_stopped"] = _REASONS[code]
            else:
                self.warn(f"{label} statusReason", "no trdcore stopped-* code; not used")
        notes = _notes(resource) if "note" in resource else None
        if notes:
            trial["notes"] = notes
        return trial

    def _drug(self, label: str, resource: dict[str, Any], scope: _Scope) -> dict[str, Any] | None:
        concept = resource.get("medicationCodeableConcept")
        element = "medicationCodeableConcept"
        if concept is None:
            target = _get(resource.get("medicationReference"), "reference")
            element = "medicationReference"
            if not isinstance(target, str):
                self.warn(label, "no medicationCodeableConcept or medicationReference; not used")
                return None
            found = _medication(target, scope)
            if found is None:
                self.warn(
                    f"{label} {element}", f"{target} cannot be resolved in the input; not used"
                )
                return None
            concept = found.get("code")
        drug, problems = _memoised(self.memo.drugs, _read_drug, concept)
        for problem in problems:
            self.warn(f"{label} {element}", problem)
        if drug is None:
            return None
        # A copy: the memo's value is shared, the history's own.
        copy = dict(drug)
        if "codings" in copy:
            copy["codings"] = [dict(coding) for coding in copy["codings"]]
        return copy

    def _renewals_merged(
        self, ordered: list[tuple[dict[str, Any], str, dict[str, Any]]]
    ) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
        """Prescriptions of one drug renewed within :attr:`FhirReader.renewal_gap_days` of
        each other, as one trial: the first order's start; the last order's end when it has
        one, ongoing while it is active, else the last order's date (a lower bound: the drug
        was still being prescribed then); the highest dose. EHRs and generators write an
        order per renewal, so each used to be a trial of its own, and a patient with many
        renewals broke the 200-trial limit. Orders without a start date are not merged."""
        gap = datetime.timedelta(days=self.reader.renewal_gap_days)
        runs: list[list[tuple[dict[str, Any], str, dict[str, Any]]]] = []
        last_of: dict[str, int] = {}
        dated = sorted(
            ((day, number, item) for number, item in enumerate(ordered)
             if (day := _known_day(item[0].get("start_date"))) is not None),
            key=lambda entry: (entry[0], entry[1]),
        )  # fmt: skip
        undated = [item for item in ordered if _known_day(item[0].get("start_date")) is None]
        for day, _number, item in dated:
            drug = self._drug_key(item[0]["drug"])
            at = last_of.get(drug)
            if at is not None:
                previous = _known_day(runs[at][-1][0]["start_date"])
                if previous is not None and day - previous <= gap:
                    runs[at].append(item)
                    continue
            last_of[drug] = len(runs)
            runs.append([item])
        merged = [self._one_trial(run) for run in runs]
        merged += [(item[0], (item[1],)) for item in undated]
        return merged

    def _ends_from_next_orders(
        self, from_orders: list[dict[str, Any]], trials: list[dict[str, Any]]
    ) -> None:
        """An order with no end (not active, no validity period) ends when the next other
        antidepressant starts, if one does: a switch (an augmentation agent is added, so it
        ends nothing). The trial's notes say so; without a later one the end stays unknown."""
        if not any(trial.get("end_date") == "unknown" for trial in from_orders):
            return
        catalog = self.reader.dispensing_catalog()
        starts = sorted(
            (day, key)
            for trial in trials
            if (day := _known_day(trial.get("start_date"))) is not None
            and (entry := catalog.latest("drug", key := self._drug_key(trial["drug"]))) is not None
            and "antidepressant" in entry.model.roles
        )
        for trial in from_orders:
            start = _known_day(trial.get("start_date"))
            if start is None or trial.get("end_date") != "unknown":
                continue
            drug = self._drug_key(trial["drug"])
            later = next(
                ((day, other) for day, other in starts if day > start and other != drug), None
            )
            if later is None:
                continue
            trial["end_date"] = later[0].isoformat()
            said = (
                f"End taken by trdcore-fhir as the start of the next other antidepressant "
                f"({later[1]}, {later[0].isoformat()}): the order has no end of its own."
            )
            _add_note(trial, said)

    def _one_trial(
        self, run: list[tuple[dict[str, Any], str, dict[str, Any]]]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        if len(run) == 1:
            return run[0][0], (run[0][1],)
        first, last = run[0][0], run[-1][0]
        trial = dict(first)
        trial.pop("end_date", None)
        trial.pop("ongoing", None)
        if last.get("ongoing"):
            trial["ongoing"] = True
            how = "ongoing: the last order is active"
        elif _known_day(last.get("end_date")) is not None:
            trial["end_date"] = last["end_date"]
            how = "ended when the last order's validity period ended"
        else:
            trial["end_date"] = last["start_date"]
            how = "end taken as the last order's date, a lower bound"
        doses = [t["daily_dose"] for t, _, _ in run if isinstance(t.get("daily_dose"), dict)]
        same = [d for d in doses if d["unit"] == (doses[0]["unit"] if doses else None)]
        if same:
            trial["daily_dose"] = dict(max(same, key=lambda dose: dose["value"]))
        elif any(t.get("daily_dose") == "unknown" for t, _, _ in run):
            trial["daily_dose"] = "unknown"
        said = (
            f"{len(run)} orders of this drug from {first['start_date']} to "
            f"{last['start_date']}, renewed within {self.reader.renewal_gap_days} days of each "
            f"other, read as one trial by trdcore-fhir ({how}; the highest dose)."
        )
        notes = [t["notes"] for t, _, _ in run if t.get("notes")]
        trial.pop("notes", None)
        _add_note(trial, " ".join([said, *dict.fromkeys(notes)]))
        return trial, tuple(reference for _, reference, _ in run)

    def _drug_key(self, drug: dict[str, Any]) -> str:
        """The catalog drug a trial's drug is (its id), else its first code or its name."""
        texts = _drug_texts(drug)
        known = self.memo.drug_keys.get(texts)
        if known is not None:
            return known
        catalog = self.reader.dispensing_catalog()
        found = next(
            (str(entry.id) for text in texts if (entry := catalog.find_drug(text)) is not None),
            texts[0] if texts else "",
        )
        if len(self.memo.drug_keys) >= _MEMO_SIZE:
            self.memo.drug_keys.clear()
        self.memo.drug_keys[texts] = found
        return found

    def _may_be_a_trial(self, label: str, drug: dict[str, Any]) -> bool:
        """Whether a medication record's drug may be an antidepressant or augmentation trial.

        A drug the catalog recognises (by name, ingredient code, clinical drug code or RxNorm
        normalized name) is a trial when it is an antidepressant or an augmentation agent,
        and is otherwise not used (ketamine given as an anaesthetic, for instance). A drug
        the catalog does not know is not used when it is identified all the same: by an
        RxNorm normalized name (a statin, an antibiotic), or by a name in which no catalog
        drug's name, synonym or brand appears, whole or nearly (a contraceptive pack's brand;
        every antidepressant and augmentation agent is in the catalog). Either way it is
        counted in the import's summary, not warned about one by one. A drug that cannot be
        identified (a code without a name; a name that holds a catalog drug's name, or one
        close to it, but cannot be read) may be an antidepressant: it stays a trial the
        definitions cannot judge ("cannot tell"), with a warning naming it.
        """
        verdict = self._relevance_of(drug)
        if verdict == "ignore":
            self._ignore(drug)
            return False
        if verdict == "unknown":
            self._warn_unidentified(label, drug)
        return True

    def _relevance_of(self, drug: dict[str, Any]) -> str:
        """ "trial", "ignore" or "unknown" for a drug (see :meth:`_may_be_a_trial`), without
        warning: a dispense is checked for a date and a supply before it is said to be kept."""
        named = _drug_texts(drug)
        verdict = self.memo.relevance.get(named)
        if verdict is None:
            verdict = _relevance(self.reader.dispensing_catalog(), named)
            if len(self.memo.relevance) >= _MEMO_SIZE:
                self.memo.relevance.clear()
            self.memo.relevance[named] = verdict
        return verdict

    def _warn_unidentified(self, label: str, drug: dict[str, Any]) -> None:
        shown = ", ".join(
            f"{c.get('system')}|{c.get('code')}" + (f" ({c['display']})" if "display" in c else "")
            for c in drug.get("codings", ())
        )
        name = drug.get("name")
        called = f"drug {name!r} " if name else "drug "
        coded = f"coded {shown} " if shown else ""
        self.warn(
            label,
            f"{called}{coded}is not one trdcore can identify; kept as a trial the definitions "
            "cannot judge (it may be an antidepressant)",
        )

    def _ignore(self, drug: dict[str, Any]) -> None:
        codings = drug.get("codings", ())
        shown = drug.get("name") or next(
            (c.get("display") or c.get("code") for c in codings), "unnamed drug"
        )
        self.ignored[shown] = self.ignored.get(shown, 0) + 1

    def _dose(
        self, label: str, element: str, dosages: list[Any], drug: dict[str, Any]
    ) -> tuple[dict[str, Any] | str | None, dict[str, Any] | None]:
        """The highest daily dose over the dosage lines, and a bounds duration if given.

        ``element`` is where the lines are, for warnings: MedicationStatement.dosage,
        MedicationRequest.dosageInstruction. A dose in tablets, capsules or mL (or in no
        unit, for a tablet or capsule) is turned into mg with the strength of the drug's
        product (:meth:`_product`); the dose then carries ``derived``, the sentence saying
        how, which becomes the trial's note. A line with only text ("Take 1 tablet daily")
        is warned about and not read: free text is not parsed into a dose.
        """
        best: dict[str, Any] | None = None
        unknown = False
        duration = None
        for index, dosage in enumerate(dosages):
            if not isinstance(dosage, dict):
                continue
            bounds, bad_bounds, absent, dose, problem = _memoised(
                self.memo.dosages, _read_dosage, dosage
            )
            where = f"{label} {element}[{index}]"
            if bad_bounds:
                self.warn(f"{where}.timing.repeat.boundsDuration", "not in d, wk or mo; not used")
            elif bounds is not None:
                duration = dict(bounds)
            if absent:
                unknown = True
                continue
            if problem is not None:
                self.warn(where, f"{problem}; daily dose unknown")
                unknown = True
                continue
            if dose is None:
                text = dosage.get("text")
                if not _list(dosage.get("doseAndRate")) and isinstance(text, str) and text.strip():
                    self.warn(
                        where,
                        f"the dose is given only as text ({text.strip()[:200]!r}), which "
                        "trdcore-fhir does not read; no daily dose from this line",
                    )
                continue
            if dose["unit"] not in _HISTORY_UNITS:
                converted, problem = self._converted(dose, drug)
                if converted is None:
                    self.warn(where, f"{problem}; daily dose unknown")
                    unknown = True
                    continue
                dose = converted
            if best is None or (dose["unit"] == best["unit"] and dose["value"] > best["value"]):
                best = dict(dose)
        if best is not None:
            return best, duration
        return ("unknown" if unknown else None), duration

    def _converted(
        self, dose: dict[str, Any], drug: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str]:
        """A daily dose in units of a dose form, in mg; or None and why it cannot be."""
        counted = dose["unit"]
        product = self._product(drug)
        given = "dose without a unit" if counted == _NO_UNIT else f"dose in {counted}s"
        if product is None:
            return None, (
                f"{given}, and the drug has no one strength per unit here (a combination, or "
                "no product that trdcore's clinical drug lists or an RxNorm normalized name give)"
            )
        display, strength, unit, form, how = product
        if not _counts_in(counted, unit, form):
            return None, (
                f"{given} does not fit the product {display!r} ({strength:g} {unit}, {form})"
            )
        value = round(dose["value"] * strength, 3)
        amount = int(value) if float(value).is_integer() else value
        each = "unit" if counted == _NO_UNIT else counted
        assumed = (
            f" (the dose has no unit: read as {form.casefold()}s)" if counted == _NO_UNIT else ""
        )
        derived = (
            f"Daily dose {amount:g} mg derived by trdcore-fhir: {dose['value']:g} {each}(s) a "
            f"day{assumed} x {strength:g} {unit} ({display}, recognised by {how})."
        )
        for coding in drug.get("codings", ()):
            said = parse_clinical_drug_name(coding.get("display") or "")
            if said and len(said.components) == 1 and said.components[0].strength.value != strength:
                derived += (
                    f" The coding's display says {said.components[0].strength.value:g} "
                    f"{said.components[0].strength.unit}; the code's strength is used."
                )
                break
        return {"value": amount, "unit": "mg", "derived": derived}, ""

    def _product(self, drug: dict[str, Any]) -> tuple[str, float, str, str, str] | None:
        """The product a drug coding or name names: (display, strength, unit, dose form, how).

        Only a product with one ingredient has one strength; a combination (olanzapine /
        fluoxetine) has none here.
        """
        catalog = self.reader.dispensing_catalog()
        for text in _drug_texts(drug):
            recognised = catalog.recognise_drug(text)
            if recognised is None:
                continue
            if recognised.clinical is not None:
                listed = recognised.clinical.clinical
                if len(listed.components) == 1 and not listed.pack:
                    component = listed.components[0]
                    how = f"RxNorm code {listed.code}"
                    return listed.display, component.strength, component.unit, listed.dose_form, how
            elif recognised.parsed is not None:
                parsed = recognised.parsed
                if len(parsed.components) == 1 and not parsed.pack and parsed.dose_form:
                    strength = parsed.components[0].strength
                    return text, strength.value, strength.unit, parsed.dose_form, "its name"
        return None

    def _statement_timing(
        self, label: str, resource: dict[str, Any], trial: dict[str, Any]
    ) -> None:
        period = resource.get("effectivePeriod")
        if isinstance(period, dict):
            for element, field in (("start", "start_date"), ("end", "end_date")):
                value = self._date_element(label, period, element)
                if value is not None:
                    trial[field] = value
        elif isinstance(resource.get("effectiveDateTime"), str):
            value = self.memo.date(resource["effectiveDateTime"])
            if value is None:
                self.warn(f"{label} effectiveDateTime", "not a date; not used")
            else:
                trial["start_date"] = value

    def _request_timing(self, label: str, resource: dict[str, Any], trial: dict[str, Any]) -> None:
        validity = _get(resource.get("dispenseRequest"), "validityPeriod") or {}
        authored = resource.get("authoredOn")
        date = self.memo.date
        start = date(authored) if isinstance(authored, str) else None
        if start is None and isinstance(validity.get("start"), str):
            start = date(validity["start"])
        trial["start_date"] = start or "unknown"
        if resource.get("status") != "active":
            end = date(validity["end"]) if isinstance(validity.get("end"), str) else None
            trial["end_date"] = end or "unknown"

    def _date_element(self, label: str, period: dict[str, Any], element: str) -> str | None:
        """``effectivePeriod.<element>`` as a date, "unknown" (data absent) or None."""
        value = period.get(element)
        if value is None:
            return "unknown" if _absent(period.get(f"_{element}")) else None
        result = self.memo.date(value) if isinstance(value, str) else None
        if result is None:
            self.warn(f"{label} effectivePeriod.{element}", f"{value!r} is not a date; not used")
        return result

    def _dispensed(
        self,
        key: str,
        patient: _Patient,
        history: dict[str, Any],
        trials: list[dict[str, Any]],
        sources: dict[str, tuple[str, ...]],
    ) -> None:
        from trdcore.rules.events import trials_from_events

        events = []
        for label, reference, resource, scope in patient.dispenses:
            event = self._fill(label, reference, resource, scope)
            if event is not None:
                events.append(event)
        if not events:
            return
        document: dict[str, Any] = {"schema": "dispensing-events@1.1.0", "events": events}
        if history["episode"].get("start_date") not in (None, "unknown"):
            document["episode"] = {"start_date": history["episode"]["start_date"]}
        reader = self.reader
        built = trials_from_events(
            document, catalog=reader.dispensing_catalog(), as_of=reader.as_of
        )
        for warning in built.warnings:
            self.warn(key, f"dispensing: {warning}")
        for trial, era in zip(built.history["trials"], built.eras, strict=True):
            sources[f"/trials/{len(trials)}"] = tuple(
                str(fill.event.id) for fill in era.fills if fill.event.id is not None
            )
            trials.append(trial)

    def _fill(
        self, label: str, reference: str, resource: dict[str, Any], scope: _Scope
    ) -> dict[str, Any] | None:
        """The dispensing event a dispense is, or None (with a warning, or counted in the
        summary when its drug is identified as no antidepressant). A drug that cannot be
        identified is said to be kept as a trial only once the fill is usable: a dispense
        then dropped for want of a date or a supply gets that one warning, not both."""
        if resource.get("status") != "completed":
            self.warn(
                f"{label} status",
                f"status {resource.get('status')!r} is not a completed dispense; not used",
            )
            return None
        drug = self._drug(label, resource, scope)
        if drug is None:
            return None
        verdict = self._relevance_of(drug)
        if verdict == "ignore":
            self._ignore(drug)
            return None
        event = self._event(label, reference, resource, scope, drug)
        if event is not None and verdict == "unknown":
            self._warn_unidentified(label, drug)
        return event

    def _event(
        self,
        label: str,
        reference: str,
        resource: dict[str, Any],
        scope: _Scope,
        drug: dict[str, Any],
    ) -> dict[str, Any] | None:
        """A completed dispense of ``drug`` as a dispensing event, or None with a warning."""
        when = resource.get("whenHandedOver") or resource.get("whenPrepared")
        day = self.memo.date(when) if isinstance(when, str) else None
        if day is None:
            self.warn(f"{label} whenHandedOver", "no dispense date; not used")
            return None
        days = _get(resource.get("daysSupply"), "value")
        quantity = _get(resource.get("quantity"), "value")
        if not isinstance(days, int | float) or days <= 0 or int(days) != days:
            self.warn(f"{label} daysSupply", "no whole number of days' supply; not used")
            return None
        strength = None
        target = _get(resource.get("medicationReference"), "reference")
        medication = _medication(target, scope) if isinstance(target, str) else None
        if medication is not None:
            strength = _strength(medication)
        if strength is None:
            strength = self._fill_strength(resource, drug)
        if strength is not None and isinstance(quantity, int | float) and quantity > 0:
            return {
                "id": reference,
                "date": day,
                "drug": drug,
                "strength": strength,
                "quantity": quantity,
                "days_supply": int(days),
            }
        # Without a product strength, the dosage instruction's daily dose over the supply.
        dose = None
        for index, dosage in enumerate(_list(resource.get("dosageInstruction"))):
            try:
                dose = _daily_dose(dosage) if isinstance(dosage, dict) else None
                if dose is not None and dose["unit"] not in _HISTORY_UNITS:
                    converted, why = self._converted(dose, drug)
                    if converted is None:
                        raise _Unusable(why)
                    converted.pop("derived")
                    dose = converted
            except _Unusable as problem:
                self.warn(f"{label} dosageInstruction[{index}]", f"{problem}; not used")
                return None
            if dose:
                break
        if dose is None:
            self.warn(
                label,
                "neither a Medication with ingredient strength and a quantity nor "
                "a dosage instruction with a dose; the daily dose cannot be derived; "
                "not used",
            )
            return None
        return {
            "id": reference,
            "date": day,
            "drug": drug,
            "strength": {"value": dose["value"], "unit": dose["unit"]},
            "quantity": int(days),
            "days_supply": int(days),
        }

    def _fill_strength(
        self, resource: dict[str, Any], drug: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The strength per unit of a fill counted in tablets or capsules (or in no unit), from
        the product its coding or name gives; None when the quantity is in another unit."""
        quantity = resource.get("quantity")
        counted = _count_unit(quantity) if isinstance(quantity, dict) else None
        if counted is None or counted == "mL":
            return None
        product = self._product(drug)
        if product is None:
            return None
        _display, strength, unit, form, _how = product
        if not _counts_in(counted, unit, form):
            return None
        return {"value": strength, "unit": "mg"}

    def _scores(
        self,
        patient: _Patient,
        history: dict[str, Any],
        episode: dict[str, Any],
        trials: list[dict[str, Any]],
        by_statement: dict[str, int],
        sources: dict[str, tuple[str, ...]],
    ) -> None:
        for label, reference, resource, _scope in patient.observations:
            scale, shown = _memoised(self.memo.scales, _read_scale, resource.get("code"))
            if scale is None:
                self.warn(
                    f"{label} code",
                    f"not a depression scale total trdcore reads "
                    f"(PHQ-9 total is LOINC 44261-6): {shown or 'no coding'}; not used",
                )
                continue
            status = resource.get("status")
            if status not in _OBSERVATION_STATUSES:
                self.warn(f"{label} status", f"status {status!r} is not a final result; not used")
                continue
            value = resource.get("valueInteger")
            if value is None:
                value = _get(resource.get("valueQuantity"), "value")
            if value is None and isinstance(resource.get("valueString"), str):
                # US Core's own PHQ-9 example writes the total as text.
                value = _number(resource["valueString"])
                if value is None:
                    self.warn(
                        f"{label} valueString",
                        f"{resource['valueString']!r} is not a number; not used",
                    )
                    continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                self.warn(
                    f"{label} value[x]", "no valueInteger, valueQuantity or valueString; not used"
                )
                continue
            if scale == "PHQ-9" and not float(value).is_integer():
                self.warn(
                    f"{label} value[x]",
                    f"{value} is not a whole number, and a PHQ-9 total is a sum of nine item "
                    "scores of 0-3; not used",
                )
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not 0 <= value <= _SCALE_MAX[scale]:
                self.warn(
                    f"{label} value[x]",
                    f"{value} is outside the {scale} range 0-{_SCALE_MAX[scale]}; not used",
                )
                continue
            score: dict[str, Any] = {"scale": scale, "value": value}
            when = resource.get("effectiveDateTime")
            if isinstance(when, str):
                day = self.memo.date(when)
                if day is None:
                    self.warn(f"{label} effectiveDateTime", "not a date; the score is undated")
                else:
                    score["date"] = day
            role = None
            if "category" in resource:
                for category in _list(resource["category"]):
                    code = _trdcore_code(category)
                    if code in {"trial-baseline-score", "trial-end-score"}:
                        role = code
            parent = next(iter(_references(resource.get("partOf"))), None) if role else None
            if role and parent in by_statement:
                index = by_statement[parent]
                field = "baseline_score" if role == "trial-baseline-score" else "end_score"
                trials[index][field] = score
                sources[f"/trials/{index}/{field}"] = (reference,)
                continue
            if role:
                self.warn(
                    f"{label} partOf",
                    "a trial score whose trial is not in the input; read as an episode score",
                )
            scores = episode.setdefault("scores", [])
            sources[f"/episode/scores/{len(scores)}"] = (reference,)
            scores.append(score)

    def _scores_near_trials(
        self,
        episode: dict[str, Any],
        trials: list[dict[str, Any]],
        sources: dict[str, tuple[str, ...]],
    ) -> None:
        """Give trials without linked scores the dated episode totals nearest their start and
        end (:class:`ScoreWindows`); the trial's notes say which totals were taken."""
        windows = self.reader.score_windows
        dated = [
            (datetime.date.fromisoformat(score["date"]), number, score)
            for number, score in enumerate(episode.get("scores", ()))
            if isinstance(score.get("date"), str)
        ]
        if not dated:
            return
        dated.sort(key=lambda item: (item[0], item[1]))
        days = [item[0] for item in dated]
        before_start = datetime.timedelta(days=windows.before_start)
        after_start = datetime.timedelta(days=windows.after_start)
        around_end = datetime.timedelta(days=windows.around_end)
        for index, trial in enumerate(trials):
            start = _known_day(trial.get("start_date"))
            if start is None:
                continue
            taken = []
            baseline = trial.get("baseline_score")
            if baseline is None:
                # The last total on or before the start, within the window; else the first
                # after it, within its window.
                last = bisect.bisect_right(days, start) - 1
                chosen = None
                if last >= 0 and days[last] >= start - before_start:
                    chosen = dated[last]
                elif last + 1 < len(days) and days[last + 1] <= start + after_start:
                    chosen = dated[last + 1]
                if chosen is not None:
                    baseline = trial["baseline_score"] = dict(chosen[2])
                    source = sources.get(f"/episode/scores/{chosen[1]}")
                    if source:
                        sources[f"/trials/{index}/baseline_score"] = source
                    taken.append(f"baseline {chosen[2]['scale']} of {chosen[0].isoformat()}")
            end = _known_day(trial.get("end_date"))
            if end is not None and trial.get("end_score") is None:
                floor = _known_day(baseline.get("date")) if baseline else None
                last = bisect.bisect_right(days, end + around_end) - 1
                if (
                    last >= 0
                    and days[last] >= end - around_end
                    and (floor is None or days[last] > floor)
                ):
                    chosen = dated[last]
                    trial["end_score"] = dict(chosen[2])
                    source = sources.get(f"/episode/scores/{chosen[1]}")
                    if source:
                        sources[f"/trials/{index}/end_score"] = source
                    taken.append(f"end {chosen[2]['scale']} of {chosen[0].isoformat()}")
            if taken:
                said = (
                    f"Scores read by date by trdcore-fhir ({', '.join(taken)}; windows "
                    f"{windows.before_start} days before to {windows.after_start} after the "
                    f"start, {windows.around_end} around the end)."
                )
                _add_note(trial, said)


# -- pure readings of common elements, remembered by the reader --------------------------------
#
# Many records share a drug coding or a dosage (a few drugs, a few dose schedules), so what
# such an element reads as is worked out once and looked up by the element's JSON text. The
# values are shared: callers copy what they put into a history. Problems come back as
# messages for the caller to prefix with where the element was.

#: Distinct elements a table keeps before starting afresh (memory stays flat).
_MEMO_SIZE = 4096
_T = typing.TypeVar("_T")
_Dosage = tuple[dict[str, Any] | None, bool, bool, dict[str, Any] | None, str | None]


@attrs.define(eq=False)
class _Memo:
    """What the elements a :class:`FhirReader` met read as, by their JSON text."""

    scales: dict[bytes, tuple[str | None, str]] = attrs.field(factory=dict)
    drugs: dict[bytes, tuple[dict[str, Any] | None, tuple[str, ...]]] = attrs.field(factory=dict)
    dosages: dict[bytes, _Dosage] = attrs.field(factory=dict)
    #: A drug's names and codes -> "trial", "ignore" or "unknown" (see _may_be_a_trial).
    relevance: dict[tuple[Any, ...], str] = attrs.field(factory=dict)
    #: A drug's codes and names -> the key trials of one drug share (see _drug_key).
    drug_keys: dict[tuple[Any, ...], str] = attrs.field(factory=dict)
    #: The first ten characters of a date or dateTime -> the date, or "" if not one.
    days: dict[str, str] = attrs.field(factory=dict)

    def date(self, text: str) -> str | None:
        """The calendar date a FHIR date or dateTime starts with (YYYY-MM-DD), or None."""
        if len(text) < 10:
            return None
        head = text[:10]
        days = self.days
        day = days.get(head)
        if day is None:
            # A few thousand distinct days recur.
            if len(days) >= 2 * _MEMO_SIZE:
                days.clear()
            day = days[head] = _day(head) or ""
        return day or None


def _memoised(memo: dict[bytes, _T], read: typing.Callable[[Any], _T], element: Any) -> _T:
    """``read(element)``, from ``memo`` when the same JSON was read before."""
    try:
        key = orjson.dumps(element)
    except orjson.JSONEncodeError:
        return read(element)
    found = memo.get(key)
    if found is None:
        found = read(element)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = found
    return found


def _read_scale(concept: Any) -> tuple[str | None, str]:
    """The scale whose total an Observation.code names (or None), and its codings shown."""
    codings = _codings(concept)
    for coding in codings:
        scale = SCALE_BY_CODE.get((str(coding.get("system")), str(coding.get("code"))))
        if scale:
            return scale, ""
    return None, ", ".join(f"{c.get('system')}|{c.get('code')}" for c in codings)


def _read_drug(concept: Any) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The drug a CodeableConcept names (None if it names none) and the problems found."""
    codings = []
    unknown = []
    problems = []
    name = _get(concept, "text")
    for coding in _codings(concept):
        system = coding.get("system")
        code = coding.get("code")
        if system in _DRUG_SYSTEMS and isinstance(code, str) and code.strip():
            codings.append(_clean_coding(coding))
            if name is None and system == RXNORM and isinstance(coding.get("display"), str):
                name = coding["display"]
        else:
            unknown.append(f"{system}|{code}")
    if unknown:
        problems.append(
            "codings in systems trdcore does not read (it reads RxNorm "
            f"{RXNORM} and ATC {ATC}): {', '.join(unknown)}; not used"
        )
    if not codings and not (isinstance(name, str) and name.strip()):
        problems.append("no RxNorm or ATC code and no text naming the drug; not used")
        return None, tuple(problems)
    drug: dict[str, Any] = {}
    if isinstance(name, str) and name.strip():
        drug["name"] = name.strip()[:200]
    if codings:
        drug["codings"] = codings
    return drug, tuple(problems)


def _read_dosage(dosage: dict[str, Any]) -> _Dosage:
    """One Dosage: its bounds duration, whether a bounds duration is there but unusable,
    whether its dose is data-absent, its daily dose, and why the daily dose cannot be read
    (or None)."""
    repeat = _get(_get(dosage, "timing"), "repeat") or {}
    bounds = repeat.get("boundsDuration")
    duration = None
    unusable = False
    if isinstance(bounds, dict):
        unit = _DURATION.get(str(bounds.get("code") or bounds.get("unit")))
        value = bounds.get("value")
        if unit and isinstance(value, int | float) and value > 0:
            duration = {"value": value, "unit": unit}
        else:
            unusable = True
    if "extension" in dosage and _absent(dosage):
        return duration, unusable, True, None, None
    try:
        return duration, unusable, False, _daily_dose(dosage), None
    except _Unusable as problem:
        return duration, unusable, False, None, str(problem)


# -- small helpers over raw FHIR JSON ---------------------------------------------------------


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _codings(concept: Any) -> list[dict[str, Any]]:
    return [c for c in _list(_get(concept, "coding")) if isinstance(c, dict)]


def _notes(resource: dict[str, Any]) -> str | None:
    """Annotation texts joined by blank lines, or None."""
    texts = [n["text"] for n in _list(resource.get("note")) if isinstance(_get(n, "text"), str)]
    joined = "\n\n".join(text for text in texts if text)
    return joined[:10000] or None


def _clean_coding(coding: dict[str, Any]) -> dict[str, Any]:
    found = {"system": coding["system"], "code": str(coding["code"]).strip()}
    for key in ("display", "version"):
        if isinstance(coding.get(key), str) and coding[key].strip():
            found[key] = coding[key].strip()[: 500 if key == "display" else 100]
    return found


def _code_of(concept: Any) -> str | None:
    for coding in _codings(concept):
        if isinstance(coding.get("code"), str):
            return str(coding["code"])
    return None


def _trdcore_code(concept: Any) -> str | None:
    for coding in _codings(concept):
        if coding.get("system") == TRDCORE_SYSTEM and isinstance(coding.get("code"), str):
            return str(coding["code"])
    return None


def _references(value: Any) -> list[str]:
    return [r["reference"] for r in _list(value) if isinstance(_get(r, "reference"), str)]


def _trial_id(resource: dict[str, Any], reference: str) -> str:
    for identifier in _list(resource.get("identifier")):
        if _get(identifier, "system") == TRIAL_ID_SYSTEM and isinstance(
            _get(identifier, "value"), str
        ):
            return str(identifier["value"])
    return reference[:100]


def _medication(reference: str, scope: _Scope) -> dict[str, Any] | None:
    """The Medication a medicationReference names in its scope (marked used), or None."""
    key = scope.key(reference)
    medication = scope.medications.get(key)
    if medication is not None:
        scope.used.add(key)
    return medication


def _day(head: str) -> str | None:
    """The first ten characters of a FHIR date or dateTime as a date (YYYY-MM-DD), or None."""
    if not _DATE.match(head):
        return None
    try:
        day = datetime.date.fromisoformat(head)
    except ValueError:
        return None
    return head if 1800 <= day.year <= 2999 else None


def _absent(value: Any) -> bool:
    """Whether an element is only a data-absent-reason extension (asked, not known)."""
    return isinstance(value, dict) and any(
        _get(extension, "url") == DATA_ABSENT_REASON for extension in _list(value.get("extension"))
    )


def _is_listed(codes: CodeList, system: Any, code: Any) -> bool:
    """Whether a coding's system and code are in the list (codes that are not text are not)."""
    return isinstance(system, str) and isinstance(code, str) and codes.contains(system, code)


#: A dose given with no unit at all: a number of units of the product's dose form (as
#: Synthea writes "1" for one tablet), read so only when the product is a tablet or capsule.
_NO_UNIT = "unit of the dose form"


def _count_unit(quantity: dict[str, Any]) -> str | None:
    """The dose form a count unit names (tablet, capsule, mL), _NO_UNIT with no unit, or None."""
    given = [quantity.get(key) for key in ("code", "unit")]
    for unit in given:
        if isinstance(unit, str) and unit.strip().lower() in COUNT_UNITS:
            return COUNT_UNITS[unit.strip().lower()]
    if all(unit is None or (isinstance(unit, str) and not unit.strip()) for unit in given):
        return _NO_UNIT
    return None


def _quantity_unit(quantity: dict[str, Any]) -> str | None:
    for key in ("code", "unit"):
        unit = quantity.get(key)
        if isinstance(unit, str) and unit.strip().lower() in DOSE_UNITS:
            return DOSE_UNITS[unit.strip().lower()]
    return None


def _daily_dose(dosage: dict[str, Any]) -> dict[str, Any] | None:
    """The daily dose one Dosage gives, None when it has no dose, _Unusable when unreadable."""
    rates = _list(dosage.get("doseAndRate"))
    if not rates:
        return None
    if dosage.get("asNeededBoolean") is True or "asNeededCodeableConcept" in dosage:
        raise _Unusable("taken as needed (asNeeded), so there is no scheduled daily dose")
    first = rates[0] if isinstance(rates[0], dict) else {}
    rate = first.get("rateQuantity")
    if isinstance(rate, dict):
        unit = _quantity_unit(rate)
        value = rate.get("value")
        if unit != "mg/24h" or not isinstance(value, int | float) or value <= 0:
            raise _Unusable("doseAndRate.rateQuantity is not in mg/(24.h)")
        return {"value": value, "unit": "mg/24h"}
    quantity = first.get("doseQuantity")
    if not isinstance(quantity, dict):
        raise _Unusable("doseAndRate has no doseQuantity (ranges are not read)")
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise _Unusable("doseQuantity has no positive value")
    unit = _quantity_unit(quantity) or _count_unit(quantity)
    if unit is None:
        shown = quantity.get("code") or quantity.get("unit")
        raise _Unusable(f"dose unit {shown!r} is not mg, g, mcg, tablets, capsules or mL")
    timing = _get(dosage, "timing") or {}
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    code = _code_of(timing.get("code")) if isinstance(timing, dict) else None
    if isinstance(repeat, dict) and (
        "frequency" in repeat or "period" in repeat or "periodUnit" in repeat
    ):
        frequency = repeat.get("frequency", 1)
        period = repeat.get("period", 1)
        per_day = PER_DAY.get(repeat.get("periodUnit", ""))
        if not isinstance(frequency, int) or not isinstance(period, int | float) or period <= 0:
            raise _Unusable("timing.repeat frequency/period unreadable")
        if per_day is None:
            raise _Unusable(f"timing.repeat.periodUnit {repeat.get('periodUnit')!r} not h, d or wk")
        times = frequency * per_day / period
    elif code is not None and code in TIMING_CODES:
        times = TIMING_CODES[code]
    else:
        raise _Unusable("no timing (frequency and period), so the daily dose is not known")
    daily = round(value * times, 3)
    if unit == "mg/24h":
        raise _Unusable("a patch rate must be given as doseAndRate.rateQuantity")
    return {"value": int(daily) if float(daily).is_integer() else daily, "unit": unit}


def _strength(medication: dict[str, Any]) -> dict[str, Any] | None:
    ingredients = _list(medication.get("ingredient"))
    if len(ingredients) != 1:
        return None
    ratio = _get(ingredients[0], "strength")
    numerator, denominator = _get(ratio, "numerator"), _get(ratio, "denominator")
    if not isinstance(numerator, dict):
        return None
    unit = _quantity_unit(numerator)
    value = numerator.get("value")
    per = _get(denominator, "value") if denominator is not None else 1
    if unit is None or not isinstance(value, int | float) or per != 1 or value <= 0:
        return None
    return {"value": value, "unit": unit}


def _drug_texts(drug: dict[str, Any]) -> tuple[str, ...]:
    """What a history drug can be recognised by, in the order tried: its codes (a clinical
    drug code carries the product's strength), its name, its codings' displays."""
    codings = drug.get("codings", ())
    texts = (*(c.get("code") for c in codings), drug.get("name"))
    texts += tuple(c.get("display") for c in codings)
    return tuple(text for text in texts if isinstance(text, str) and text.strip())


def _counts_in(counted: str, unit: str, form: str) -> bool:
    """Whether a dose counted in ``counted`` units (tablet, capsule, mL, or no unit) can be
    multiplied by a product strength in ``unit`` of dose form ``form``."""
    lowered = form.casefold()
    if counted == "mL":
        return unit == "MG/ML"
    if unit != "MG":
        return False
    if counted == _NO_UNIT:
        return "tablet" in lowered or "capsule" in lowered
    return counted in lowered


def _add_note(trial: dict[str, Any], said: str) -> None:
    """Add a sentence to a trial's notes, within the history schema's 10,000 characters."""
    notes = f"{trial['notes']} {said}" if trial.get("notes") else said
    trial["notes"] = notes[:_NOTES_MAX]


def _us_core_adherence(extension: Any) -> tuple[str, str] | None:
    """(dateAsserted, adherence) of a US Core medication adherence extension, or None.

    The latest assertion wins when a record carries several (the extension repeats).
    """
    code = None
    asserted = ""
    for part in _list(_get(extension, "extension")):
        url = _get(part, "url")
        if url == "medicationAdherence":
            for coding in _codings(_get(part, "valueCodeableConcept")):
                if coding.get("system") == SNOMED and coding.get("code") in US_CORE_ADHERENCE_CODES:
                    code = coding["code"]
        elif url == "dateAsserted" and isinstance(_get(part, "valueDateTime"), str):
            asserted = _get(part, "valueDateTime")
    return None if code is None else (asserted, US_CORE_ADHERENCE_CODES[code])


_URN_UUID = re.compile(
    r"urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)


def _urn_uuid_id(full_url: str) -> str | None:
    """The UUID of a ``urn:uuid:`` fullUrl, lower case (a valid FHIR id), or None."""
    found = _URN_UUID.fullmatch(full_url)
    return found.group(1).lower() if found else None


def _relevance(catalog: Any, named: tuple[str, ...]) -> str:
    """Whether a drug named so is a "trial", to "ignore", or "unknown" (see _may_be_a_trial)."""
    for text in named:
        recognised = catalog.recognise_drug(text)
        if recognised is not None:
            roles = set(recognised.drug.model.roles)
            return "trial" if {"antidepressant", "augmentation"} & roles else "ignore"
    if any(parse_clinical_drug_name(text) for text in named):
        return "ignore"
    words = [word for text in named for word in _WORDS.findall(text.casefold())]
    if not words:
        return "unknown"  # codes only: nothing says what the drug is
    names = catalog.drug_names
    for text in named:
        lowered = f" {' '.join(_WORDS.findall(text.casefold()))} "
        if any(f" {name} " in lowered for name in names if not name.isdigit()):
            return "unknown"  # it names a catalog drug, in a way trdcore cannot read
    if any(catalog.similar_drug_names(word) for word in words if len(word) >= 4):
        return "unknown"  # perhaps a catalog drug, misspelt
    return "ignore"  # named, and the name is no catalog drug's: not an antidepressant


def _known_day(value: Any) -> datetime.date | None:
    """A history date field as a date, or None when it is absent or "unknown"."""
    if not isinstance(value, str) or value == "unknown":
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _number(text: str) -> int | float | None:
    """A number written as text ("14", " 14 ", "14.0"), or None."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


#: The words of a drug's name, for telling whether it names a catalog drug.
_WORDS = re.compile(r"[a-z][a-z0-9-]*")
#: The longest notes a treatment-history trial holds (its schema's maxLength).
_NOTES_MAX = 10_000
#: The most trials a treatment-history document holds (its schema's maxItems).
_MAX_TRIALS = 200
#: Dose units a treatment history holds; any other is a count of a dose form, converted.
_HISTORY_UNITS = frozenset({"mg", "g", "mcg", "mg/24h"})
#: How many drugs an import summary names before it says "and N more".
_SUMMARY_NAMES = 10


def _ignored_summary(ignored: Mapping[str, int]) -> str:
    """One line for the medication records not used as trials, most frequent drugs first."""
    records = sum(ignored.values())
    ranked = sorted(ignored.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{drug} ({count})" for drug, count in ranked[:_SUMMARY_NAMES])
    more = len(ranked) - _SUMMARY_NAMES
    return (
        f"{records} medication record{'s' if records != 1 else ''} of {len(ranked)} "
        f"drug{'s' if len(ranked) != 1 else ''} that are not antidepressants or augmentation "
        f"agents were not used as trials: {named}" + (f", and {more} more" if more > 0 else "")
    )


def _r5_shape(resource: dict[str, Any]) -> str | None:
    """Why a resource looks like R5 rather than R4, or None."""
    kind = resource["resourceType"]
    if kind in {"MedicationStatement", "MedicationRequest", "MedicationDispense"} and (
        "medication" in resource
    ):
        return (
            f"{kind}.medication is R5's CodeableReference; R4 has medicationCodeableConcept "
            "or medicationReference"
        )
    if kind == "MedicationStatement" and resource.get("status") in {"recorded", "draft"}:
        return f"MedicationStatement.status {resource['status']!r} is an R5 code"
    if kind == "MedicationStatement" and "adherence" in resource:
        return "MedicationStatement.adherence is R5"
    return None


def _as_of_date(as_of: str | datetime.date | None, source: str) -> datetime.date | None:
    if not isinstance(as_of, str):
        return as_of
    try:
        return datetime.date.fromisoformat(as_of)
    except ValueError:
        raise DocumentError(
            f"option as-of={as_of!r} is not a date (YYYY-MM-DD)", source=source
        ) from None


@attrs.frozen
class ScoreWindows:
    """How near a trial's start and end a rating-scale total must be to count as its baseline
    and end score, when the input does not link the score to the trial (standard R4 has no
    element for it). trdcore's choice, not a published rule: a baseline is the last total
    from ``before_start`` days before the start to ``after_start`` days after it (the last
    one on or before the start first); an end score is the last total within
    ``around_end`` days of the end, and after the baseline. Set with the importer option
    ``score-windows=BEFORE,AFTER,AROUND`` (default 30,7,14).
    """

    before_start: int = 30
    after_start: int = 7
    around_end: int = 14

    @classmethod
    def parse(cls, text: str) -> ScoreWindows:
        """``"30,7,14"`` as windows; a ValueError saying what is wrong otherwise."""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            raise ValueError(
                f"score-windows must be three whole numbers of days, BEFORE,AFTER,AROUND "
                f"(for example 30,7,14), not {text!r}"
            )
        before, after, around = (int(part) for part in parts)
        return cls(before, after, around)


@attrs.define(eq=False)
class FhirReader:
    """Reads FHIR R4 patient data into treatment histories, with one run's settings.

    ``as_of`` is passed to the dispensing-era builder: fills after it are not used and a
    supply lasting past it is an ongoing trial. ``catalog`` finds the drugs of dispensed
    fills and holds the code list of the diagnoses read as the episode (default: the
    installed catalog, loaded the first time a fill or a Condition needs it).

    One reader may read many inputs, as ``fhir-evaluate`` reads NDJSON of Bundles a line at
    a time: what a repeated drug coding, dosage, Observation code or date reads as is worked
    out once and kept by the reader. Readers share nothing, so runs with different settings
    can be interleaved in one process.
    """

    as_of: datetime.date | None = None
    catalog: Any = None
    #: How near a trial's start and end an unlinked scale total is read as its baseline/end.
    score_windows: ScoreWindows = attrs.field(factory=ScoreWindows)
    #: Orders of one drug this many days apart or less are renewals of one trial. trdcore's
    #: choice, not a published rule: 90 days of supply plus 30 days' grace, the gap OHDSI's
    #: drug eras allow (importer option ``renewal-gap-days``).
    renewal_gap_days: int = 120
    _memo: _Memo = attrs.field(factory=_Memo, init=False, repr=False)

    def read(self, path: str | Path) -> FhirImport:
        """Every patient's history in the file at ``path`` (a Bundle, a single resource,
        NDJSON of resources or of Bundles), sorted by patient reference.

        Raises :class:`~trdcore.exceptions.DocumentError` when the input is not FHIR at all.
        """
        path = Path(path)
        reading = _Reading(str(path), self, self._memo)
        # Reading builds many small containers and frees none until the end; a command that
        # reads large files may pause the cyclic collector meanwhile (`trdcore import` does).
        # Library code leaves the caller's collector alone.
        reading.read_path(path)
        histories = reading.histories()
        return FhirImport(tuple(histories), tuple(reading.warnings))

    def read_bundle(self, line: bytes, *, source: str, number: int | None = None) -> FhirImport:
        """Read one Bundle, given as JSON text (a line of NDJSON of Bundles), on its own.

        The same reading as :meth:`read` gives a file holding only this Bundle; warnings
        name ``source`` and the line ``number``. References resolve inside the Bundle only.
        Raises :class:`~trdcore.exceptions.DocumentError` when the text is not JSON or not a
        Bundle.
        """
        where = f"{source}:{number}" if number is not None else source
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise DocumentError(
                f"line is not JSON, so not FHIR NDJSON ({error.msg})", source=source, line=number
            ) from None
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            raise DocumentError(
                "not a Bundle: in NDJSON of Bundles every line is a Bundle holding all of its "
                "patients' records (NDJSON of single resources is read as a whole file instead)",
                source=source,
                line=number,
            )
        reading = _Reading(where, self, self._memo, compact=False)
        reading._bundle(data, where)
        del data
        histories = reading.histories()
        return FhirImport(tuple(histories), tuple(reading.warnings))

    def dispensing_catalog(self) -> Any:
        """The catalog that finds the drugs of dispensed fills (loaded on first use)."""
        if self.catalog is None:
            from trdcore import load_catalog

            self.catalog = load_catalog()
        return self.catalog

    def episode_diagnoses(self) -> CodeList:
        """The codes a Condition is read as the episode by: the catalog's major depression
        code list (:data:`~trdcore_fhir.terminology.MAJOR_DEPRESSION_CODE_LIST`), newest
        version. A catalog without it is an :class:`~trdcore.exceptions.UnknownTargetError`
        naming the lists it has."""
        codes: CodeList = self.dispensing_catalog().code_list(MAJOR_DEPRESSION_CODE_LIST)
        return codes


def read_fhir(
    path: str | Path,
    *,
    as_of: str | datetime.date | None = None,
    catalog: Any = None,
    score_windows: ScoreWindows | None = None,
    renewal_gap_days: int = 120,
) -> FhirImport:
    """Read FHIR R4 patient data at ``path`` into one treatment history per patient.

    ``as_of`` (a date or ``YYYY-MM-DD``) and ``catalog`` are the :class:`FhirReader`
    settings; this is :meth:`FhirReader.read` by a reader of its own. Histories come sorted
    by patient reference. Raises :class:`~trdcore.exceptions.DocumentError` when the input
    is not FHIR at all.
    """
    path = Path(path)
    windows = score_windows or ScoreWindows()
    reader = FhirReader(_as_of_date(as_of, str(path)), catalog, windows, renewal_gap_days)
    return reader.read(path)


def read_fhir_bundle(
    line: bytes,
    *,
    source: str,
    number: int | None = None,
    as_of: str | datetime.date | None = None,
    catalog: Any = None,
) -> FhirImport:
    """Read one Bundle, given as JSON text (a line of NDJSON of Bundles), on its own.

    :meth:`FhirReader.read_bundle` by a reader of its own: to read many lines, make one
    :class:`FhirReader` and read them all with it. The same reading as :func:`read_fhir`
    gives a file holding only this Bundle; warnings name ``source`` and the line
    ``number``. Raises :class:`~trdcore.exceptions.DocumentError` when the text is not JSON
    or not a Bundle.
    """
    reader = FhirReader(_as_of_date(as_of, source), catalog)
    return reader.read_bundle(line, source=source, number=number)
