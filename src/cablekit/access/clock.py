"""Today, for the policy: the real date, or the one ``CABLEKIT_TODAY`` fixes.

Declassification makes what a reader sees depend on the day; tests, reports and
reviews of the past pass a day explicitly or set the variable.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from ..errors import BadDate

ENV = "CABLEKIT_TODAY"


def parse_day(text: str) -> date:
    """An ISO date (2019-04-07), or a plain sentence naming the problem."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise BadDate(f"{text!r} is not a date; write it as YYYY-MM-DD") from error


def parse_since(text: str) -> str:
    """A moment of the audit log to read from (a day, or a time to the second, UTC) in
    the log's own spelling; anything else is refused (compared as text, a word such as
    ``yesterday`` would quietly match nothing)."""
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            return date.fromisoformat(cleaned).isoformat()
        moment = datetime.fromisoformat(cleaned.removesuffix("Z"))
    except ValueError as error:
        raise BadDate(
            f"{text!r} is not a date or time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ) from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> date:
    """``CABLEKIT_TODAY`` when set, else today's date in UTC."""
    fixed = os.environ.get(ENV)
    return parse_day(fixed) if fixed else datetime.now(UTC).date()


def now() -> str:
    """The time of an event, UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
