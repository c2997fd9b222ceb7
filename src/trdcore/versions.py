"""Semantic versions and ``id@version`` references: one parser for every versioned thing.

Content items, schemas and results name each other as ``id@version`` with a
``MAJOR.MINOR.PATCH`` version (https://semver.org, without pre-release or
build parts, which no trdcore document uses). Versions compare as numbers,
so ``1.10.0`` is newer than ``1.9.0``.
"""

from __future__ import annotations

import re

import attrs

from trdcore.exceptions import TrdcoreError

__all__ = ["Reference", "Version"]

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@attrs.frozen(order=True)
class Version:
    """A ``MAJOR.MINOR.PATCH`` version; ordered as numbers."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """The version ``text`` spells; a :class:`~trdcore.exceptions.TrdcoreError` if none."""
        found = _VERSION.match(text) if isinstance(text, str) else None
        if found is None:
            raise TrdcoreError(f"{text!r} is not a version (MAJOR.MINOR.PATCH, such as 1.0.0)")
        return cls(*(int(part) for part in found.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@attrs.frozen
class Reference:
    """``id`` or ``id@version``: an item by its id, at one version or (without) the newest."""

    id: str
    version: Version | None = None

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Read ``"id"`` or ``"id@1.2.0"``."""
        if not isinstance(text, str) or not text.strip():
            raise TrdcoreError(f"{text!r} is not a reference (id or id@version)")
        identifier, at, version = text.strip().partition("@")
        return cls(identifier, Version.parse(version) if at else None)

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}@{self.version}"
