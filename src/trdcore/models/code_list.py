"""Published lists of diagnosis codes: which SNOMED CT or ICD-10-CM codes stand for a concept.

Records from EHRs and claims name a diagnosis by a code, in one of several code systems. A
list says, for one concept (major depression, bipolar disorder ...), exactly which codes a
publisher counts as it, so that every system is read by the same published definition and no
code is guessed. It names the published list (a VSAC value set) and the file the codes were
copied from, so that every code can be traced to its publisher.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

import attrs

from trdcore.models._json import JSON_KEY, DocumentModel, JsonModel
from trdcore.models.clinical_drug_list import CopiedFrom
from trdcore.models.common import Review, Status, Verification

__all__ = ["CodeList", "CodeListValueSet", "ListedCode", "TerminologyVersion"]


@attrs.frozen(kw_only=True)
class TerminologyVersion(JsonModel):
    """The release of one code system an expansion used, as the file states it."""

    system: str
    version: str


@attrs.frozen(kw_only=True)
class CodeListValueSet(JsonModel):
    """The published list: canonical URL, OID, name, version, expansion and releases used."""

    url: str
    version: str
    oid: str | None = None
    name: str | None = None
    expansion: str | None = None
    terminology_versions: tuple[TerminologyVersion, ...] | None = None


@attrs.frozen(kw_only=True)
class ListedCode(JsonModel):
    """One code of a list: its system, the code and the display the list gives it."""

    system: str
    code: str
    display: str


def _by_system(codes: tuple[ListedCode, ...]) -> Mapping[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for listed in codes:
        found.setdefault(listed.system, set()).add(listed.code)
    return {system: frozenset(values) for system, values in found.items()}


@attrs.frozen(kw_only=True)
class CodeList(DocumentModel):
    """A versioned, sourced list of the codes that stand for one concept (``code-list@1.0.0``).

    :meth:`contains` is asked once per coded record an importer reads, so the codes are
    indexed by system when the list is made (a lookup table of the value, not a cache: it
    depends on nothing else and is never written again).
    """

    SCHEMA_NAME: ClassVar[str] = "code-list"

    schema: Literal["code-list@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    title: str
    summary: str
    concept: str
    value_set: CodeListValueSet
    copied_from: CopiedFrom
    #: The ``codes`` of the document (named so that :meth:`codes` can be the lookup).
    listed: tuple[ListedCode, ...] = attrs.field(metadata={JSON_KEY: "codes"})
    sources: tuple[str, ...]
    verification: Verification
    notes: str | None = None
    review: Review | None = None
    _index: Mapping[str, frozenset[str]] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        metadata={JSON_KEY: None},
        default=attrs.Factory(lambda self: _by_system(self.listed), takes_self=True),
    )

    @property
    def systems(self) -> frozenset[str]:
        """The code systems the list has codes in."""
        return frozenset(self._index)

    def codes(self, system: str) -> frozenset[str]:
        """The list's codes in one code system (empty for a system it has no codes in)."""
        return self._index.get(system, frozenset())

    def contains(self, system: str, code: str) -> bool:
        """Whether ``code`` of ``system`` is in the list: exactly as written, nothing guessed
        (a code of another system, or ``F32.9`` written ``F329``, is not)."""
        return code in self._index.get(system, ())
