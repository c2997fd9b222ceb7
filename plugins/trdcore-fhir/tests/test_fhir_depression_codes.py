"""The episode is read from a major depression diagnosis as CMS128's value set defines one.

The codes are those of the VSAC "Major Depression" value set
2.16.840.1.113883.3.464.1003.105.12.1007, read from trdcore's catalog (the code list
vsac-major-depression, built from the copy in data/vsac/); "depressive disorder" and
"depression, unspecified" are not in it, so they do not start the episode (issue 16 found
SNOMED CT 35489007 refused while ICD-10-CM F32.A was accepted: both are now read the same
way, by the list).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir_fixtures import PATIENT, SNOMED, bundle, depression, patient, statement, write_json
from trdcore_fhir import FhirReader, read_fhir
from trdcore_fhir.terminology import MAJOR_DEPRESSION_CODE_LIST

from trdcore.catalog import Catalog
from trdcore.exceptions import UnknownTargetError
from trdcore.testing import builtin_catalog

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def listed_codes() -> set[tuple[str, str]]:
    codes = builtin_catalog().code_list(MAJOR_DEPRESSION_CODE_LIST)
    return {(code.system, code.code) for code in codes.listed}


def coded_condition(tmp_path: Path, system: str, code: str) -> Path:
    """A file with a patient, a Condition coded ``system|code`` and one antidepressant."""
    condition = depression("c1", "2024-01-05")
    condition["code"] = {"coding": [{"system": system, "code": code}]}
    resources_ = [
        patient(),
        condition,
        statement("ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-15"),
    ]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources_[1:])]
    return write_json(tmp_path / "in.json", bundle(*resources_, full_urls=urls))


def episode_of(tmp_path: Path, system: str, code: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    imported = read_fhir(coded_condition(tmp_path, system, code))
    [history] = imported.histories
    return history.document["episode"], imported.warnings


def test_the_code_list_is_the_value_set_of_55_snomed_and_12_icd_10_cm_codes() -> None:
    model = builtin_catalog().code_list(MAJOR_DEPRESSION_CODE_LIST)
    assert model.value_set.oid == "2.16.840.1.113883.3.464.1003.105.12.1007"
    assert model.concept == "major-depression"
    codes = listed_codes()
    assert sum(system == SNOMED for system, _ in codes) == 55
    assert sum(system == ICD10CM for system, _ in codes) == 12


def test_importing_the_plugin_does_not_load_the_catalog() -> None:
    """The codes are read from the catalog when a Condition is read, not on import."""
    script = (
        "import sys, trdcore_fhir.history_import, trdcore_fhir.terminology\n"
        "assert 'trdcore.default_plugins.content' not in sys.modules, 'content was loaded'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_the_codes_come_from_the_catalog_the_reader_is_given(tmp_path: Path) -> None:
    """A catalog whose major depression list is another version is the one read."""
    catalog = builtin_catalog()
    document = catalog.code_list(MAJOR_DEPRESSION_CODE_LIST).to_json()
    document["version"] = "9.0.0"
    document["codes"] = [c for c in document["codes"] if c["code"] != "F32.9"]
    own = Catalog.from_documents([*catalog.documents, ("test", document)])
    path = coded_condition(tmp_path, ICD10CM, "F32.9")
    [history] = FhirReader(catalog=own).read(path).histories
    assert history.document["episode"] == {"start_date": "unknown"}
    [default] = FhirReader(catalog=catalog).read(path).histories
    assert default.document["episode"]["start_date"] == "2024-01-05"


def test_a_catalog_without_the_list_is_an_error_naming_it(tmp_path: Path) -> None:
    path = coded_condition(tmp_path, ICD10CM, "F32.9")
    with pytest.raises(UnknownTargetError, match=MAJOR_DEPRESSION_CODE_LIST):
        FhirReader(catalog=Catalog()).read(path)


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (SNOMED, "370143000"),  # major depressive disorder
        (SNOMED, "191604000"),
        (ICD10CM, "F32.9"),
        (ICD10CM, "F33.1"),
    ],
)
def test_a_code_of_the_value_set_starts_the_episode(tmp_path: Path, system: str, code: str) -> None:
    assert (system, code) in listed_codes()
    episode, _ = episode_of(tmp_path, system, code)
    assert episode["start_date"] == "2024-01-05"
    assert episode["diagnoses"] == [{"system": system, "code": code}]


@pytest.mark.parametrize(("system", "code"), [(SNOMED, "35489007"), (ICD10CM, "F32.A")])
def test_a_code_outside_the_value_set_is_reported_and_not_the_episode(
    tmp_path: Path, system: str, code: str
) -> None:
    assert (system, code) not in listed_codes()
    episode, warnings = episode_of(tmp_path, system, code)
    assert episode == {"start_date": "unknown"}
    assert any(
        "Condition/c1 code" in w and "2.16.840.1.113883.3.464.1003.105.12.1007" in w
        for w in warnings
    )


def read_conditions(tmp_path: Path, *conditions: dict[str, Any]) -> Any:
    resources_ = [
        patient(),
        *conditions,
        statement("ms1", "312938", "sertraline 100 MG Oral Tablet", "2024-01-10", "2024-03-15"),
    ]
    urls = [PATIENT, *(f"{r['resourceType']}/{r['id']}" for r in resources_[1:])]
    return read_fhir(write_json(tmp_path / "c.json", bundle(*resources_, full_urls=urls)))


def clinical(condition: dict[str, Any], code: str) -> dict[str, Any]:
    system = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    condition["clinicalStatus"] = {"coding": [{"system": system, "code": code}]}
    return condition


@pytest.mark.parametrize("status", ["resolved", "remission", "inactive"])
def test_an_episode_that_is_over_is_not_the_current_one(tmp_path: Path, status: str) -> None:
    """HL7 condition-clinical: inactive, and its children remission and resolved."""
    old = clinical(depression("c1", "2019-03-01"), status)
    current = depression("c2", "2024-01-05")
    imported = read_conditions(tmp_path, old, current)
    [history] = imported.histories
    assert history.document["episode"]["start_date"] == "2024-01-05"
    assert any("Condition/c1" in w and f"clinicalStatus {status}" in w for w in imported.warnings)


def test_an_abated_condition_is_a_past_episode_even_when_it_started_last(tmp_path: Path) -> None:
    earlier = depression("c1", "2023-06-01")
    later = depression("c2", "2024-01-05")
    later["abatementDateTime"] = "2024-02-01"
    imported = read_conditions(tmp_path, earlier, later)
    [history] = imported.histories
    assert history.document["episode"]["start_date"] == "2023-06-01"
    assert any("abated on 2024-02-01" in w for w in imported.warnings)
