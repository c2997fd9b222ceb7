"""A treatment history as FHIR R4 patient data, the exact inverse of the importer.

Used to send a history to a FHIR server, to make test data, and to check the round trip:
``read_fhir(history_resources(h))`` gives ``h`` back (courses excepted: R4 has no resource
trdcore reads them from yet, so they are reported, not written).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trdcore_fhir.serialize import Resource, stable_id, table_narrative, without_empty
from trdcore_fhir.terminology import (
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DATA_ABSENT_REASON,
    OBSERVATION_CATEGORY,
    SCALE_CODES,
    SNOMED,
    UCUM,
    trdcore_coding,
)
from trdcore_fhir.vocabulary import (
    ADHERENCE_EXTENSION,
    DURATION_UNITS,
    HISTORY_ID_SYSTEM,
    OUTCOME_EXTENSION,
    TRIAL_ID_SYSTEM,
    UCUM_DOSE_UNITS,
)

__all__ = ["history_resources"]

_UNKNOWN = {"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "unknown"}]}


def history_resources(history: Mapping[str, Any]) -> tuple[list[Resource], list[str]]:
    """FHIR resources for one treatment-history document, and what could not be written.

    The history should be valid (see ``trdcore.validate``). Resource ids are derived from
    the history id and trial ids, so the same history always gives the same resources.
    """
    warnings: list[str] = []
    key = str(history.get("id", ""))
    patient_id = stable_id("patient", key)
    subject = {"reference": f"Patient/{patient_id}"}
    patient: Resource = {
        "resourceType": "Patient",
        "id": patient_id,
        "text": table_narrative("Patient", [("trdcore history", key or "(no id)")]),
    }
    identifiers = [{"system": HISTORY_ID_SYSTEM, "value": key}] if key else []
    identifiers += [dict(identifier) for identifier in history.get("identifiers", ())]
    if identifiers:
        patient["identifier"] = identifiers
    resources: list[Resource] = [patient]
    episode = history["episode"]
    resources.append(_condition(key, episode, subject, history.get("notes")))
    for index, score in enumerate(episode.get("scores", ())):
        resources.append(_observation(stable_id(key, "score", str(index)), score, subject))
    for index, trial in enumerate(history.get("trials", ())):
        trial_key = str(trial.get("id", index))
        statement = _statement(stable_id(key, "trial", trial_key), trial, subject)
        resources.append(statement)
        reference = {"reference": f"MedicationStatement/{statement['id']}"}
        for number, agent in enumerate(trial.get("augmentation", ())):
            part = _statement(stable_id(key, "trial", trial_key, str(number)), agent, subject)
            part["partOf"] = [reference]
            resources.append(part)
        for field, role in (
            ("baseline_score", "trial-baseline-score"),
            ("end_score", "trial-end-score"),
        ):
            if field in trial:
                observation = _observation(
                    stable_id(key, "trial", trial_key, field), trial[field], subject
                )
                observation["category"].append({"coding": [trdcore_coding(role)]})
                observation["partOf"] = [reference]
                resources.append(observation)
    for index, course in enumerate(history.get("courses", ())):
        warnings.append(
            f"history {key or '(no id)'} /courses/{index} ({course.get('kind')}): courses are "
            "not written to FHIR yet; left out"
        )
    return resources, warnings


def _date_element(value: Any) -> tuple[str | None, Resource | None]:
    if value == "unknown":
        return None, _UNKNOWN
    return value, None


def _condition(
    key: str, episode: Mapping[str, Any], subject: Resource, notes: str | None
) -> Resource:
    codings = [dict(coding) for coding in episode.get("diagnoses", ())]
    if not codings:
        # The episode itself is a major depressive episode (treatment-history schema).
        codings = [{"system": SNOMED, "code": "370143000", "display": "Major depressive disorder"}]
    condition: Resource = {
        "resourceType": "Condition",
        "id": stable_id(key, "episode"),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": {"coding": codings},
        "subject": subject,
        "text": table_narrative(
            "Current depressive episode", [("Started", str(episode["start_date"]))]
        ),
    }
    start = episode["start_date"]
    if start == "unknown":
        condition["onsetString"] = "unknown"
    else:
        condition["onsetDateTime"] = start
    if "severity" in episode:
        condition["severity"] = {"coding": [trdcore_coding(f"severity-{episode['severity']}")]}
    if notes:
        condition["note"] = [{"text": notes}]
    return condition


def _observation(identifier: str, score: Mapping[str, Any], subject: Resource) -> Resource:
    system, code = SCALE_CODES[score["scale"]]
    value = score["value"]
    observation: Resource = {
        "resourceType": "Observation",
        "id": identifier,
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [{"system": system, "code": code}], "text": f"{score['scale']} total"},
        "subject": subject,
        "text": table_narrative(f"{score['scale']} total", [("Score", str(value))]),
    }
    if isinstance(value, int) or float(value).is_integer():
        observation["valueInteger"] = int(value)
    else:
        observation["valueQuantity"] = {"value": value}
    if "date" in score:
        observation["effectiveDateTime"] = score["date"]
    return observation


def _statement(identifier: str, trial: Mapping[str, Any], subject: Resource) -> Resource:
    drug = trial["drug"]
    concept = without_empty(
        {"coding": [dict(c) for c in drug.get("codings", ())], "text": drug.get("name")}
    )
    ended = "end_date" in trial and trial["end_date"] != "unknown"
    statement: Resource = {
        "resourceType": "MedicationStatement",
        "id": identifier,
        "status": "active" if trial.get("ongoing") else "completed" if ended else "unknown",
        "medicationCodeableConcept": concept,
        "subject": subject,
        "text": table_narrative(
            drug.get("name") or "Medication",
            [
                (field, str(trial[field]))
                for field in ("start_date", "end_date", "daily_dose")
                if field in trial
            ],
        ),
    }
    if "id" in trial:
        statement["identifier"] = [{"system": TRIAL_ID_SYSTEM, "value": trial["id"]}]
    period: Resource = {}
    for field, element in (("start_date", "start"), ("end_date", "end")):
        if field in trial:
            value, absent = _date_element(trial[field])
            if value is not None:
                period[element] = value
            else:
                period[f"_{element}"] = absent
    if period:
        statement["effectivePeriod"] = period
    dosage = _dosage(trial)
    if dosage is not None:
        statement["dosage"] = [dosage]
    extensions = []
    if "outcome" in trial:
        extensions.append(
            {"url": OUTCOME_EXTENSION, "valueCoding": trdcore_coding(f"outcome-{trial['outcome']}")}
        )
    if "adherence" in trial:
        extensions.append(
            {
                "url": ADHERENCE_EXTENSION,
                "valueCoding": trdcore_coding(f"adherence-{trial['adherence']}"),
            }
        )
    if extensions:
        statement["extension"] = extensions
    if "reason_stopped" in trial:
        statement["statusReason"] = [
            {"coding": [trdcore_coding(f"stopped-{trial['reason_stopped']}")]}
        ]
    if trial.get("notes"):
        statement["note"] = [{"text": trial["notes"]}]
    return statement


def _dosage(trial: Mapping[str, Any]) -> Resource | None:
    dose = trial.get("daily_dose")
    duration = trial.get("duration")
    if dose is None and duration is None:
        return None
    dosage: Resource = {}
    repeat: Resource = {}
    if duration is not None:
        unit = DURATION_UNITS[duration["unit"]]
        repeat["boundsDuration"] = {
            "value": duration["value"],
            "unit": unit,
            "system": UCUM,
            "code": unit,
        }
    if dose == "unknown":
        dosage.update(_UNKNOWN)
    elif dose is not None:
        unit = UCUM_DOSE_UNITS[dose["unit"]]
        quantity = {"value": dose["value"], "unit": unit, "system": UCUM, "code": unit}
        if dose["unit"] == "mg/24h":
            dosage["doseAndRate"] = [{"rateQuantity": quantity}]
        else:
            dosage["doseAndRate"] = [{"doseQuantity": quantity}]
            repeat.update({"frequency": 1, "period": 1, "periodUnit": "d"})
        dosage["text"] = f"{dose['value']} {dose['unit']} a day"
    if repeat:
        dosage["timing"] = {"repeat": repeat}
    return dosage
