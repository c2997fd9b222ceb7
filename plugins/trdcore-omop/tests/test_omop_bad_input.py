"""A CDM that is not what the importer reads gets a clear error naming table and column.

Exit codes as everywhere in trdcore: 1 for data it cannot read, 2 for usage. Never a
traceback.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from trdcore.testing import run_cli


def altered(cdm54: Path, tmp_path: Path, statement: str) -> Path:
    """A copy of the test CDM changed by SQL statements (separated by semicolons)."""
    copy = tmp_path / "changed.duckdb"
    shutil.copy(cdm54, copy)
    with duckdb.connect(str(copy)) as connection:
        for part in statement.split(";"):
            connection.execute(part)
    return copy


def without_column(table: str, column: str) -> str:
    """Statements that rebuild ``table`` without ``column`` (its indices forbid ALTER)."""
    return (
        f"CREATE TABLE rebuilt AS SELECT * EXCLUDE ({column}) FROM {table}; "
        f"DROP TABLE {table}; ALTER TABLE rebuilt RENAME TO {table}"
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DROP TABLE drug_strength", "table drug_strength: the CDM table is missing"),
        (
            without_column("drug_exposure", "days_supply"),
            "table drug_exposure, column days_supply: the CDM column is missing",
        ),
        (
            without_column("concept", "concept_code"),
            "table concept, column concept_code: the CDM column is missing",
        ),
    ],
)
def test_a_missing_table_or_column_is_named(
    cdm54: Path, tmp_path: Path, capfdbinary: Any, statement: str, message: str
) -> None:
    changed = altered(cdm54, tmp_path, statement)
    code, out, err = run_cli(capfdbinary, "import", "omop", str(changed))
    assert code == 1
    assert out == ""
    assert f"Error: {changed}, {message}" in err
    assert "Traceback" not in err


def test_an_unknown_cdm_version_is_refused_unless_named(
    cdm54: Path, tmp_path: Path, capfdbinary: Any
) -> None:
    changed = altered(cdm54, tmp_path, "UPDATE cdm_source SET cdm_version = 'v6.0'")
    code, _, err = run_cli(capfdbinary, "import", "omop", str(changed))
    assert code == 1
    assert "table cdm_source, column cdm_version: CDM version '6.0' is not one trdcore reads" in err
    code, out, _ = run_cli(
        capfdbinary, "import", "omop", str(changed), "--cdm-version", "5.4", "--person-id", "1"
    )
    assert code == 0
    assert out.count("\n") == 1


def test_no_cdm_source_needs_the_version_named(
    cdm54: Path, tmp_path: Path, capfdbinary: Any
) -> None:
    changed = altered(cdm54, tmp_path, "DROP TABLE cdm_source")
    code, _, err = run_cli(capfdbinary, "import", "omop", str(changed))
    assert code == 1
    assert "--cdm-version 5.3 or 5.4" in err
    code, _, _ = run_cli(
        capfdbinary, "import", "omop", str(changed), "--cdm-version", "5.3", "--person-id", "9"
    )
    assert code == 0


def test_an_unreachable_server_is_a_data_error_without_its_password(
    tmp_path: Path, capfdbinary: Any
) -> None:
    url = f"postgresql://reader:s3cret@/cdm?host={tmp_path}/no-server"
    code, out, err = run_cli(capfdbinary, "import", "omop", url)
    assert code == 1
    assert out == ""
    assert "cannot read the database" in err
    assert "s3cret" not in err
    assert "postgresql://reader:***@" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("no/such/file.duckdb",), "no such DuckDB file"),
        (("nosuchdialect://host/db",), "no SQLAlchemy driver for 'nosuchdialect'"),
        (("{cdm}", "--schema", "cdm; drop table person"), "is not a plain SQL schema name"),
        (("{cdm}", "--lookback-days", "a year"), "--lookback-days must be a whole number"),
        (("{cdm}", "--person-id", "P-1"), "--person-id must be a whole number"),
        (("{cdm}", "--as-of", "27/11/2026"), "--as-of must be a date"),
        (("{cdm}", "--episode", "onset"), "Invalid value for '--episode'"),
    ],
)
def test_usage_errors_exit_2(
    cdm54: Path, capfdbinary: Any, arguments: tuple[str, ...], message: str
) -> None:
    argv = [argument.replace("{cdm}", str(cdm54)) for argument in arguments]
    code, out, err = run_cli(capfdbinary, "import", "omop", *argv)
    assert code == 2, err
    assert message in err
    assert out == ""


def test_a_wrong_schema_says_the_table_is_missing_from_it(cdm54: Path, capfdbinary: Any) -> None:
    code, _, err = run_cli(capfdbinary, "import", "omop", str(cdm54), "--schema", "cdm")
    assert code == 1
    assert "table person: the CDM table is missing from schema 'cdm' (is --schema right?)" in err


def test_a_progress_bar_is_drawn_on_a_terminal_only(cdm54: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("trdcore")
    command = [str(script), "import", "omop", str(cdm54), "--out", str(tmp_path / "out.ndjson")]
    leader, follower = pty.openpty()
    child = subprocess.Popen(command, stderr=follower, stdout=subprocess.DEVNULL)
    os.close(follower)
    drawn = b""
    while True:  # read while it draws, so that a full terminal buffer never blocks it
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert child.wait() == 0
    persons = persons_in(cdm54)
    assert b"persons" in drawn
    assert f"{persons}/{persons}".encode() in drawn

    piped = subprocess.run(command, capture_output=True, check=False, text=True)
    assert piped.returncode == 0
    assert f"{persons}/{persons}" not in piped.stderr
    assert piped.stderr.startswith(f"warning: read {persons} persons")


def persons_in(cdm: Path) -> int:
    """How many persons the CDM holds, counted by DuckDB itself."""
    import duckdb

    with duckdb.connect(str(cdm), read_only=True) as connection:
        found = connection.execute("SELECT COUNT(*) FROM person").fetchone()
    assert found is not None
    return int(found[0])


def test_rows_of_persons_missing_from_person_are_counted_not_lost(
    cdm54: Path, tmp_path: Path, capfdbinary: Any
) -> None:
    # Person 1 has 6 drug exposures and 1 condition; without its person row nothing of it is
    # read, and the summary says so.
    changed = altered(cdm54, tmp_path, "DELETE FROM person WHERE person_id = 1")
    code, out, err = run_cli(capfdbinary, "import", "omop", str(changed))
    assert code == 0
    assert '"id":"1"' not in out
    assert "drug_exposure.person_id: 6 rows of 1 persons that are not in the person table" in err
    assert "condition_occurrence.person_id: 1 rows of 1 persons" in err
