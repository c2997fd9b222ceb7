"""Reading a CDM person by person, in blocks of persons, in bounded memory.

Persons are read in ``person_id`` order, ``block`` at a time (keyset pagination on
``person``), and each block's rows are fetched with one query per table, joined to the
vocabulary in the database: drug exposures to their RxNorm ingredients through
``concept_ancestor`` (as OMOP's own drug-era script finds them: ancestors in vocabulary
RxNorm of class Ingredient) and their strengths through ``drug_strength``; diagnoses and
PHQ-9 totals to their codes through ``concept``. Only rows that can matter are fetched
(exposures to a catalog antidepressant or augmentation agent, diagnoses of the catalog's code
lists, PHQ-9 totals); what is left
out is counted by :mod:`trdcore_omop.summary` with one aggregate query per table.

Memory holds one block of persons at a time, whatever the size of the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from trdcore.exceptions import DatabaseError
from trdcore_omop.database import CdmDatabase, shown

__all__ = [
    "PHQ9_LOINC",
    "Block",
    "Codes",
    "Diagnosis",
    "Exposure",
    "Person",
    "Score",
    "Unmapped",
    "catalog_ingredient",
    "person_blocks",
    "read_block",
]

#: LOINC 44261-6, "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
#: (OMOP concept 3042932, domain Observation, in the Synthea27Nj Eunomia vocabulary).
PHQ9_LOINC: Final = "44261-6"


@attrs.frozen
class Codes:
    """What the reader looks for: the RxCUIs of antidepressant and augmentation ingredients,
    and diagnosis codes.

    ``diagnoses`` maps an OMOP vocabulary id (``SNOMED``, ``ICD10CM``) to the depression
    codes (what finds the episode); ``conditions`` to the codes of every code list of the
    catalog (depression, and the conditions definitions exclude), which become the
    history's ``conditions``.
    """

    ingredients: frozenset[str]
    diagnoses: Mapping[str, frozenset[str]]
    conditions: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    #: Every diagnosis code the reader looks for, by vocabulary: the two above together (a
    #: lookup table of the value, made with it, read for every condition row).
    searched: Mapping[str, frozenset[str]] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: {
                vocabulary: self.diagnoses.get(vocabulary, frozenset())
                | self.conditions.get(vocabulary, frozenset())
                for vocabulary in {*self.diagnoses, *self.conditions}
            },
            takes_self=True,
        ),
    )


@attrs.frozen
class Exposure:
    """One drug_exposure row for one of its catalog ingredients, with that strength."""

    exposure_id: int
    start: datetime.date
    end: datetime.date | None
    days_supply: int | None
    quantity: float | None
    drug_concept_id: int
    drug_name: str | None
    ingredient_code: str
    ingredient_name: str
    amount: float | None
    amount_unit: str | None
    numerator: float | None
    numerator_unit: str | None
    denominator: float | None
    denominator_unit: str | None


@attrs.frozen
class Unmapped:
    """A drug_exposure row the vocabulary cannot place: drug_concept_id 0, or an id that
    is not in ``concept``; only its source value may still say what the drug is."""

    exposure_id: int
    start: datetime.date
    source_value: str | None
    concept_id: int
    end: datetime.date | None = None
    days_supply: int | None = None
    quantity: float | None = None


@attrs.frozen
class Diagnosis:
    """A diagnosis of a catalog code list: its date and the code it matched (standard or
    source); ``depression`` when the code is a depression code (the episode reads those)."""

    date: datetime.date
    vocabulary: str
    code: str
    name: str
    depression: bool = True


@attrs.frozen
class Score:
    """A PHQ-9 total from measurement or observation."""

    date: datetime.date
    value: float | None
    table: str


@attrs.frozen
class Person:
    """Everything read for one person."""

    person_id: int
    observation: tuple[tuple[datetime.date, datetime.date], ...]
    exposures: tuple[Exposure, ...]
    unmapped: tuple[Unmapped, ...]
    diagnoses: tuple[Diagnosis, ...]
    scores: tuple[Score, ...]


def _day(value: Any) -> datetime.date | None:
    """A CDM date as a date: databases return dates, datetimes or (SQLite-like) text."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@attrs.define
class _Block:
    """One block's rows, grouped by person."""

    observation: defaultdict[int, list[tuple[datetime.date, datetime.date]]] = attrs.field(
        factory=lambda: defaultdict(list)
    )
    exposures: defaultdict[int, list[Exposure]] = attrs.field(factory=lambda: defaultdict(list))
    unmapped: defaultdict[int, list[Unmapped]] = attrs.field(factory=lambda: defaultdict(list))
    diagnoses: defaultdict[int, list[Diagnosis]] = attrs.field(factory=lambda: defaultdict(list))
    scores: defaultdict[int, list[Score]] = attrs.field(factory=lambda: defaultdict(list))


@attrs.frozen
class Block:
    """A block of persons to read: ascending ids, and whether they are a contiguous run of
    the person table (read by id range) or a chosen list (read by id)."""

    ids: tuple[int, ...]
    contiguous: bool


def person_blocks(
    database: CdmDatabase, *, person_ids: Sequence[int] | None = None, block: int = 2000
) -> Iterator[Block]:
    """The persons of the CDM (or those of ``person_ids`` that exist), ``block`` at a time,
    in person_id order (keyset pagination: memory holds one block of ids)."""
    person = database.tables["person"]
    with database.engine.connect() as connection:
        if person_ids is not None:
            wanted = sorted(set(person_ids))
            for start in range(0, len(wanted), block):
                chunk = wanted[start : start + block]
                query = (
                    sa.select(person.c.person_id)
                    .where(person.c.person_id.in_(chunk))
                    .order_by(person.c.person_id)
                )
                ids = tuple(int(row[0]) for row in _run(connection, database, "person", query))
                if ids:
                    yield Block(ids, contiguous=False)
            return
        after: int | None = None
        while True:
            query = sa.select(person.c.person_id).order_by(person.c.person_id).limit(block)
            if after is not None:
                query = query.where(person.c.person_id > after)
            ids = tuple(int(row[0]) for row in _run(connection, database, "person", query))
            if not ids:
                return
            yield Block(ids, contiguous=True)
            after = ids[-1]


def read_block(database: CdmDatabase, codes: Codes, block: Block) -> list[Person]:
    """Everything read for the persons of one block, with one query per table.

    Raises :class:`~trdcore.exceptions.DatabaseError` when a query fails (the table it
    was reading is named).
    """
    with database.engine.connect() as connection:
        return list(_block(connection, database, codes, block))


def catalog_ingredient(ingredient: Any, ancestor: Any, codes: Codes) -> sa.ColumnElement[bool]:
    """The join condition from a concept_ancestor row to an ingredient the reader looks for: an
    ancestor in vocabulary RxNorm of class Ingredient (as OMOP's drug-era script finds
    ingredients) whose code is a catalog antidepressant's RxCUI."""
    return sa.and_(
        ingredient.c.concept_id == ancestor.c.ancestor_concept_id,
        ingredient.c.vocabulary_id == "RxNorm",
        ingredient.c.concept_class_id == "Ingredient",
        ingredient.c.concept_code.in_(sorted(codes.ingredients)),
    )


def _run(
    connection: sa.Connection, database: CdmDatabase, table: str, query: sa.Executable
) -> Sequence[sa.Row[Any]]:
    try:
        return connection.execute(query).all()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise DatabaseError(
            f"reading failed: {reason}", database=shown(database.location), table=table
        ) from None


def _block(
    connection: sa.Connection, database: CdmDatabase, codes: Codes, block: Block
) -> Iterator[Person]:
    """Read one block of persons with one query per table."""
    ids = block.ids
    low, high = ids[0], ids[-1]
    wanted = set(ids)

    def among(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        # A contiguous run uses the person_id index by range; a --person-id list by id.
        if block.contiguous:
            return column.between(low, high)
        return column.in_(ids)

    rows = _Block()
    for query, table, add in _queries(database, codes, among, rows):
        for row in _run(connection, database, table, query):
            if int(row[0]) in wanted:
                add(row)
    for person_id in ids:
        yield Person(
            person_id=person_id,
            observation=tuple(sorted(rows.observation.get(person_id, ()))),
            exposures=tuple(
                sorted(rows.exposures.get(person_id, ()), key=lambda e: (e.start, e.exposure_id))
            ),
            unmapped=tuple(
                sorted(rows.unmapped.get(person_id, ()), key=lambda u: (u.start, u.exposure_id))
            ),
            diagnoses=tuple(
                sorted(rows.diagnoses.get(person_id, ()), key=lambda d: (d.date, d.code))
            ),
            scores=tuple(sorted(rows.scores.get(person_id, ()), key=lambda s: (s.date, s.table))),
        )


def _queries(
    database: CdmDatabase,
    codes: Codes,
    among: Any,
    rows: _Block,
) -> Iterable[tuple[sa.Executable, str, Any]]:
    """The block's queries, each with the table it reads and where its rows go."""
    t = database.tables
    concept = t["concept"]
    period = t["observation_period"]
    yield (
        sa.select(
            period.c.person_id,
            period.c.observation_period_start_date,
            period.c.observation_period_end_date,
        ).where(among(period.c.person_id)),
        "observation_period",
        lambda row: rows.observation[int(row[0])].append(
            (_day(row[1]), _day(row[2]))  # type: ignore[arg-type]
        ),
    )

    exposure = t["drug_exposure"]
    ancestor = t["concept_ancestor"]
    strength = t["drug_strength"]
    ingredient = concept.alias("ingredient")
    drug = concept.alias("drug")
    amount_unit = concept.alias("amount_unit")
    numerator_unit = concept.alias("numerator_unit")
    denominator_unit = concept.alias("denominator_unit")
    yield (
        sa.select(
            exposure.c.person_id,
            exposure.c.drug_exposure_id,
            exposure.c.drug_exposure_start_date,
            exposure.c.drug_exposure_end_date,
            exposure.c.days_supply,
            exposure.c.quantity,
            exposure.c.drug_concept_id,
            drug.c.concept_name,
            ingredient.c.concept_code,
            ingredient.c.concept_name,
            strength.c.amount_value,
            amount_unit.c.concept_code,
            strength.c.numerator_value,
            numerator_unit.c.concept_code,
            strength.c.denominator_value,
            denominator_unit.c.concept_code,
        )
        .select_from(exposure)
        .join(ancestor, ancestor.c.descendant_concept_id == exposure.c.drug_concept_id)
        .join(ingredient, catalog_ingredient(ingredient, ancestor, codes))
        .outerjoin(drug, drug.c.concept_id == exposure.c.drug_concept_id)
        .outerjoin(
            strength,
            sa.and_(
                strength.c.drug_concept_id == exposure.c.drug_concept_id,
                strength.c.ingredient_concept_id == ingredient.c.concept_id,
            ),
        )
        .outerjoin(amount_unit, amount_unit.c.concept_id == strength.c.amount_unit_concept_id)
        .outerjoin(
            numerator_unit, numerator_unit.c.concept_id == strength.c.numerator_unit_concept_id
        )
        .outerjoin(
            denominator_unit,
            denominator_unit.c.concept_id == strength.c.denominator_unit_concept_id,
        )
        .where(among(exposure.c.person_id)),
        "drug_exposure",
        lambda row: rows.exposures[int(row[0])].append(
            Exposure(
                exposure_id=int(row[1]),
                start=_day(row[2]),  # type: ignore[arg-type]
                end=_day(row[3]),
                days_supply=None if row[4] is None else int(row[4]),
                quantity=_number(row[5]),
                drug_concept_id=int(row[6]),
                drug_name=row[7],
                ingredient_code=str(row[8]),
                ingredient_name=str(row[9]),
                amount=_number(row[10]),
                amount_unit=row[11],
                numerator=_number(row[12]),
                numerator_unit=row[13],
                denominator=_number(row[14]),
                denominator_unit=row[15],
            )
        ),
    )

    # Exposures the vocabulary cannot place (concept 0, or an id missing from concept):
    # their source value may still name an antidepressant.
    known = concept.alias("known")
    yield (
        sa.select(
            exposure.c.person_id,
            exposure.c.drug_exposure_id,
            exposure.c.drug_exposure_start_date,
            exposure.c.drug_source_value,
            exposure.c.drug_concept_id,
            exposure.c.drug_exposure_end_date,
            exposure.c.days_supply,
            exposure.c.quantity,
        )
        .select_from(exposure)
        .outerjoin(known, known.c.concept_id == exposure.c.drug_concept_id)
        .where(
            among(exposure.c.person_id),
            sa.or_(exposure.c.drug_concept_id == 0, known.c.concept_id.is_(None)),
        ),
        "drug_exposure",
        lambda row: rows.unmapped[int(row[0])].append(
            Unmapped(
                exposure_id=int(row[1]),
                start=_day(row[2]),  # type: ignore[arg-type]
                source_value=row[3],
                concept_id=int(row[4]),
                end=_day(row[5]),
                days_supply=None if row[6] is None else int(row[6]),
                quantity=_number(row[7]),
            )
        ),
    )

    condition = t["condition_occurrence"]
    standard = concept.alias("standard")
    source = concept.alias("source")
    searched = codes.searched
    matches = [
        sa.and_(standard.c.vocabulary_id == vocabulary, standard.c.concept_code.in_(sorted(found)))
        for vocabulary, found in sorted(searched.items())
    ] + [
        sa.and_(source.c.vocabulary_id == vocabulary, source.c.concept_code.in_(sorted(found)))
        for vocabulary, found in sorted(searched.items())
    ]
    yield (
        sa.select(
            condition.c.person_id,
            condition.c.condition_start_date,
            standard.c.vocabulary_id,
            standard.c.concept_code,
            standard.c.concept_name,
            source.c.vocabulary_id,
            source.c.concept_code,
            source.c.concept_name,
        )
        .select_from(condition)
        .outerjoin(standard, standard.c.concept_id == condition.c.condition_concept_id)
        .outerjoin(source, source.c.concept_id == condition.c.condition_source_concept_id)
        .where(among(condition.c.person_id), sa.or_(*matches)),
        "condition_occurrence",
        lambda row: rows.diagnoses[int(row[0])].append(_diagnosis(row, codes)),
    )

    for table, concept_column, date_column in (
        ("measurement", "measurement_concept_id", "measurement_date"),
        ("observation", "observation_concept_id", "observation_date"),
    ):
        scores = t[table]
        loinc = concept.alias(f"{table}_loinc")
        yield (
            sa.select(scores.c.person_id, scores.c[date_column], scores.c.value_as_number)
            .select_from(scores)
            .join(
                loinc,
                sa.and_(
                    loinc.c.concept_id == scores.c[concept_column],
                    loinc.c.vocabulary_id == "LOINC",
                    loinc.c.concept_code == PHQ9_LOINC,
                ),
            )
            .where(among(scores.c.person_id)),
            table,
            lambda row, table=table: rows.scores[int(row[0])].append(
                Score(_day(row[1]), _number(row[2]), table)  # type: ignore[arg-type]
            ),
        )


def _diagnosis(row: Any, codes: Codes) -> Diagnosis:
    """The code a condition row matched: its standard concept when that is a listed code,
    else its source concept (and whether it is a depression code)."""
    date = _day(row[1])
    assert date is not None
    searched = codes.searched
    if row[3] is not None and row[3] in searched.get(row[2] or "", frozenset()):
        vocabulary, code, name = row[2], row[3], row[4] or ""
    else:
        vocabulary, code, name = row[5], row[6], row[7] or ""
    depression = code in codes.diagnoses.get(vocabulary or "", frozenset())
    return Diagnosis(date, vocabulary, code, name, depression)
