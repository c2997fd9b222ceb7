"""The day an evaluation is as of: one reading of it for every public function."""

from __future__ import annotations

import datetime

from trdcore.exceptions import TrdcoreError

__all__ = ["as_date"]


def as_date(value: object, *, name: str = "as_of") -> datetime.date:
    """A date given as a :class:`datetime.date` or an ISO string (``2026-11-27``).

    Anything else (a datetime, a number, another string) is a clear
    :class:`~trdcore.exceptions.TrdcoreError`: evaluations are as of a day.
    """
    if value.__class__ is datetime.date:
        return value
    if isinstance(value, datetime.datetime):
        raise TrdcoreError(
            f"{name} must be a date, not a datetime ({value.isoformat()}): pass "
            f"{value.date().isoformat()!r} or value.date()"
        )
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise TrdcoreError(f"{name} must be an ISO date such as 2026-11-27, not {value!r}")
    raise TrdcoreError(
        f"{name} must be a datetime.date or an ISO date string such as '2026-11-27', "
        f"not {type(value).__name__}"
    )
