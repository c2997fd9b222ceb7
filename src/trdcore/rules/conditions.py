"""Rules that read a history's recorded conditions: exclusions and a required diagnosis.

Research phenotypes and quality measures leave out people with some
diagnoses (bipolar disorder, schizophrenia and other psychoses, dementia) and
may need a depression diagnosis shortly before the index treatment. A
definition names the code lists of the catalog that hold those diagnoses
(``exclusions``, ``required_condition``); a recorded condition is in a list
when one of its codings (system and code) is. Both read only conditions up to
a date: the evaluation date, or for definitions that infer failures from the
next treatment, that treatment's start (see :mod:`trdcore.rules.whole_history`).

A history without a ``conditions`` field has none on record: neither rule can
be checked, which a result reports as missing data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from trdcore.catalog import Catalog
from trdcore.facts import ConditionFacts

__all__ = ["CodeSet", "ConditionRules"]


@attrs.frozen
class CodeSet:
    """The codes of some code lists: by (system, code), the ``id@version`` of its list."""

    lists: tuple[str, ...]
    codes: Mapping[tuple[str, str], str]

    @classmethod
    def of(cls, ids: Iterable[str], catalog: Catalog) -> CodeSet:
        """The codes of the catalog's code lists ``ids`` (an unknown id is an
        UnknownTargetError that lists the code lists there are)."""
        codes: dict[tuple[str, str], str] = {}
        refs = []
        for name in ids:
            entry = catalog.resolve("code-list", name)
            refs.append(entry.ref)
            for code in entry.model.listed:
                codes.setdefault((code.system, code.code), entry.ref)
        return cls(tuple(refs), codes)

    def match(self, condition: ConditionFacts) -> str | None:
        """The list (``id@version``) one of the condition's codes is in, if any."""
        codes = self.codes
        for pair in condition.codes:
            found = codes.get(pair)
            if found is not None:
                return found
        return None


@attrs.frozen
class ConditionRules:
    """A definition's ``exclusions`` and ``required_condition``, compiled."""

    exclusions: CodeSet | None
    required: CodeSet | None
    days_before: int

    @classmethod
    def compile(cls, parameters: Any, catalog: Catalog) -> ConditionRules | None:
        """The rules of a definition's parameters, or None when it has neither."""
        exclusions, required = parameters.exclusions, parameters.required_condition
        if exclusions is None and required is None:
            return None
        return cls(
            CodeSet.of(exclusions.code_lists, catalog) if exclusions is not None else None,
            CodeSet.of(required.code_lists, catalog) if required is not None else None,
            required.days_before if required is not None else 0,
        )

    def exclusion(
        self, conditions: Sequence[ConditionFacts], up_to: datetime.date
    ) -> tuple[ConditionFacts, str] | None:
        """The first condition of the exclusion lists recorded on or before ``up_to``."""
        found = self.exclusions
        if found is None:
            return None
        for condition in conditions:
            if condition.date > up_to:
                break
            listed = found.match(condition)
            if listed is not None:
                return condition, listed
        return None

    def required_before(
        self, conditions: Sequence[ConditionFacts], day: datetime.date
    ) -> ConditionFacts | None:
        """A condition of the required lists recorded in the ``days_before`` days up to
        ``day`` (both ends included); None when there is none or nothing is required."""
        found = self.required
        if found is None:
            return None
        earliest = day - datetime.timedelta(days=self.days_before)
        for condition in conditions:
            if condition.date > day:
                break
            if condition.date >= earliest and found.match(condition) is not None:
                return condition
        return None

    @staticmethod
    def exclusion_json(condition: ConditionFacts, listed: str) -> dict[str, Any]:
        """The result's ``exclusion`` block."""
        data: dict[str, Any] = {
            "code_list": listed,
            "condition": condition.pointer,
            "date": condition.date.isoformat(),
        }
        if condition.coding is not None:
            data["coding"] = dict(condition.coding)
        if condition.name:
            data["name"] = condition.name
        return data
