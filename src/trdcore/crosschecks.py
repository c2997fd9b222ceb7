"""Checks that need more than one field, which JSON Schema cannot express.

They run after the schema check passes and report :class:`Issue` values with
JSON pointers, exactly like schema problems, so callers see one list. (Rules
that fit in JSON Schema, such as each rating scale's possible range, live in
the schemas, where the compiled validator checks them.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trdcore.exceptions import Issue

__all__ = ["advisories_for", "crosscheck", "crosscheck_for"]


def crosscheck(document: Mapping[str, Any], schema_name: str) -> list[Issue]:
    """Cross-field problems in a document that already passed its schema."""
    check = _CHECKS.get(schema_name)
    return check(document) if check else []


def crosscheck_for(schema_name: str) -> Callable[[Mapping[str, Any]], list[Issue]] | None:
    """The cross-field check of a schema, if it has one (for loops that call it often)."""
    return _CHECKS.get(schema_name)


# These run on every document of a batch, so they are written for speed:
# plain loops appending to one list, helpers called only when there is work.


def _period_issues(item: Mapping[str, Any], pointer: str, found: list[Issue]) -> None:
    start, end = item.get("start_date"), item["end_date"]
    # ISO dates compare correctly as text; "unknown" on either side decides nothing.
    if start is not None and start != "unknown" and end != "unknown" and end < start:
        found.append(
            Issue(f"{pointer}/end_date", "date-order", f"ends ({end}) before it starts ({start})")
        )
    if end is not None and item.get("ongoing"):
        found.append(
            Issue(
                f"{pointer}/ongoing",
                "ongoing-with-end",
                "marked ongoing but also has an end_date; keep one",
            )
        )


def _treatment_history(document: Mapping[str, Any]) -> list[Issue]:
    found: list[Issue] = []
    for group in ("trials", "courses"):
        items = document.get(group)
        if not items:
            continue
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if "end_date" in item:
                _period_issues(item, f"/{group}/{index}", found)
            if "outcome_inferred" in item and item.get("outcome") != "non-response":
                found.append(
                    Issue(
                        f"/{group}/{index}/outcome",
                        "inferred-outcome",
                        "outcome_inferred says the outcome was inferred as a non-response, "
                        f"but the outcome is {item.get('outcome', 'not recorded')!r}",
                    )
                )
            agents = item.get("augmentation")
            if agents:
                for number, agent in enumerate(agents):
                    if "end_date" in agent:
                        _period_issues(agent, f"/{group}/{index}/augmentation/{number}", found)
            identifier = item.get("id")
            if identifier is None:
                continue
            if identifier in seen:
                found.append(
                    Issue(
                        f"/{group}/{index}/id",
                        "unique-id",
                        f"id {identifier!r} is already used by /{group}/{seen[identifier]}",
                    )
                )
            else:
                seen[identifier] = index
    return found


def _staging_model(document: Mapping[str, Any]) -> list[Issue]:
    return [
        Issue(f"/bands/{index}", "band-order", "min_score is greater than max_score")
        for index, band in enumerate(document.get("bands", ()))
        if band["min_score"] > band["max_score"]
    ]


def _treatment_history_advisories(document: Mapping[str, Any]) -> list[Issue]:
    """Warnings, not errors: trials and courses that ended before the episode began.

    The document stays valid (a history may record earlier treatment), but no definition that
    counts the current episode's trials counts these, which the person entering them should
    know.
    """
    began = document["episode"].get("start_date")
    if began is None or began == "unknown":
        return []
    found: list[Issue] = []
    for group in ("trials", "courses"):
        for index, item in enumerate(document.get(group) or ()):
            end = item.get("end_date")
            if end is not None and end != "unknown" and end < began:
                found.append(
                    Issue(
                        f"/{group}/{index}/end_date",
                        "before-episode",
                        f"ended on {end}, before the episode began on {began}: definitions "
                        "that count the current episode do not count it",
                    )
                )
    return found


def advisories_for(schema_name: str) -> Callable[[Mapping[str, Any]], list[Issue]] | None:
    """The warnings check of a schema, if it has one: findings that leave a document valid."""
    return _ADVISORIES.get(schema_name)


_ADVISORIES: dict[str, Callable[[Mapping[str, Any]], list[Issue]]] = {
    "treatment-history": _treatment_history_advisories,
}

_CHECKS: dict[str, Callable[[Mapping[str, Any]], list[Issue]]] = {
    "treatment-history": _treatment_history,
    "staging-model": _staging_model,
}
