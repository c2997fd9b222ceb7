"""trdcore's trials from a CDM are OMOP's drug eras, person by person, in DuckDB and PostgreSQL.

The eras are computed here in SQL, in the database, by the standard rule as the OMOP CDM's
drug-era script states it (OHDSI/CommonDataModel rmd/sqlScripts.Rmd, "Drug Eras"): each
exposure ends on drug_exposure_end_date, else start + days_supply when that is not 0, else
start + 1 day; exposures are mapped to their RxNorm ingredients through concept_ancestor;
drug_concept_id 0 is left out; overlapping exposures merge without stockpiling, and a new
era starts only when more than 30 days lie between one exposure's start and the latest end
before it. The importer's own path (Python, trdcore.rules.events) must agree exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from trdcore_omop import settings_from
from trdcore_omop.run import OmopRun, codes_for

from trdcore.app import load_catalog

ERAS = """
WITH exposure AS (
    SELECT de.person_id, i.concept_code AS rxcui, de.drug_exposure_start_date AS s,
           COALESCE(
               de.drug_exposure_end_date,
               de.drug_exposure_start_date + CAST(NULLIF(de.days_supply, 0) AS INTEGER),
               de.drug_exposure_start_date + 1
           ) AS e
    FROM {schema}drug_exposure de
    JOIN {schema}concept_ancestor ca ON ca.descendant_concept_id = de.drug_concept_id
    JOIN {schema}concept i ON i.concept_id = ca.ancestor_concept_id
        AND i.vocabulary_id = 'RxNorm' AND i.concept_class_id = 'Ingredient'
    WHERE de.drug_concept_id <> 0 AND COALESCE(de.days_supply, 0) >= 0
), ordered AS (
    SELECT *, MAX(e) OVER (
        PARTITION BY person_id, rxcui ORDER BY s, e
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS latest_end
    FROM exposure
), numbered AS (
    SELECT *, SUM(CASE WHEN latest_end IS NULL OR s > latest_end + 30 THEN 1 ELSE 0 END) OVER (
        PARTITION BY person_id, rxcui ORDER BY s, e ROWS UNBOUNDED PRECEDING
    ) AS era
    FROM ordered
)
SELECT person_id, rxcui, MIN(s), MAX(e) FROM numbered GROUP BY person_id, rxcui, era
"""

# Persons 3 and 4 have exposures only their drug_source_value identifies, which OMOP's eras
# leave out and trdcore reads: they are compared in test_omop_designed.py instead.
BY_SOURCE_VALUE = {3, 4}


def sql_eras(url: str, schema: str | None) -> set[tuple[int, str, str, str]]:
    # Read-only, as the importer opens a DuckDB file: one process may not mix the two.
    engine = sa.create_engine(
        url,
        connect_args={"read_only": True} if url.startswith("duckdb") else {},
        poolclass=sa.pool.NullPool,
    )
    catalog_codes = codes_for(load_catalog()).ingredients
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(ERAS.format(schema=f"{schema}." if schema else "")))
            return {
                (int(person), str(rxcui), str(start)[:10], str(end)[:10])
                for person, rxcui, start, end in rows
                if str(rxcui) in catalog_codes and int(person) not in BY_SOURCE_VALUE
            }
    finally:
        engine.dispose()


def trdcore_eras(location: str, **options: Any) -> set[tuple[int, str, str, str]]:
    catalog = load_catalog()
    codes = {
        entry.model.name: coding.code
        for entry in catalog.newest_active("drug")
        for coding in entry.model.codings or ()
        if coding.system == "http://www.nlm.nih.gov/research/umls/rxnorm"
    }
    run = OmopRun.open(location, settings_from(options), catalog=catalog)
    return {
        (int(history["id"]), codes[trial["drug"]["name"]], trial["start_date"], trial["end_date"])
        for history in run.documents()
        if int(history["id"]) not in BY_SOURCE_VALUE
        for trial in history["trials"]
    }


def test_trials_are_omops_drug_eras_in_duckdb(cdm54: Path) -> None:
    expected = sql_eras(f"duckdb:///{cdm54}", None)
    assert len(expected) > 300  # the fixture has eras to compare
    assert trdcore_eras(str(cdm54)) == expected


def test_trials_are_omops_drug_eras_in_postgresql(cdm54_postgres: str) -> None:
    expected = sql_eras(cdm54_postgres, "cdm")
    assert trdcore_eras(cdm54_postgres, schema="cdm") == expected


def test_duckdb_and_postgresql_give_the_same_documents(cdm54: Path, cdm54_postgres: str) -> None:
    from_duckdb = list(OmopRun.open(str(cdm54), settings_from({})).documents())
    from_postgres = list(OmopRun.open(cdm54_postgres, settings_from({"schema": "cdm"})).documents())
    assert len(from_duckdb) > 250
    assert from_postgres == from_duckdb


@pytest.mark.parametrize("gap", ["0", "60"])
def test_the_persistence_window_is_a_parameter(cdm54: Path, gap: str) -> None:
    eras = trdcore_eras(str(cdm54), **{"gap-days": gap})
    default = trdcore_eras(str(cdm54))
    assert (len(eras) > len(default)) if gap == "0" else (len(eras) < len(default))
