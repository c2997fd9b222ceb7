"""Dose schemes: named tables of minimum adequate daily doses that definitions judge doses by."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from trdcore.models._json import DocumentModel
from trdcore.models.common import Review, Status, Verification

__all__ = ["DoseScheme"]


@attrs.frozen(kw_only=True)
class DoseScheme(DocumentModel):
    """A dose scheme: what its minimums mean and where they come from.

    The per-drug minimums live with the drugs (``Drug.adequate_doses``, each naming its
    scheme), so a drug's record carries every threshold it is judged by; the scheme holds
    what they have in common: the rule that says which dose of which document a minimum is,
    so that each value can be checked against its source.
    """

    SCHEMA_NAME: ClassVar[str] = "dose-scheme"

    schema: Literal["dose-scheme@1.0.0"] | None = None
    id: str
    version: str
    status: Status
    title: str
    summary: str
    rule: str
    sources: tuple[str, ...]
    verification: Verification
    note: str | None = None
    review: Review | None = None
