"""Opening an OMOP CDM database and checking that it holds what the importer reads.

A location is a DuckDB file or a SQLAlchemy database URL (``postgresql://user@host/db``,
``postgresql+psycopg://...``, ``duckdb:///path``, or any dialect SQLAlchemy has installed).
Tables are reflected once, so every query is built with SQLAlchemy Core and rendered in the
database's own SQL dialect, and a missing table or column is found before any person is read,
with a message naming both.

The columns read exist with the same names and meaning in CDM 5.3 and 5.4 (OHDSI
CommonDataModel, ``inst/csv/OMOP_CDMv5.3_Field_Level.csv`` and ``OMOP_CDMv5.4_Field_Level.csv``);
the version is read from ``cdm_source.cdm_version`` and a version other than 5.3 or 5.4 is
refused unless the caller names the version it should be read as.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

import attrs
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from trdcore.exceptions import DatabaseError, UsageError

__all__ = ["CDM_VERSIONS", "READ_COLUMNS", "CdmDatabase", "CdmVersion", "open_cdm"]

CdmVersion = Literal["5.3", "5.4"]
#: The CDM versions the importer knows.
CDM_VERSIONS: Final[tuple[CdmVersion, ...]] = ("5.3", "5.4")

#: Every table and column the importer reads (the same in CDM 5.3 and 5.4).
READ_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "person": ("person_id",),
    "observation_period": (
        "person_id",
        "observation_period_start_date",
        "observation_period_end_date",
    ),
    "drug_exposure": (
        "drug_exposure_id",
        "person_id",
        "drug_concept_id",
        "drug_exposure_start_date",
        "drug_exposure_end_date",
        "quantity",
        "days_supply",
        "drug_source_value",
    ),
    "drug_strength": (
        "drug_concept_id",
        "ingredient_concept_id",
        "amount_value",
        "amount_unit_concept_id",
        "numerator_value",
        "numerator_unit_concept_id",
        "denominator_value",
        "denominator_unit_concept_id",
    ),
    "concept": ("concept_id", "concept_name", "vocabulary_id", "concept_class_id", "concept_code"),
    "concept_ancestor": ("ancestor_concept_id", "descendant_concept_id"),
    "condition_occurrence": (
        "person_id",
        "condition_concept_id",
        "condition_start_date",
        "condition_source_concept_id",
    ),
    "measurement": ("person_id", "measurement_concept_id", "measurement_date", "value_as_number"),
    "observation": ("person_id", "observation_concept_id", "observation_date", "value_as_number"),
}

#: DuckDB's buffer limit per connection for an import (its queries read one block at a time).
DUCKDB_MEMORY_LIMIT: Final = "64MB"

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$")
_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


def shown(location: str) -> str:
    """A location as messages show it: a URL's password replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", location)


@attrs.define
class CdmDatabase:
    """An open CDM: the engine, the reflected tables the importer reads, and the version.

    ``tables`` maps each name in :data:`READ_COLUMNS` to its reflected table. Close it with
    :meth:`close` (or use it as a context manager) to release the connection pool.
    """

    location: str
    engine: sa.Engine
    schema: str | None
    version: CdmVersion
    tables: Mapping[str, sa.TableClause]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> CdmDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _engine(location: str) -> sa.Engine:
    """A SQLAlchemy engine for a URL, or a read-only DuckDB engine for a file."""
    if "://" in location:
        try:
            url = sa.engine.make_url(location)
        except ArgumentError:
            raise UsageError(
                f"{shown(location)}: not a database URL SQLAlchemy can read "
                "(for example postgresql://user@host/database)"
            ) from None
        if url.drivername == "postgresql":
            # psycopg 3 is what this plugin installs; SQLAlchemy's bare "postgresql" means psycopg2.
            url = url.set(drivername="postgresql+psycopg")
        try:
            return sa.create_engine(url)
        except (NoSuchModuleError, ModuleNotFoundError) as error:
            raise UsageError(
                f"{shown(location)}: no SQLAlchemy driver for {url.drivername!r} is installed "
                f"({error})"
            ) from None
    path = Path(location)
    if not path.is_file():
        raise UsageError(
            f"{location}: no such DuckDB file (give a DuckDB database file or a database URL "
            "such as postgresql://user@host/database)"
        )
    # DuckDB keeps the pages it reads in memory up to its limit (by default most of the
    # machine's): capped, an import's memory stays flat however large the file is.
    return sa.create_engine(
        f"duckdb:///{path}",
        connect_args={"read_only": True, "config": {"memory_limit": DUCKDB_MEMORY_LIMIT}},
    )


def open_cdm(
    location: str, *, schema: str | None = None, version: str | None = None
) -> CdmDatabase:
    """Open the CDM at ``location`` and check every table and column the importer reads.

    ``schema`` is the database schema the CDM tables are in (``cdm``, ``main``...), default
    the connection's own. ``version`` ("5.3" or "5.4") says which CDM version to read the
    tables as when ``cdm_source`` is missing or names another. Raises
    :class:`~trdcore.exceptions.UsageError` for a location or schema name that cannot work
    and :class:`~trdcore.exceptions.DatabaseError` for a database that cannot be reached or
    lacks a table or column.
    """
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise UsageError(f"schema {schema!r} is not a plain SQL schema name")
    if version is not None and version not in CDM_VERSIONS:
        raise UsageError(
            f"CDM version {version!r} is not one trdcore reads; it reads {', '.join(CDM_VERSIONS)}"
        )
    engine = _engine(location)
    where = shown(location)
    try:
        with engine.connect() as connection:
            tables = {
                name: _checked_table(connection, name, columns, schema, where)
                for name, columns in READ_COLUMNS.items()
            }
            found = _cdm_version(connection, schema, where)
    except SQLAlchemyError as error:
        engine.dispose()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise DatabaseError(f"cannot read the database: {reason}", database=where) from None
    except BaseException:
        engine.dispose()
        raise
    if version is None:
        if found is None:
            engine.dispose()
            raise DatabaseError(
                "cdm_source does not say the CDM version (cdm_version); name it with "
                "--cdm-version 5.3 or 5.4",
                database=where,
                table="cdm_source",
                column="cdm_version",
            )
        if found not in CDM_VERSIONS:
            engine.dispose()
            raise DatabaseError(
                f"CDM version {found!r} is not one trdcore reads ({', '.join(CDM_VERSIONS)}); "
                "to read it as one of those anyway, name it with --cdm-version",
                database=where,
                table="cdm_source",
                column="cdm_version",
            )
        version = found
    assert version in CDM_VERSIONS
    return CdmDatabase(location, engine, schema, version, tables)


def _present(connection: sa.Connection, name: str, schema: str | None) -> tuple[str, ...] | None:
    """The columns of table ``name`` as the database reports them, or None if it is missing.

    An empty ``SELECT *`` works on every SQL database and driver; catalogue reflection
    differs between them (and between DuckDB releases).
    """
    table = sa.table(name, schema=schema)
    query = sa.select(sa.text("*")).select_from(table).where(sa.false())
    try:
        result = connection.execute(query)
    except SQLAlchemyError:
        # A failed statement aborts the transaction on some databases (PostgreSQL): end it
        # so that the next check runs.
        connection.rollback()
        return None
    return tuple(str(column).lower() for column in result.keys())  # noqa: SIM118


def _checked_table(
    connection: sa.Connection,
    name: str,
    columns: tuple[str, ...],
    schema: str | None,
    where: str,
) -> sa.TableClause:
    present = _present(connection, name, schema)
    if present is None:
        raise DatabaseError(
            "the CDM table is missing"
            + (f" from schema {schema!r}" if schema else "")
            + " (is --schema right?)",
            database=where,
            table=name,
        )
    for column in columns:
        if column not in present:
            raise DatabaseError(
                "the CDM column is missing", database=where, table=name, column=column
            )
    return sa.table(name, *(sa.column(column) for column in columns), schema=schema)


def _cdm_version(connection: sa.Connection, schema: str | None, where: str) -> str | None:
    """``major.minor`` of ``cdm_source.cdm_version`` ("v5.4.0", "5.3.1"...), or None."""
    present = _present(connection, "cdm_source", schema)
    if present is None or "cdm_version" not in present:
        return None
    source = sa.table("cdm_source", sa.column("cdm_version"), schema=schema)
    values = [
        str(value).strip()
        for (value,) in connection.execute(sa.select(source.c.cdm_version).distinct())
        if value is not None and str(value).strip()
    ]
    if not values:
        return None
    if len(values) > 1:
        raise DatabaseError(
            f"cdm_source names more than one CDM version ({', '.join(sorted(values))})",
            database=where,
            table="cdm_source",
            column="cdm_version",
        )
    match = re.match(r"^[vV]?(\d+)\.(\d+)", values[0])
    return f"{match.group(1)}.{match.group(2)}" if match else values[0]
