"""trdcore's built-in content rules, in report order.

:mod:`trdcore.default_plugins.rules` registers them. Each rule family has its own
module: :mod:`~trdcore.lint.reading_rules`, :mod:`~trdcore.lint.wording_rules`,
:mod:`~trdcore.lint.source_and_review_rules`, :mod:`~trdcore.lint.claim_rules` and
:mod:`~trdcore.lint.review_instrument_rules`; their shared shape is
:class:`~trdcore.lint.base_rule.BuiltinRule`.
"""

from __future__ import annotations

from trdcore.lint.base_rule import BuiltinRule
from trdcore.lint.claim_rules import CitableSources, TraceableClaims
from trdcore.lint.reading_rules import JargonDefined, ReadingGrade, SentenceLength
from trdcore.lint.review_instrument_rules import ClearCommunicationIndex, Pemat
from trdcore.lint.source_and_review_rules import ReviewFreshness, Sourced, TranslationCurrent
from trdcore.lint.wording_rules import CrisisResource, PersonFirstLanguage, SafeMessaging

__all__ = ["BUILTIN_RULES"]

BUILTIN_RULES: tuple[type[BuiltinRule], ...] = (
    ReadingGrade,
    SentenceLength,
    JargonDefined,
    SafeMessaging,
    PersonFirstLanguage,
    CrisisResource,
    Sourced,
    TraceableClaims,
    CitableSources,
    ReviewFreshness,
    TranslationCurrent,
    Pemat,
    ClearCommunicationIndex,
)
