"""One import from a CDM: open it, stream its persons as documents, summarise what was left.

:class:`OmopRun` owns the run's state (the open database, the catalog, the codes it looks
for and the running :class:`~trdcore_omop.histories.Summary`), so two runs in one process
never share anything.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import click
import sqlalchemy as sa

from trdcore.catalog import Catalog
from trdcore.exceptions import DatabaseError
from trdcore.workers import run_in_workers
from trdcore_omop.database import CdmDatabase, open_cdm, shown
from trdcore_omop.histories import Settings, Summary, person_documents
from trdcore_omop.reader import Block, Codes, catalog_ingredient, person_blocks, read_block

__all__ = ["OmopRun", "RunSettings", "codes_for"]

#: The catalog code list whose codes are "a depression diagnosis" (SNOMED CT, ICD-10-CM): VSAC
#: Major Depression, the list trdcore-fhir uses too. Named by id, so that a plugin's list of
#: the same concept cannot silently widen what counts.
DEPRESSION_CODE_LIST = "vsac-major-depression"
#: Warnings about single persons kept in full; more are counted (see OmopRun.unshown).
PERSON_WARNINGS = 1000
#: FHIR code system URI -> OMOP vocabulary id.
_VOCABULARIES = {
    "http://snomed.info/sct": "SNOMED",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD10CM",
}


@attrs.frozen
class RunSettings:
    """Where and what to read, and how persons become documents."""

    histories: Settings = attrs.field(factory=Settings)
    schema: str | None = None
    person_ids: Sequence[int] | None = None
    cdm_version: str | None = None
    progress: bool = False
    block: int = 2000
    jobs: int = 1


def codes_for(catalog: Catalog) -> Codes:
    """The RxCUIs of the catalog's antidepressants and augmentation agents, its depression
    diagnosis codes and the codes of all its code lists."""
    ingredients = {
        coding.code
        for entry in catalog.newest_active("drug")
        if "antidepressant" in entry.model.roles or "augmentation" in entry.model.roles
        for coding in entry.model.codings or ()
        if coding.system == "http://www.nlm.nih.gov/research/umls/rxnorm"
    }
    diagnoses: dict[str, set[str]] = {}
    listing = catalog.code_list(DEPRESSION_CODE_LIST)
    for system, vocabulary in _VOCABULARIES.items():
        diagnoses.setdefault(vocabulary, set()).update(listing.codes(system))
    conditions: dict[str, set[str]] = {}
    for other in catalog.newest_active("code-list"):
        for system, vocabulary in _VOCABULARIES.items():
            conditions.setdefault(vocabulary, set()).update(other.model.codes(system))
    return Codes(
        ingredients=frozenset(ingredients),
        diagnoses={name: frozenset(found) for name, found in diagnoses.items() if found},
        conditions={name: frozenset(found) for name, found in conditions.items() if found},
    )


@attrs.define
class OmopRun:
    """An import in progress; :meth:`documents` streams it, :attr:`warnings` fills as it goes."""

    database: CdmDatabase
    catalog: Catalog
    codes: Codes
    settings: RunSettings
    summary: Summary = attrs.field(factory=Summary)
    warnings: list[str] = attrs.field(factory=list)
    #: Warnings about single persons past the first PERSON_WARNINGS, counted, not kept.
    unshown: int = 0

    def _person_warnings(self, found: list[str]) -> None:
        """Keep warnings about single persons up to a limit, so memory stays flat."""
        room = max(PERSON_WARNINGS - (len(self.warnings)), 0)
        self.warnings.extend(found[:room])
        self.unshown += max(len(found) - room, 0)

    @classmethod
    def open(
        cls, location: str, settings: RunSettings, *, catalog: Catalog | None = None
    ) -> OmopRun:
        from trdcore.app import load_catalog

        database = open_cdm(location, schema=settings.schema, version=settings.cdm_version)
        catalog = catalog or load_catalog()
        return cls(database, catalog, codes_for(catalog), settings)

    def documents(self) -> Iterator[dict[str, Any]]:
        """Each person's document, in person_id order; the summary is added at the end.

        With ``jobs`` above 1 the blocks of persons are read and built in worker processes,
        each with its own connection, and come back in order.
        """
        try:
            blocks = person_blocks(
                self.database, person_ids=self.settings.person_ids, block=self.settings.block
            )
            start = functools.partial(
                _worker_state,
                self.database.location,
                self.settings,
                self.database.version,
                self.catalog,
            )
            bar = None
            if self.settings.progress:
                bar = click.progressbar(
                    length=self._count(), label="persons", file=sys.stderr, show_pos=True
                )
            first = list(itertools.islice(blocks, 2))
            chunks = itertools.chain(first, blocks)
            if self.settings.jobs <= 1 or len(first) < 2:
                # In this process the run's own open database serves the blocks (workers
                # would not pay for themselves on one block).
                own = _WorkerState(self.database, self.catalog, self.codes, self.settings)
                results: Iterator[Any] = (_work(own, block) for block in chunks)
            else:
                results = run_in_workers(
                    start, _work, chunks, jobs=self.settings.jobs, freeze_workers=True
                )
            with bar if bar is not None else contextlib.nullcontext():
                for documents, warnings, summary in results:
                    self.summary.add(summary)
                    self._person_warnings(warnings)
                    if bar is not None:
                        bar.update(summary.persons)
                    yield from documents
            self.summary.extra.extend(self._left_out())
            if self.unshown:
                self.warnings.append(
                    f"{self.unshown} more warnings about single persons are not shown (the first "
                    f"{PERSON_WARNINGS} are); import fewer persons with --person-id to see them"
                )
            self.warnings.extend(self.summary.lines())
        finally:
            self.database.close()

    def _count(self) -> int:
        if self.settings.person_ids is not None:
            return len(set(self.settings.person_ids))
        person = self.database.tables["person"]
        with self.database.engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(person)).scalar_one()
            )

    def _left_out(self) -> list[str]:
        """Drug exposures not used, by what they are: one aggregate query over drug_exposure."""
        t = self.database.tables
        exposure, concept, ancestor = t["drug_exposure"], t["concept"], t["concept_ancestor"]
        ingredient = concept.alias("ingredient")
        mapped = sa.select(ancestor.c.descendant_concept_id).join(
            ingredient, catalog_ingredient(ingredient, ancestor, self.codes)
        )
        query = (
            sa.select(
                exposure.c.drug_concept_id, concept.c.concept_name, sa.func.count().label("n")
            )
            .select_from(exposure)
            .join(concept, concept.c.concept_id == exposure.c.drug_concept_id)
            .where(exposure.c.drug_concept_id != 0, exposure.c.drug_concept_id.not_in(mapped))
            .group_by(exposure.c.drug_concept_id, concept.c.concept_name)
            .order_by(sa.desc("n"), exposure.c.drug_concept_id)
        )
        if self.settings.person_ids is not None:
            query = query.where(exposure.c.person_id.in_(sorted(set(self.settings.person_ids))))
        try:
            with self.database.engine.connect() as connection:
                rows = connection.execute(query).all()
        except sa.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise DatabaseError(
                f"reading failed: {reason}",
                database=shown(self.database.location),
                table="drug_exposure",
            ) from None
        lines = self._orphans()
        if not rows:
            return lines
        total = sum(int(row[2]) for row in rows)
        top = ", ".join(f"{row[0]} {row[1]!r} ({row[2]})" for row in rows[:10])
        more = len(rows) - 10
        return [
            f"{total} exposures of {len(rows)} drug concepts that are neither catalog "
            f"antidepressants nor augmentation agents were not used; by drug_concept_id: {top}"
            + (f" and {more} more concepts" if more > 0 else ""),
            *lines,
        ]

    def _orphans(self) -> list[str]:
        """Rows for person_ids the person table does not hold: never read, so counted here."""
        if self.settings.person_ids is not None:
            return []
        person = self.database.tables["person"]
        lines = []
        for name in ("drug_exposure", "condition_occurrence"):
            table = self.database.tables[name]
            known = sa.select(person.c.person_id).where(person.c.person_id == table.c.person_id)
            query = sa.select(sa.func.count(), sa.func.count(sa.distinct(table.c.person_id))).where(
                ~sa.exists(known)
            )
            try:
                with self.database.engine.connect() as connection:
                    rows, persons = connection.execute(query).one()
            except sa.exc.SQLAlchemyError as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                raise DatabaseError(
                    f"reading failed: {reason}", database=shown(self.database.location), table=name
                ) from None
            if rows:
                lines.append(
                    f"{name}.person_id: {rows} rows of {persons} persons that are not in the "
                    "person table were not read"
                )
        return lines


@attrs.define
class _WorkerState:
    """What a worker keeps for a run: its own open database, the catalog and the codes."""

    database: CdmDatabase
    catalog: Catalog
    codes: Codes
    settings: RunSettings


def _worker_state(
    location: str, settings: RunSettings, version: str, catalog: Catalog
) -> _WorkerState:
    database = open_cdm(location, schema=settings.schema, version=version)
    return _WorkerState(database, catalog, codes_for(catalog), settings)


def _work(state: _WorkerState, block: Block) -> tuple[list[dict[str, Any]], list[str], Summary]:
    """One block of persons as documents, their warnings and the block's summary."""
    summary = Summary()
    documents: list[dict[str, Any]] = []
    warnings: list[str] = []
    for person in read_block(state.database, state.codes, block):
        document, found = person_documents(
            person, catalog=state.catalog, settings=state.settings.histories, summary=summary
        )
        warnings.extend(found)
        if document is not None:
            documents.append(document)
    return documents, warnings, summary
