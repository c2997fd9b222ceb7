"""Antidepressants taken together are reported once per group, not once per pair (issue 16).

A Synthea patient with 151 overlapping orders got 8,001 overlap warnings per definition.
"""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import trdcore
from trdcore.facts import COMBINATION_OVERLAP_DAYS

DRUGS = ("sertraline", "escitalopram", "bupropion", "mirtazapine", "venlafaxine")
DAY0 = datetime.date(2024, 1, 1)


def history(spans: list[tuple[int, int]]) -> dict[str, Any]:
    trials = [
        {
            "drug": {"name": DRUGS[number % len(DRUGS)]},
            "start_date": (DAY0 + datetime.timedelta(days=start)).isoformat(),
            "end_date": (DAY0 + datetime.timedelta(days=start + length)).isoformat(),
        }
        for number, (start, length) in enumerate(spans)
    ]
    return {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": "2023-12-01"},
        "trials": trials,
    }


def combination_warnings(document: dict[str, Any]) -> list[Any]:
    [result] = trdcore.evaluate_all(
        document, as_of="2026-01-01", definitions=["two-trials-gaynes-2020"]
    ).results
    return [w for w in result.warnings or () if w.code == "combination"]


def groups_pairwise(spans: list[tuple[int, int]]) -> list[set[int]]:
    """The groups as the definition says: trials joined by overlaps of more than 14 days."""
    parent = list(range(len(spans)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for a, (start_a, length_a) in enumerate(spans):
        for b, (start_b, length_b) in enumerate(spans[:a]):
            overlap = min(start_a + length_a, start_b + length_b) - max(start_a, start_b)
            if overlap > COMBINATION_OVERLAP_DAYS:
                parent[root(a)] = root(b)
    found: dict[int, set[int]] = {}
    for index in range(len(spans)):
        found.setdefault(root(index), set()).add(index)
    return [group for group in found.values() if len(group) > 1]


def test_two_trials_taken_together_give_one_warning_with_the_days() -> None:
    [warning] = combination_warnings(history([(0, 90), (60, 90)]))
    assert warning.pointer == "/trials/1"
    assert "overlap by 30 days" in warning.message


def test_many_overlapping_orders_give_one_warning_naming_them_all() -> None:
    spans = [(day, 120) for day in range(151)]
    [warning] = combination_warnings(history(spans))
    assert "/trials/0 (sertraline)" in warning.message
    assert "/trials/150 (" in warning.message


def test_a_short_cross_taper_is_not_a_combination() -> None:
    assert combination_warnings(history([(0, 60), (50, 60)])) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 150)), min_size=2, max_size=12))
def test_the_one_pass_grouping_equals_grouping_by_every_pair(spans: list[tuple[int, int]]) -> None:
    warnings = combination_warnings(history(spans))
    expected = groups_pairwise(spans)
    named = sorted(_members(warning.message) for warning in warnings)
    assert named == sorted(sorted(group) for group in expected)


def _members(message: str) -> list[int]:
    head = message.split(" overlap")[0]
    return sorted(int(piece.split(" ")[0]) for piece in head.split("/trials/")[1:])
