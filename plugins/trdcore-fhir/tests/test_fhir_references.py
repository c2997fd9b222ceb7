"""Results refer to inputs without ids by stable ids, never by a urn:uuid of the input Bundle.

Issue 16: carebundle writes transaction Bundles whose entries have no id, only urn:uuid
fullUrls; result Bundles then carried subject and Provenance references that resolve to nothing
outside the input. An entry without an id now takes the UUID of its fullUrl as its id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhir_fixtures import bundle, depression, patient, statement, write_json
from trdcore_fhir import read_fhir, result_bundle

import trdcore

PERSON = "urn:uuid:9735F96E-8510-5501-A6C8-9477067A9D64"
CONDITION = "urn:uuid:98a0fef5-50e5-5d8d-8873-830f3711dfac"
ORDERS = (
    "urn:uuid:0b5c0f3e-1d0e-4f1e-9a53-1c6d3f8a2b10",
    "urn:uuid:5d2e9c41-7a3b-4c8e-8f0a-2e4b6d1c9a77",
)


def without_id(resource: dict[str, Any]) -> dict[str, Any]:
    resource = dict(resource)
    resource.pop("id", None)
    return resource


def test_references_to_entries_without_ids_use_the_uuid_of_their_full_url(tmp_path: Path) -> None:
    resources = [
        without_id(patient()),
        without_id(depression("c1", "2024-01-05", subject=PERSON)),
        without_id(
            statement(
                "a",
                "312938",
                "sertraline 100 MG Oral Tablet",
                "2024-01-10",
                "2024-03-15",
                subject=PERSON,
            )
        ),
        without_id(
            statement(
                "b",
                "349332",
                "escitalopram 10 MG Oral Tablet",
                "2024-03-20",
                "2024-06-01",
                dose=20,
                subject=PERSON,
            )
        ),
    ]
    path = write_json(
        tmp_path / "in.json", bundle(*resources, full_urls=[PERSON, CONDITION, *ORDERS])
    )
    [history] = read_fhir(path).histories
    assert history.patient == "Patient/9735f96e-8510-5501-a6c8-9477067a9d64"
    assert history.sources["/trials/0"] == (
        "MedicationStatement/0b5c0f3e-1d0e-4f1e-9a53-1c6d3f8a2b10",
    )
    assert history.sources["/episode"] == ("Condition/98a0fef5-50e5-5d8d-8873-830f3711dfac",)
    evaluation = trdcore.evaluation_document(history.document, "sforzini-2022", as_of="2024-12-01")
    results = result_bundle(evaluation, subject=history.patient, sources=history.sources)
    text = json.dumps(results)
    assert "urn:uuid:9735" not in text.lower()
    assert "urn:uuid:0b5c" not in text
    assert '"reference": "Patient/9735f96e-8510-5501-a6c8-9477067a9d64"' in text
