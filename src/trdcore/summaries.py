"""``evaluation-summary@1.2.0``: one history's verdicts under several definitions, compactly.

Verdicts only (status, counts, each trial's verdict), the input warnings and
the stages when asked for: the form large batches write, one line per
history. Each definition's full explanation is its
:meth:`Evaluator.document() <trdcore.evaluation.Evaluator.document>`.

A :class:`SummaryPanel` is several compiled definitions judging histories
together; the engine makes one per selection of definitions and keeps it. It
shares work between definitions that decide alike
(:class:`~trdcore.rules.adequacy.AdequacyPanel`) and between definitions that
count alike (equal :class:`~trdcore.evaluation.Counting`) and judged the
trials alike; both are derived from the compiled parameters, never listed by
hand.
"""

from __future__ import annotations

from typing import Any

import orjson

from trdcore.evaluation import Evaluator, Status, inferred_pointers, summary_item
from trdcore.facts import HistoryFacts
from trdcore.rules.adequacy import AdequacyPanel
from trdcore.rules.criteria import decision_key

__all__ = ["SummaryPanel"]


class SummaryPanel:
    """Several evaluators judging each history together, for summaries."""

    #: Serialised result items kept for reuse (a few hundred distinct ones are typical).
    FRAGMENTS = 1 << 14

    def __init__(self, evaluators: tuple[Evaluator, ...], version: str) -> None:
        self.evaluators = evaluators
        self.version = version
        self.refs = tuple(evaluator.entry.ref for evaluator in evaluators)
        chosen = {evaluator.dose_scheme for evaluator in evaluators}
        #: The dose scheme chosen for every definition in place of its own, as ``id@version``.
        self.dose_scheme: str | None = None
        if len(chosen) > 1:
            raise ValueError("one summary judges every definition by the same dose scheme")
        if chosen and (scheme := chosen.pop()) is not None:
            entry = evaluators[0].catalog.get("dose-scheme", scheme)
            self.dose_scheme = entry.ref if entry is not None else scheme
        self.adequacy = AdequacyPanel(tuple(evaluator.rules for evaluator in evaluators))
        self._no_trials: tuple[tuple[Any, ...], ...] = ((),) * len(evaluators)
        # Definitions that count alike get the same number (the keys themselves are large).
        numbers: dict[tuple[object, ...], int] = {}
        self._counting = tuple(
            numbers.setdefault(decision_key(evaluator.counting), len(numbers))
            for evaluator in evaluators
        )
        self._fragments: dict[Any, orjson.Fragment] = {}
        #: Whether any definition reads the whole history (conditions, next treatments).
        self._whole = any(evaluator.history_rule is not None for evaluator in evaluators)

    def results(self, facts: HistoryFacts, *, as_json: bool = False) -> list[Any]:
        """The summary ``results``: each evaluator's verdict of the history, in order.

        Definitions that count alike and judged the trials alike have the same outcome,
        worked out once. With ``as_json`` each item is its serialised JSON
        (an ``orjson.Fragment``), made once per distinct item and reused. Definitions with
        whole-history rules (:attr:`Evaluator.history_rule`) are settled one by one.
        """
        trials = facts.trials
        judge = self.adequacy.counts
        columns = zip(*[judge(item) for item in trials], strict=True) if trials else self._no_trials
        outcomes: dict[Any, tuple[Status, int, int, int, tuple[bool | None, ...]]] = {}
        results: list[Any] = []
        fragments = self._fragments
        # Inferred outcomes are the same for every definition without whole-history rules.
        inferred = inferred_pointers(trials)
        whole = self._whole
        for ref, evaluator, counting, column in zip(
            self.refs, self.evaluators, self._counting, columns, strict=True
        ):
            if whole and evaluator.history_rule is not None:
                settled = summary_item(ref, *evaluator.settled(facts))
                results.append(orjson.Fragment(orjson.dumps(settled)) if as_json else settled)
                continue
            if inferred:
                item = summary_item(
                    ref, *evaluator.counting.outcome(trials, column), None, inferred
                )
                results.append(orjson.Fragment(orjson.dumps(item)) if as_json else item)
                continue
            outcome = outcomes.get((counting, column))
            if outcome is None:
                outcome = outcomes[counting, column] = evaluator.counting.outcome(trials, column)
            if not as_json:
                results.append(summary_item(ref, *outcome))
                continue
            fragment = fragments.get((ref, outcome))
            if fragment is None:
                if len(fragments) >= self.FRAGMENTS:
                    fragments.clear()
                fragment = fragments[ref, outcome] = orjson.Fragment(
                    orjson.dumps(summary_item(ref, *outcome))
                )
            results.append(fragment)
        return results

    def document(
        self,
        facts: HistoryFacts,
        *,
        stages: list[dict[str, Any]] | None = None,
        source: str | None = None,
        line: int | None = None,
        as_json: bool = False,
    ) -> dict[str, Any]:
        """The summary document of one history (``source`` and ``line`` say where it was read)."""
        document: dict[str, Any] = {"schema": "evaluation-summary@1.2.0"}
        if facts.history_id:
            document["history_id"] = facts.history_id
        if source is not None:
            document["source"] = source
        if line is not None:
            document["line"] = line
        version = self.version
        document["as_of"] = facts.as_of.isoformat()
        if self.dose_scheme is not None:
            document["dose_scheme"] = self.dose_scheme
        if facts.inference is not None:
            document["infer_outcomes"] = facts.inference.to_json()
        document["catalog_version"] = version
        document["engine"] = {"name": "trdcore", "version": version}
        document["pointers"] = [item.pointer for item in facts.trials]
        document["results"] = self.results(facts, as_json=as_json)
        document["warnings"] = list(facts.warnings)
        if stages is not None:
            document["stages"] = stages
        return document

    def line(
        self,
        facts: HistoryFacts,
        *,
        stages: list[dict[str, Any]] | None = None,
        source: str | None = None,
        line: int | None = None,
    ) -> bytes:
        """:meth:`document` as one line of compact JSON (no newline), the same bytes as
        ``orjson.dumps(document(...))``; the results, which repeat from history to history,
        are serialised once each and reused."""
        return orjson.dumps(
            self.document(facts, stages=stages, source=source, line=line, as_json=True)
        )
