"""What a reader may see, computed plainly from generated markings: the test's oracle.

It shares nothing with ``cablekit.access``: the generator below draws each portion's
level, NOFORN flag, REL TO countries and special accesses as data, writes them into
marking strings for the archive, and this module decides from the data itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from cablekit.model import Cable, Paragraph

RANKS = {"U": 0, "SBU": 1, "LOU": 2, "C": 3, "S": 4, "TS": 5}
CLASS_NAMES = {
    "U": "UNCLASSIFIED",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "LOU": "LIMITED OFFICIAL USE",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
NATO_HERE = {"CAN", "GBR", "FRA"}  # of the citizenships the tests draw (AUS is not)
DISTRIBUTION = ("NODIS", "EXDIS", "LIMDIS", "ORCON")


@dataclass(frozen=True)
class Portion:
    """A marking as data: level (None: unknown), NOFORN, REL TO names, accesses."""

    level: str | None
    noforn: bool = False
    rel: tuple[str, ...] | None = None
    access: frozenset[str] = frozenset()

    def countries(self) -> set[str] | None:
        if self.rel is None:
            return None
        out: set[str] = set()
        for name in self.rel:
            out |= NATO_HERE if name == "NATO" else {name}
        return out


@dataclass(frozen=True)
class User:
    name: str
    clearance: str  # U C S TS
    citizenship: str | None
    access: frozenset[str]
    collections: frozenset[str]  # may hold "*"


@dataclass(frozen=True)
class Review:
    cable: int
    paragraph: int | None
    release: bool
    day: date


@dataclass
class Synthetic:
    """A generated cable: its record and what its markings mean."""

    cable: Cable
    header: Portion
    portions: list[Portion | None]  # None: an unmarked paragraph
    collections: list[str]
    reviews: list[Review] = field(default_factory=list)


def automatic_day(cable: Cable) -> date | None:
    if cable.declassify_on:
        return date.fromisoformat(cable.declassify_on)
    note = (cable.declassify_note or "").upper()
    if any(x in note for x in ("25X", "50X", "75X")):
        return None
    return date(int(cable.date[:4]) + 25, 12, 31) if cable.date else None


def is_released(s: Synthetic, paragraph: int | None, today: date) -> bool:
    for which in ([paragraph] if paragraph is not None else []) + [None]:
        decided = [r for r in s.reviews if r.paragraph == which and r.day <= today]
        if decided:
            return sorted(decided, key=lambda r: r.day)[-1].release  # the last of its day
    day = automatic_day(s.cable)
    return day is not None and day <= today


def cleared(user: User, portion: Portion) -> bool:
    rank = 5 if portion.level is None else RANKS[portion.level]
    if RANKS[user.clearance] < rank:
        return False
    us = user.citizenship == "USA"
    if portion.noforn and not us:
        return False
    allowed = portion.countries()
    if allowed is not None and not us and user.citizenship not in allowed:
        return False
    return portion.access <= user.access


def effective(s: Synthetic, n: int) -> Portion:
    """Paragraph ``n``'s marking: its own (plus the header's distribution), or the header's."""
    own = s.portions[n]
    if own is None:
        return s.header
    distribution = frozenset(a for a in s.header.access if a in DISTRIBUTION)
    return replace(own, access=own.access | distribution)


def cable_visible(user: User, s: Synthetic, today: date) -> bool:
    granted = "*" in user.collections or bool(user.collections & set(s.collections))
    return granted and (is_released(s, None, today) or cleared(user, s.header))


def paragraph_visible(user: User, s: Synthetic, n: int, today: date) -> bool:
    number = s.cable.paragraphs[n].number
    return is_released(s, number, today) or cleared(user, effective(s, n))


def view(user: User, s: Synthetic, today: date) -> Cable:
    """The reader's cable with withheld paragraphs dropped (for matching words)."""
    keep = tuple(
        p for n, p in enumerate(s.cable.paragraphs) if paragraph_visible(user, s, n, today)
    )
    return replace(s.cable, paragraphs=keep)


def withheld(user: User, s: Synthetic, today: date) -> list[Paragraph]:
    return [p for n, p in enumerate(s.cable.paragraphs) if not paragraph_visible(user, s, n, today)]
