"""HL7's own example resources, transcribed unchanged (tests/data/hl7), read by the importer."""

from __future__ import annotations

import json
from pathlib import Path

from fhir_fixtures import bundle, depression, statement, write_json
from trdcore_fhir import read_fhir

HL7 = Path(__file__).parent / "data" / "hl7"


def test_us_cores_phq9_example_with_its_total_as_text_is_read(tmp_path: Path) -> None:
    """US Core's PHQ-9 total example writes 12 as valueString; it is read as 12, dated by its
    effectiveDateTime, and becomes the baseline of a trial started the next day."""
    example = json.loads((HL7 / "Observation-PHQ9-item-example-44261-6.json").read_text("utf-8"))
    subject = example["subject"]["reference"]
    records = [
        {"resourceType": "Patient", "id": "example"},
        depression("c1", "2022-11-01", subject=subject),
        statement(
            "ms1",
            "312938",
            "sertraline 100 MG Oral Tablet",
            "2022-11-30",
            "2023-01-30",
            subject=subject,
        ),
        example,
    ]
    [history] = read_fhir(write_json(tmp_path / "in.json", bundle(*records))).histories
    assert history.document["episode"]["scores"] == [
        {"scale": "PHQ-9", "value": 12, "date": "2022-11-29"}
    ]
    [trial] = history.document["trials"]
    assert trial["baseline_score"] == {"scale": "PHQ-9", "value": 12, "date": "2022-11-29"}
    assert history.sources["/trials/0/baseline_score"] == ("Observation/PHQ9-item-example-44261-6",)
