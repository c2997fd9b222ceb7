"""Why definitions disagree about one history, in sentences.

A history met under one definition and not under another usually differs in
a few trials: counted there, set aside here for a reason. These sentences
name those trials and the reasons, from the evaluation-result documents alone,
so the batch, the API and the command line word them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["explain_differences"]


def explain_differences(results: Iterable[Mapping[str, Any]]) -> list[str]:
    """A sentence for each definition that is not met where others are, saying why.

    Takes evaluation-result documents ("met under two-trials-gaynes-2020@2.0.0 but not
    under different-classes@2.0.0: ...").
    """
    results = list(results)
    met = [result for result in results if result["status"] == "met"]
    sentences = []
    for other in results:
        if other["status"] == "met" or not met:
            continue
        by_reason: dict[str, list[str]] = {}
        for first in met:
            by_reason.setdefault(_difference(first, other), []).append(first["definition"])
        for reason, names in by_reason.items():
            verb = "not under" if other["status"] == "not_met" else "undecided under"
            sentences.append(f"met under {_join(names)} but {verb} {other['definition']}: {reason}")
    return sentences


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _difference(met: Mapping[str, Any], other: Mapping[str, Any]) -> str:
    counted_there = {t["pointer"] for t in met["trials"] if t["counted"]}
    reasons = [
        f"{t['pointer']}{' (' + t['drug_input'] + ')' if t.get('drug_input') else ''} {t['reason']}"
        for t in other["trials"]
        if t["pointer"] in counted_there and not t["counted"]
    ]
    return "; ".join(reasons) if reasons else str(other.get("explanation", ""))
