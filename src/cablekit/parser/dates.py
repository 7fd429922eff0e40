"""Dates as cables write them: DTGs, julian filing times, declassification dates.

Fuzzy forms go through an ordered list of small handlers; the first that
returns a value wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
MONTH_NAMES = {
    name: i
    for i, name in enumerate(
        [
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ],
        1,
    )
}


def full_year(yy: int) -> int:
    """Two-digit years 66-99 are 19xx, 00-65 are 20xx (Cablegate spans 1966-2010)."""
    return 1900 + yy if yy >= 66 else 2000 + yy


def dtg_to_iso(day: str, hhmm: str, month: str, year: str) -> str | None:
    """``07``, ``2102``, ``APR``, ``09`` -> ``2009-04-07T21:02:00Z``; None if impossible."""
    mon = MONTHS.get(month.upper())
    if mon is None:
        return None
    y = int(year)
    y = full_year(y) if y < 100 else y
    try:
        moment = datetime(y, mon, int(day), int(hhmm[:2]), int(hhmm[2:]))
    except ValueError:
        return None
    return utc_minute(moment)


def utc_minute(moment: datetime) -> str:
    """``2009-04-07T21:02:00Z`` (formatted by hand: strftime costs 15 us a call)."""
    m = moment
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:00Z"


def julian_to_iso(ddd: int, hhmm: str, year: int) -> str | None:
    """Day of year and time in the DTG's year (the DE line carries no year)."""
    if not 1 <= ddd <= 366:
        return None
    try:
        moment = datetime(year, 1, 1, int(hhmm[:2]), int(hhmm[2:])) + timedelta(days=ddd - 1)
    except ValueError:
        return None
    if moment.year != year:
        return None
    return utc_minute(moment)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _year(text: str) -> int:
    y = int(text)
    return y if y >= 100 else 2000 + y


_SLASHED_MDY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\b")
_ISO_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})\b")
_WORDY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Z]{3,9})\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})\b", re.I)


def _mdy(text: str) -> str | None:
    m = _SLASHED_MDY.match(text)
    return _iso(_year(m[3]), int(m[1]), int(m[2])) if m else None


def _ymd(text: str) -> str | None:
    m = _ISO_YMD.match(text)
    return _iso(int(m[1]), int(m[2]), int(m[3])) if m else None


def _wordy(text: str) -> str | None:
    m = _WORDY.match(text)
    if not m:
        return None
    word = m[2].upper()
    mon = MONTHS.get(word[:3]) if word in MONTH_NAMES or word in MONTHS else None
    if mon is None:
        return None
    return _iso(int(m[4]), mon, int(m[1] or m[3] or 1))


DATE_HANDLERS: tuple[Callable[[str], str | None], ...] = (_mdy, _ymd, _wordy)


def parse_date(text: str) -> str | None:
    """A declassification date in any form seen (spec 5.3) as ``YYYY-MM-DD``."""
    text = text.strip()
    for handler in DATE_HANDLERS:
        value = handler(text)
        if value:
            return value
    return None
