"""The access policy: which cable, and which paragraph of it, a reader may see on a day.

This module is the whole policy; everything else asks it. Read it top to bottom.

**Markings.** A cable's *header* (subject, TAGS, addressees, REF line, and every
other field outside the paragraphs) carries the cable's classification and its
caveats. A *paragraph* carries its portion marking (``C``, ``S//NF``,
``S/REL TO NATO/AUS``); an unmarked paragraph, and the subject, carry the cable's.
Distribution captions (NODIS, EXDIS, LIMDIS, ORCON) in the header bind every
paragraph. A cable whose classification is unknown is treated as TOP SECRET: when
the archive cannot read a marking, it withholds (fails closed).

**Readers.** A reader has a clearance (UNCLASSIFIED .. TOP SECRET), a citizenship
(a trigraph, ``USA`` for the United States), special accesses (NODIS, EXDIS, LIMDIS,
ORCON) and grants on collections (named sets of cables; ``*`` grants them all).

**Rules.** A portion is visible when, in this order:

1. the reader's clearance is at least its level;
2. NOFORN: the reader is a US citizen;
3. REL TO: the reader is a US citizen or a citizen of a listed country (or of a
   member of a listed group, such as NATO);
4. NODIS, EXDIS, LIMDIS, ORCON: the reader holds that access.

A cable is visible when the reader holds a grant on one of its collections and its
header is visible. A paragraph is visible when its cable is and it is.

**Declassification.** On a given day a portion that has been *released* is visible to
every reader of its cable, whatever its marking. A cable is released by its
declassification date (``DECL: 04/07/2019``); a cable with no date (OADR, N/A, none)
by the automatic declassification of E.O. 13526 §3.3, on 31 December of the year it
turns 25, unless a 25-year exemption is marked (``25X1``, ``50X1-HUM``, ``75X``...);
and by review decisions recorded in the archive, which win over both from the day
they are taken: the latest decision on a paragraph, else the latest on the cable.

Every decision carries its reason. The same rules exist twice here, and a test holds
them equal: as Python (:func:`decide`, :func:`released`) for rendering a record, and
as SQL (:func:`scope_for`) that every query of the archive embeds, so that nothing a
reader may not see ever enters a match, a count, a facet or a snippet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..errors import AccessError
from ..markings import level, marking_classification, marking_level, marking_noforn
from ..markings import marking_release as _marking_release
from ..model import CLASSIFICATIONS, Cable, Paragraph
from .countries import US, country, release_list

if TYPE_CHECKING:  # the search package imports the store, which imports this module
    from ..search.sql import Scope

TOP_SECRET = len(CLASSIFICATIONS) - 1
UNKNOWN_LEVEL = TOP_SECRET  # an unreadable classification withholds

# What a portion requires, as bits: one for NOFORN, one per special access.
NOFORN = 1
SPECIAL_ACCESS = {"NODIS": 2, "EXDIS": 4, "LIMDIS": 8, "ORCON": 16}
ALL_BITS = NOFORN | sum(SPECIAL_ACCESS.values())
_CAPTION_ALIASES = {"NODIF": "NODIS", "OC": "ORCON"}
_WORDS = re.compile(r"[A-Z]+")
_EXEMPT = re.compile(r"\b(?:25|50|75)X\d?")
AUTOMATIC_YEARS = 25


# --- who reads ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reader:
    """A user as the policy sees them (their groups' accesses and grants merged in)."""

    name: str
    clearance: int
    citizenship: str | None
    access: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()

    @property
    def us(self) -> bool:
        return self.citizenship == US

    @property
    def bits(self) -> int:
        """The requirement bits this reader satisfies (NOFORN only as a US citizen)."""
        held = sum(SPECIAL_ACCESS[a] for a in self.access if a in SPECIAL_ACCESS)
        return held | (NOFORN if self.us else 0)

    @property
    def all_collections(self) -> bool:
        return "*" in self.collections


# --- what a portion requires ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a portion (a header, a subject, a paragraph) asks of its reader."""

    level: int
    bits: int = 0
    release: frozenset[str] | None = None  # REL TO countries, when there is a list

    def implied_by(self, other: Requirement) -> bool:
        """Whether every reader who satisfies ``other`` satisfies this one too."""
        if self.level > other.level or self.bits & ~other.bits:
            return False
        if self.release is None:
            return True
        return other.release is not None and other.release <= self.release


def _special(words: Sequence[str]) -> int:
    bits = 0
    for word in words:
        bits |= SPECIAL_ACCESS.get(_CAPTION_ALIASES.get(word, word), 0)
    return bits


def cable_requirement(cable: Cable) -> Requirement:
    """The header's requirement: the cable's classification and captions."""
    lvl = level(cable.classification)
    words = [w for caveat in cable.caveats for w in _WORDS.findall(caveat.upper())]
    rel = next((c for c in cable.caveats if c.upper().startswith("REL")), None)
    return Requirement(
        UNKNOWN_LEVEL if lvl is None else lvl,
        _special(words) | (NOFORN if "NOFORN" in words else 0),
        _release(rel),
    )


def paragraph_requirement(header: Requirement, paragraph: Paragraph) -> Requirement:
    """A paragraph's requirement: its portion marking's, or the header's when unmarked;
    the header's distribution captions always."""
    marking = paragraph.marking
    if marking_classification(marking) is None:
        return header
    words = _WORDS.findall((marking or "").upper())
    distribution = header.bits & ~NOFORN
    return Requirement(
        marking_level(marking, header.level),
        distribution | _special(words) | (NOFORN if marking_noforn(marking) else 0),
        _release(marking),
    )


def _release(marking: str | None) -> frozenset[str] | None:
    listed = _marking_release(marking)
    return release_list(listed) if listed else None


# --- decisions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a portion is shown, and why, in words fit for the reader."""

    visible: bool
    reason: str


def decide(reader: Reader | None, need: Requirement) -> Decision:
    """The rules 1-4 above, for a reader of the archive (None: a public archive)."""
    if reader is None:
        return Decision(True, "visible: the archive is public")
    if reader.clearance < need.level:
        return Decision(
            False,
            f"withheld: {CLASSIFICATIONS[need.level]} needs a {CLASSIFICATIONS[need.level]}"
            f" clearance",
        )
    if need.bits & NOFORN and not reader.us:
        return Decision(False, "withheld: NOFORN needs US citizenship")
    if need.release is not None and not reader.us and reader.citizenship not in need.release:
        return Decision(False, "withheld: REL TO does not list your country")
    for name, bit in SPECIAL_ACCESS.items():
        if need.bits & bit and name not in reader.access:
            return Decision(False, f"withheld: {name} needs {name} access")
    return Decision(True, "visible: cleared")


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A declassification review decision: release or withhold, from ``day`` on."""

    paragraph: int | None  # None: the whole cable
    release: bool
    day: date
    reviewer: str
    reason: str


@dataclass(frozen=True, slots=True)
class Declassification:
    """What decides when a cable is released: its date, and the reviews."""

    day: date | None  # the automatic release day (its date, or the 25-year rule)
    reviews: tuple[ReviewDecision, ...] = ()


def automatic_release(cable: Cable) -> date | None:
    """The day a cable declassifies itself: its DECL date; else, unless a 25-year
    exemption is marked, 31 December of the year it turns 25; None when never known."""
    if cable.declassify_on:
        try:
            return date.fromisoformat(cable.declassify_on[:10])
        except ValueError:
            pass  # an unreadable date: as if there were none
    if _EXEMPT.search((cable.declassify_note or "").upper()):
        return None
    if cable.date:
        return date(int(cable.date[:4]) + AUTOMATIC_YEARS, 12, 31)
    return None


def released(facts: Declassification, paragraph: int | None, today: date) -> Decision:
    """Whether a paragraph (None: the header) is released on ``today``, and why."""
    for scope in ((paragraph,) if paragraph is not None else ()) + (None,):
        decisions = [r for r in facts.reviews if r.paragraph == scope and r.day <= today]
        if decisions:
            last = decisions[-1]  # reviews come in the order they were taken
            verb = "released" if last.release else "withheld"
            return Decision(
                last.release, f"{verb} by review ({last.reviewer}, {last.day}): {last.reason}"
            )
    if facts.day is not None and facts.day <= today:
        return Decision(True, f"released: declassified on {facts.day}")
    return Decision(False, "classified")


def portion_decision(
    reader: Reader | None,
    need: Requirement,
    facts: Declassification,
    paragraph: int | None,
    today: date,
) -> Decision:
    """A portion on a day: released portions are shown; others follow the rules."""
    if reader is None:
        return decide(None, need)
    release = released(facts, paragraph, today)
    return release if release.visible else decide(reader, need)


def granted(reader: Reader | None, collections: Sequence[str]) -> Decision:
    if reader is None or reader.all_collections or reader.collections.intersection(collections):
        return Decision(True, "visible: granted")
    return Decision(False, "withheld: no grant on the cable's collections")


# --- the same rules, as SQL ------------------------------------------------------------
#
# The store keeps, for each cable, its header's requirement (``level``, ``need`` bits,
# ``rel`` as " CAN GBR ... "), its automatic release day ``declass`` and ``rv`` (1 when
# it has review decisions). A paragraph whose requirement is not implied by its
# header's (and every paragraph of a reviewed cable) is kept in the small ``guard``
# table with the same columns: every other paragraph is visible exactly when its cable
# is, so matches need no look-up for it.


def release_text(release: frozenset[str] | None) -> str | None:
    """A REL TO list as stored: trigraphs between spaces, found with ``instr``."""
    return " " + " ".join(sorted(release)) + " " if release is not None else None


def scope_for(reader: Reader, today: date, collection_keys: Sequence[int] | None) -> Scope:
    """The SQL conditions for ``reader`` on ``today``. ``collection_keys`` are the keys
    of the collections the reader holds grants on (None: all of them)."""
    from ..search.sql import Scope

    day = today.isoformat()
    cable_sql, cable_params = _visible("c", "c.key", None, reader, day)
    if collection_keys is not None:
        marks = ",".join("?" * len(collection_keys)) or "NULL"
        cable_sql += (
            " AND c.key IN (SELECT cc.cable_key FROM cable_collection cc"
            f" WHERE cc.collection_key IN ({marks}))"
        )
        cable_params += list(collection_keys)
    guard_sql, guard_params = _visible("g", "g.cable_key", "g.number", reader, day)
    hidden = f"SELECT g.rowid FROM guard g WHERE NOT coalesce({guard_sql}, 0)"
    return Scope(
        units=f"u.rowid NOT IN ({hidden})",
        unit_params=tuple(guard_params),
        cables=f"({cable_sql})",
        cable_params=tuple(cable_params),
        name=reader.name,
        rowids=f"{{rowid}} NOT IN ({hidden})",
        hidden=hidden,
    )


def _visible(
    alias: str, cable_key: str, number: str | None, reader: Reader, day: str
) -> tuple[str, list[object]]:
    """``released OR cleared`` over a row with the policy columns."""
    released, params = released_sql(alias, cable_key, number, day)
    cleared = [f"{alias}.level <= ?", f"({alias}.need & ?) = 0"]
    params += [reader.clearance, ALL_BITS & ~reader.bits]
    if not reader.us:
        cleared.append(f"({alias}.rel IS NULL OR instr({alias}.rel, ?) > 0)")
        params.append(f" {reader.citizenship or '-'} ")
    return f"(({released}) OR ({' AND '.join(cleared)}))", params


def released_sql(
    alias: str, cable_key: str, number: str | None, day: str
) -> tuple[str, list[object]]:
    """Released on ``day``: the latest review decision in force (on the paragraph, then
    on the cable), else the automatic release day. Reviews are only looked up for rows
    that have some (``rv``): most rows cost one comparison."""
    latest = (
        "(SELECT r.release FROM review r WHERE r.cable_key = {key} AND {which}"
        " AND r.day <= ? ORDER BY r.day DESC, r.key DESC LIMIT 1)"
    )
    reviews = [latest.format(key=cable_key, which="r.paragraph IS NULL")]
    if number is not None:
        reviews.insert(0, latest.format(key=cable_key, which=f"r.paragraph = {number}"))
    sql = (
        f"CASE WHEN {alias}.rv = 0 THEN coalesce({alias}.declass <= ?, 0)"
        f" ELSE coalesce({', '.join(reviews)}, {alias}.declass <= ?, 0) END"
    )
    return sql, [day, *([day] * len(reviews)), day]


def normalise_citizenship(name: str | None) -> str | None:
    """A citizenship as the policy compares it: an ISO 3166 trigraph. A name the table
    knows (``Canada``, ``UK``) becomes its trigraph; any other must be a trigraph, since
    a digraph or a misspelt name would silently match no REL TO list."""
    if not name:
        return None
    code = country(name)
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise AccessError(
            f"{name!r} is not a citizenship cablekit knows; write it as an ISO 3166"
            " three-letter code (USA, CAN, GBR, FRA ...)"
        )
    return code
