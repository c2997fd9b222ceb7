"""Failures inferred from the treatment that followed: what claims-style data allow.

Pharmacy fills and drug eras say what was taken and when, never how it went.
Claims-based studies read a trial as failed when the person moved on: another
antidepressant (a different drug) started, or an augmentation agent was added.
Two forms of that reading live here, both opt-in, both labelled in every
history and result that uses them:

- :class:`SwitchInference` (``trdcore evaluate --infer-outcomes switch
  --switch-days N``, and the same option of ``trdcore import omop``) gives a
  trial whose outcome is not recorded the outcome ``non-response`` when such a
  treatment starts no more than N days after the trial ended (or while it
  ran). N has no default: the studies that use the rule disagree on it and on
  where it is counted from (see docs/plugins/omop.md, "Inferred outcomes").
- :class:`NextTreatmentRule` is a definition's ``non_response`` method
  ``next-treatment`` (the OHDSI phenotype 1009): a start of a listed
  treatment marks the trials that began before it, and ended no more than
  ``within_days`` days before it, as failed; the trials marked by one start are
  counted together (its index event).

Both read the trials' spans as :func:`~trdcore.facts.read_history` made them
(an ongoing trial runs to the evaluation date) and compare drugs by catalog
identity, so a restart of the same drug is not a switch.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, NamedTuple

import attrs

from trdcore.catalog import Catalog
from trdcore.exceptions import UsageError
from trdcore.facts import TrialFacts

__all__ = [
    "RXNORM",
    "IndexEvent",
    "NextTreatmentRule",
    "SwitchInference",
    "drug_codes",
    "switch_inference",
    "trial_drug_refs",
]

#: The RxNorm code system URI (trial drugs and drug code lists are compared by RxCUI).
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_NOT_RECORDED = (None, "unknown")


def drug_codes(catalog: Catalog) -> dict[str, frozenset[str]]:
    """By drug ``id@version``: its RxNorm ingredient codes in the catalog."""
    return {
        entry.ref: frozenset(
            coding.code for coding in entry.model.codings or () if coding.system == RXNORM
        )
        for entry in catalog.items("drug")
    }


def trial_drug_refs(parameters: Any, catalog: Catalog) -> frozenset[str] | None:
    """The drugs (``id@version``) whose RxNorm codes are in the definition's ``trial_drugs``
    code lists, or None when the definition has none (every antidepressant counts)."""
    rule = parameters.trial_drugs
    if rule is None:
        return None
    lists = [catalog.code_list(name) for name in rule.code_lists]
    return frozenset(
        ref
        for ref, codes in drug_codes(catalog).items()
        if any(listed.contains(RXNORM, code) for listed in lists for code in codes)
    )


def _start(item: TrialFacts) -> datetime.date | None:
    return item.span[0] if item.span is not None else None


@attrs.frozen
class SwitchInference:
    """Infer ``non-response`` for trials without a recorded outcome when another
    antidepressant (a different drug) started after the trial began, or an augmentation
    agent on or after its first day, no more than ``within_days`` days after it ended.

    Only top-level trials are read (an agent recorded inside a trial's ``augmentation`` is
    part of that trial); a treatment that starts after the evaluation date is not known yet.
    """

    within_days: int

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.within_days <= 3660:
            raise UsageError(
                f"--switch-days must be between 0 and 3660 days, not {self.within_days}"
            )

    def to_json(self) -> dict[str, Any]:
        """As the summary's ``infer_outcomes`` records it."""
        return {"method": "switch", "within_days": self.within_days}

    def label(self, item: TrialFacts, after: TrialFacts) -> dict[str, Any]:
        """The ``outcome_inferred`` block of a trial followed by ``after``."""
        start = _start(after)
        assert start is not None
        label: dict[str, Any] = {
            "method": "switch",
            "within_days": self.within_days,
            "next_start": start.isoformat(),
        }
        if after.drug_input:
            label["next_drug"] = after.drug_input[:200]
        if after.trial_id:
            label["next_trial"] = after.trial_id
        return label

    def followed_by(self, trials: Sequence[TrialFacts]) -> dict[int, int]:
        """For each trial without a recorded outcome that another treatment followed, the
        position of the first one that did (by start date, then position)."""
        drugs = [
            (position, item)
            for position, item in enumerate(trials)
            if item.span is not None and item.kind in ("antidepressant", "augmentation")
        ]
        drugs.sort(key=lambda pair: (pair[1].span[0], pair[0]))  # type: ignore[index]
        limit = datetime.timedelta(days=self.within_days)
        found: dict[int, int] = {}
        for position, item in drugs:
            if item.outcome not in _NOT_RECORDED or item.kind != "antidepressant":
                continue
            assert item.span is not None
            first, last = item.span
            latest = last + limit
            for other_position, other in drugs:
                start = other.span[0]  # type: ignore[index]
                if start > latest or start > item.as_of:  # type: ignore[operator]
                    break
                if other_position == position or start < first:
                    continue
                if other.kind == "augmentation" or (
                    start > first and other.identity != item.identity
                ):
                    found[position] = other_position
                    break
        return found

    def apply(self, trials: tuple[TrialFacts, ...]) -> tuple[TrialFacts, ...]:
        """The trials with each inferred outcome filled in and labelled."""
        followed = self.followed_by(trials)
        if not followed:
            return trials
        return tuple(
            item._replace(
                outcome="non-response", inferred=self.label(item, trials[followed[position]])
            )
            if position in followed
            else item
            for position, item in enumerate(trials)
        )


def switch_inference(method: str | None, days: int | None) -> SwitchInference | None:
    """The inference that ``--infer-outcomes switch --switch-days N`` ask for (None without
    them); one without the other, or a method other than switch, is a UsageError."""
    if method is None:
        if days is not None:
            raise UsageError("--switch-days applies with --infer-outcomes switch")
        return None
    if method != "switch":
        raise UsageError(f"--infer-outcomes knows one method, switch, not {method!r}")
    if days is None:
        raise UsageError(
            "--infer-outcomes switch needs --switch-days DAYS: the window has no default, "
            "because the studies that use it disagree (see docs/plugins/omop.md)"
        )
    return SwitchInference(days)


class IndexEvent(NamedTuple):
    """A start of a listed treatment and the trials it marks as failed."""

    position: int
    start: datetime.date
    #: The positions of the trials it marks failed, one per drug (the first of each).
    failed: tuple[int, ...]
    needed: int


@attrs.frozen
class NextTreatmentRule:
    """A definition's ``next-treatment`` non-response method, compiled (see the module)."""

    within_days: int
    #: Per next treatment: (the drug refs of its code lists, failed trials needed, same day).
    starts: tuple[tuple[frozenset[str], int, bool], ...]
    #: Drug refs whose trials can be marked failed (None: every antidepressant).
    trial_drugs: frozenset[str] | None

    @classmethod
    def compile(
        cls, rule: Any, trial_drugs: frozenset[str] | None, catalog: Catalog
    ) -> NextTreatmentRule:
        codes = drug_codes(catalog)
        starts = []
        for item in rule.next_treatments:
            lists = [catalog.code_list(name) for name in item.code_lists]
            refs = frozenset(
                ref
                for ref, found in codes.items()
                if any(c.contains(RXNORM, code) for c in lists for code in found)
            )
            starts.append((refs, item.min_failed_trials, item.same_day))
        return cls(rule.within_days, tuple(starts), trial_drugs)

    def candidates(self, trials: Sequence[TrialFacts], as_of: datetime.date) -> list[IndexEvent]:
        """Every start of a listed treatment, up to ``as_of``, that follows enough trials of
        different drugs, earliest first (the first is the index unless a required condition
        is missing there)."""
        limit = datetime.timedelta(days=self.within_days)
        listed = self.trial_drugs
        eligible = [
            (position, item)
            for position, item in enumerate(trials)
            if item.span is not None
            and item.drug is not None
            and item.kind == "antidepressant"
            and (listed is None or item.drug.ref in listed)
        ]
        found: list[IndexEvent] = []
        for position, item in enumerate(trials):
            start = _start(item)
            if start is None or item.drug is None or start > as_of:
                continue
            for refs, needed, same_day in self.starts:
                if item.drug.ref not in refs:
                    continue
                failed: dict[str, int] = {}
                for other_position, other in eligible:
                    first, last = other.span  # type: ignore[misc]
                    if other_position == position or other.identity == item.identity:
                        continue
                    if (first < start or (same_day and first == start)) and last >= start - limit:
                        failed.setdefault(other.identity, other_position)
                if len(failed) >= needed:
                    found.append(
                        IndexEvent(position, start, tuple(sorted(failed.values())), needed)
                    )
                    break
        found.sort(key=lambda event: (event.start, event.position))
        return found

    def label(self, index: IndexEvent, trials: Sequence[TrialFacts]) -> dict[str, Any]:
        """The ``outcome_inferred`` block of a trial the index marks failed."""
        after = trials[index.position]
        label: dict[str, Any] = {
            "method": "next-treatment",
            "within_days": self.within_days,
            "next_start": index.start.isoformat(),
            "next_pointer": after.pointer,
        }
        if after.drug_input:
            label["next_drug"] = after.drug_input[:200]
        if after.trial_id:
            label["next_trial"] = after.trial_id
        return label

    def mark(
        self, index: IndexEvent | None, trials: tuple[TrialFacts, ...]
    ) -> tuple[TrialFacts, ...]:
        """The trials with those the index marks failed labelled (``inferred``), and every
        other trial's inference cleared (only the index's trials are counted)."""
        marked = set(index.failed) if index is not None else set()
        label = self.label(index, trials) if index is not None else None
        return tuple(
            item._replace(outcome="non-response", inferred=label)
            if position in marked
            else item._replace(inferred=None)
            for position, item in enumerate(trials)
        )
