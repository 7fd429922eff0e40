"""The access policy: which cable, which version and which paragraph a reader may see on
a day.

This module is the whole policy; everything else asks it. Read it top to bottom.

**Markings.** A version's *header* (subject, TAGS, addressees, REF line, and every
other field outside the paragraphs) carries its classification and its caveats, the
most restrictive of everything the header says: the classification line, the
security warning (``ZNY SSSSS``), the publisher's classification, the caveat captions
and controls written on handling lines (``SECRET//NOFORN``, ``RELEASABLE TO UK``).
A *paragraph* (or a bullet or sub-paragraph that carries its own marking: the parser
makes it a unit of its own) carries the most restrictive of its portion marking and of
every marking inside its text (``cablekit.markings.find_marks``); an unmarked one
carries the header's. Distribution captions of the header (NODIS, EXDIS, LIMDIS,
STADIS, ORCON ...) bind every paragraph. **Fail closed**: a classification cablekit
cannot read counts as TOP SECRET; a marking it cannot read in full asks for its most
restrictive reading and is withheld from others with the reason "marking not
understood": a part it does not know (``C/F``, ``S//REL`` without a country) asks for
the level named, every control and no foreign country (only a US reader holding every
special access sees it); a control without a level (``NF``) asks for the header's level
with that control.

**Readers.** A reader has a clearance (UNCLASSIFIED .. TOP SECRET), a citizenship
(a trigraph, ``USA`` for the United States), special accesses (NODIS, EXDIS, LIMDIS,
STADIS, ORCON, WNINTEL, NOCONTRACT, PROPIN, CHEROKEE) and grants on collections
(named sets of versions; ``*`` grants them all).

**Rules.** A portion is visible when, in this order:

1. the reader's clearance is at least its level;
2. NOFORN: the reader is a US citizen;
3. REL TO: the reader is a US citizen or a citizen of a listed country (or of a
   member of a listed group, such as NATO);
4. each special access it asks for: the reader holds it.

A version is visible when the reader holds a grant on one of its collections and its
header is visible; a cable is visible when its current version is. A paragraph is
visible when its version is and it is. Every version is judged by itself: its own
header, markings, caveats and declassification date.

**Declassification.** On a given day a portion that has been *released* is visible to
every reader of its version, whatever its marking. A version is released by its
declassification date (``DECL: 04/07/2019``); one with no date (OADR, N/A, none) by the
automatic declassification of E.O. 13526 §3.3, on 31 December of the year it turns 25,
unless a 25-year exemption is marked (``25X1``, ``50X1-HUM``, ``75X``...) on it, or on
the portion; and by review decisions recorded in the archive, which win over both from
the day they are taken. A decision names the text it was taken on (a hash of the
normalised paragraph, or of the header), so it holds in every version holding that
text: the latest decision in force on the paragraph's text, else the latest on a whole
version holding it.

Every decision carries its reason. The same rules exist twice here, and a test holds
them equal: as Python (:func:`decide`, :func:`released`) for rendering a record, and
as SQL (:func:`scope_for`) that every query of the archive embeds, so that nothing a
reader may not see ever enters a match, a count, a facet or a snippet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..errors import AccessError
from ..markings import ACCESS_WORDS, SBU_LEVEL, Marking, find_marks, level, read_marking
from ..model import CLASSIFICATIONS, Cable, Paragraph, compact_json
from ..scope import Scope
from .countries import US, country, release_list

TOP_SECRET = len(CLASSIFICATIONS) - 1
UNKNOWN_LEVEL = TOP_SECRET  # an unreadable classification withholds

# What a portion requires, as bits: one for NOFORN, one per special access.
NOFORN = 1
SPECIAL_ACCESS = {
    "NODIS": 2,
    "EXDIS": 4,
    "LIMDIS": 8,
    "ORCON": 16,
    "STADIS": 32,
    "WNINTEL": 64,
    "NOCONTRACT": 128,
    "PROPIN": 256,
    "CHEROKEE": 512,
}
ALL_BITS = NOFORN | sum(SPECIAL_ACCESS.values())
_EXEMPT = re.compile(r"\b(?:25|50|75)X\d?")
_HANDLING_CONTROLS = re.compile(
    r"\b(?:NOFORN|NOT RELEASABLE TO FOREIGN NATIONALS|NODIS|NODIF|EXDIS|LIMDIS|STADIS|ORCON"
    r"|WNINTEL|NOCONTRACT|PROPIN|CHEROKEE)\b"
    r"|\bREL(?:EASABLE)?\s+TO\s+[A-Z][A-Z ,/]*|(?:^|/)\s*REL\s+[A-Z][A-Z ,/]*"
)
_SENSITIVE_CAVEATS = frozenset({"FOR OFFICIAL USE ONLY", "FOUO", "SENSITIVE", "SBU"})
AUTOMATIC_YEARS = 25
NOT_UNDERSTOOD = "marking not understood"


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
    unclear: bool = False  # read from a marking cablekit does not understand in full
    exempt: bool = False  # exempt from automatic declassification (25X1 on the portion)

    def implied_by(self, other: Requirement) -> bool:
        """Whether every reader who may see ``other`` on any day may see this one too."""
        if self.level > other.level or self.bits & ~other.bits or (self.exempt > other.exempt):
            return False
        if self.release is None:
            return True
        return other.release is not None and other.release <= self.release

    def meet(self, other: Requirement) -> Requirement:
        """The most restrictive of the two: every reader who may see it may see both."""
        if self.release is None or other.release is None:
            release = self.release if other.release is None else other.release
        else:
            release = self.release & other.release
        return Requirement(
            max(self.level, other.level),
            self.bits | other.bits,
            release,
            self.unclear or other.unclear,
            self.exempt or other.exempt,
        )


def _bits(access: Iterable[str]) -> int:
    return sum(SPECIAL_ACCESS.get(a, 0) for a in set(access))


def marking_requirement(
    marking: Marking, default_level: int, *, caveat: bool = False
) -> Requirement:
    """What a marking asks for. A level it does not name is ``default_level`` (the
    header's: a portion is never above its cable), and is not understood unless the
    marking is a ``caveat`` of the header (caveats name no level); a part it does not
    understand asks for every control and no country besides the US."""
    unclear = (
        bool(marking.unread) or marking.release == () or (marking.level is None and not caveat)
    )
    need = Requirement(
        marking.level if marking.level is not None else default_level,
        _bits(marking.access) | (NOFORN if marking.noforn else 0),
        release_list(marking.release) if marking.release is not None else None,
        unclear,
        marking.exempt,
    )
    if marking.unread or marking.release == ():
        return replace(need, bits=ALL_BITS, release=frozenset())
    return need


def cable_requirement(cable: Cable) -> Requirement:
    """The header's requirement: the most restrictive of what the header says."""
    levels = [level(cable.classification)]
    if cable.security_warning is not None:
        levels.append(level(cable.security_warning.classification))
    published = read_marking(cable.publication.classification) if cable.publication else None
    if published is not None:
        levels.append(published.level)
    known = [lvl for lvl in levels if lvl is not None]
    unreadable = level(cable.classification) is None
    need = Requirement(UNKNOWN_LEVEL if unreadable else max(known), unclear=unreadable)
    for marking in _header_markings(cable):
        need = need.meet(marking_requirement(marking, need.level, caveat=True))
    return need


def _header_markings(cable: Cable) -> Iterable[Marking]:
    """The controls the header carries: caveats, the publisher's classification, and
    controls written on handling lines."""
    for caveat in cable.caveats:
        if caveat.upper() in _SENSITIVE_CAVEATS:
            # U//FOUO: the caption of an UNCLAS cable that is sensitive (SBU at least),
            # though its classification stays UNCLASSIFIED as written.
            yield Marking(caveat, SBU_LEVEL)
        if caveat.upper() in ACCESS_WORDS:
            yield Marking(caveat, None, access=frozenset({ACCESS_WORDS[caveat.upper()]}))
            continue
        read = read_marking(caveat)
        if read is not None:
            yield read
    if cable.publication is not None:
        read = read_marking(cable.publication.classification)
        if read is not None and read.controlled:
            yield read
    for line in cable.handling:
        for control in _HANDLING_CONTROLS.finditer(line.upper()):
            read = read_marking(control[0])
            if read is not None:
                yield read


def paragraph_requirement(header: Requirement, paragraph: Paragraph) -> Requirement:
    """A paragraph's requirement: the most restrictive of its portion marking (the
    header's when unmarked) and of the markings inside its heading and text; the
    header's distribution captions always."""
    own = read_marking(paragraph.marking)
    if own is not None:
        need = marking_requirement(own, header.level)
        need = replace(need, bits=need.bits | (header.bits & ~NOFORN))
    elif paragraph.marking:  # a marking that is not one at all: not understood
        need = Requirement(header.level, ALL_BITS, frozenset(), unclear=True)
    else:
        need = header
    for text in (paragraph.heading, paragraph.text):
        for found in find_marks(text or ""):
            if found.aside is None:
                need = need.meet(marking_requirement(found.marking, header.level))
    return need


# --- what a portion is: its text, for review decisions ---------------------------------


def text_hash(text: str) -> str:
    """A paragraph's text as review decisions name it: NFKC, case-folded, white space
    collapsed, hashed (SHA-256, 128 bits in hex)."""
    normal = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:32]


def paragraph_hash(paragraph: Paragraph) -> str:
    return text_hash(paragraph.text)


_NOT_HEADER = ("source", "publication", "paragraphs", "summary", "warnings", "page_markers")


def header_hash(cable: Cable) -> str:
    """A version's header as review decisions name it: every field outside the
    paragraphs (and what derives from them), hashed; "h" first, so that it is never a
    paragraph's."""
    return record_header_hash(cable.to_json_without(_NOT_HEADER))


def record_header_hash(record: dict[str, Any]) -> str:
    """:func:`header_hash` of the cable whose JSON form is ``record``."""
    data = {k: v for k, v in record.items() if k not in _NOT_HEADER}
    return "h" + hashlib.sha256(compact_json(data, sort_keys=True)).hexdigest()[:31]


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
    failure = _failure(reader, need)
    if failure is None:
        return Decision(True, "visible: cleared")
    return Decision(False, f"withheld: {NOT_UNDERSTOOD if need.unclear else failure}")


def _failure(reader: Reader, need: Requirement) -> str | None:
    if reader.clearance < need.level:
        name = CLASSIFICATIONS[need.level]
        return f"{name} needs a {name} clearance"
    if need.bits & NOFORN and not reader.us:
        return "NOFORN needs US citizenship"
    if need.release is not None and not reader.us and reader.citizenship not in need.release:
        return "REL TO does not list your country"
    for name, bit in SPECIAL_ACCESS.items():
        if need.bits & bit and name not in reader.access:
            return f"{name} needs {name} access"
    return None


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A declassification review decision: release or withhold, from ``day`` on, of the
    texts it names (``units``: paragraph hashes and, for a whole version, its header's)."""

    units: frozenset[str]
    paragraph: bool  # a decision on paragraphs (True) or on a whole version (False)
    release: bool
    day: date
    reviewer: str
    reason: str


@dataclass(frozen=True, slots=True)
class Declassification:
    """What decides when a version is released: its date, and the reviews."""

    day: date | None  # the automatic release day (its date, or the 25-year rule)
    reviews: tuple[ReviewDecision, ...] = ()


def automatic_release(cable: Cable) -> date | None:
    """The day a version declassifies itself: its DECL date; else, unless a 25-year
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


def released(facts: Declassification, unit: str, today: date, exempt: bool = False) -> Decision:
    """Whether the text ``unit`` (a paragraph's hash, or the header's) is released on
    ``today``, and why: the latest decision in force on it as a paragraph, else as part
    of a whole version; else the automatic day, unless the portion is ``exempt``."""
    for on_paragraph in (True, False):
        decisions = [
            r
            for r in facts.reviews
            if r.paragraph == on_paragraph and unit in r.units and r.day <= today
        ]
        if decisions:
            last = decisions[-1]  # reviews come in the order they were taken
            verb = "released" if last.release else "withheld"
            return Decision(
                last.release, f"{verb} by review ({last.reviewer}, {last.day}): {last.reason}"
            )
    if facts.day is not None and facts.day <= today and not exempt:
        return Decision(True, f"released: declassified on {facts.day}")
    return Decision(False, "classified")


def portion_decision(
    reader: Reader | None,
    need: Requirement,
    facts: Declassification,
    unit: str,
    today: date,
) -> Decision:
    """A portion on a day: released portions are shown; others follow the rules."""
    if reader is None:
        return decide(None, need)
    release = released(facts, unit, today, need.exempt)
    return release if release.visible else decide(reader, need)


def granted(reader: Reader | None, collections: Sequence[str]) -> Decision:
    if reader is None or reader.all_collections or reader.collections.intersection(collections):
        return Decision(True, "visible: granted")
    return Decision(False, "withheld: no grant on the version's collections")


# --- the same rules, as SQL ------------------------------------------------------------
#
# The store keeps, for each cable (its current version) and for each version, the
# header's requirement (``level``, ``need`` bits, ``rel`` as " CAN GBR ... "), its
# automatic release day ``declass`` and its header hash ``hhash``; ``rv`` is 1 when the
# cable has review decisions, whose texts are in ``review_unit``. A paragraph whose
# requirement is not implied by its header's (and every paragraph of a reviewed cable)
# is kept in the small ``guard`` table with the same columns (``declass`` NULL when the
# portion is exempt) and its text ``hash``: every other paragraph is visible exactly
# when its cable is, so matches need no look-up for it.


def release_text(release: frozenset[str] | None) -> str | None:
    """A REL TO list as stored: trigraphs between spaces, found with ``instr``."""
    return " " + " ".join(sorted(release)) + " " if release is not None else None


def scope_for(reader: Reader, today: date, collection_keys: Sequence[int] | None) -> Scope:
    """The SQL conditions for ``reader`` on ``today``. ``collection_keys`` are the keys
    of the collections the reader holds grants on (None: all of them)."""
    day = today.isoformat()
    cable_sql, cable_params = visible_sql("c", "c.key", "c.rv", "c.hhash", reader, day)
    version_sql, version_params = visible_sql(
        "v",
        "v.cable_key",
        "(SELECT c.rv FROM cable c WHERE c.key = v.cable_key)",
        "v.hhash",
        reader,
        day,
    )
    if collection_keys is not None:
        granted_sql = granted_collections(collection_keys)
        cable_sql += f" AND {granted_sql.format(key='c.key', number='c.version')}"
        cable_params += list(collection_keys)
        version_sql += f" AND {granted_sql.format(key='v.cable_key', number='v.number')}"
        version_params += list(collection_keys)
    guard_sql, guard_params = visible_sql("g", "g.cable_key", "g.rv", "g.hash", reader, day)
    hidden = f"SELECT g.rowid FROM guard g WHERE NOT coalesce({guard_sql}, 0)"
    return Scope(
        units=f"u.rowid NOT IN ({hidden})",
        unit_params=tuple(guard_params),
        cables=f"({cable_sql})",
        cable_params=tuple(cable_params),
        name=reader.name,
        rowids=f"{{rowid}} NOT IN ({hidden})",
        hidden=hidden,
        versions=f"({version_sql})",
        version_params=tuple(version_params),
    )


def granted_collections(keys: Sequence[int]) -> str:
    """A condition (with ``keys`` as parameters) that a version, ``{key}`` and
    ``{number}``, is in one of the collections ``keys``."""
    marks = ",".join("?" * len(keys)) or "NULL"
    return (
        "EXISTS (SELECT 1 FROM version_collection vc WHERE vc.cable_key = {key}"
        f" AND vc.number = {{number}} AND vc.collection_key IN ({marks}))"
    )


def visible_sql(
    alias: str, cable_key: str, rv: str, unit: str, reader: Reader, day: str
) -> tuple[str, list[object]]:
    """``released OR cleared`` over a row with the policy columns."""
    released, params = released_sql(alias, cable_key, rv, unit, day)
    cleared = [f"{alias}.level <= ?", f"({alias}.need & ?) = 0"]
    params += [reader.clearance, ALL_BITS & ~reader.bits]
    if not reader.us:
        cleared.append(f"({alias}.rel IS NULL OR instr({alias}.rel, ?) > 0)")
        params.append(f" {reader.citizenship or '-'} ")
    return f"(({released}) OR ({' AND '.join(cleared)}))", params


def released_sql(
    alias: str, cable_key: str, rv: str, unit: str, day: str
) -> tuple[str, list[object]]:
    """Released on ``day``: the latest review decision in force on the text ``unit``
    (on it as a paragraph first, then as part of a whole version), else the automatic
    release day. Reviews are only looked up for cables that have some (``rv``): most
    rows cost one comparison."""
    latest = (
        "(SELECT r.release FROM review_unit t JOIN review r ON r.key = t.review"
        f" WHERE t.hash = {unit} AND r.cable_key = {cable_key} AND r.day <= ?"
        " ORDER BY r.on_paragraph DESC, r.day DESC, r.key DESC LIMIT 1)"
    )
    sql = (
        f"CASE WHEN {rv} = 0 THEN coalesce({alias}.declass <= ?, 0)"
        f" ELSE coalesce({latest}, {alias}.declass <= ?, 0) END"
    )
    return sql, [day, day, day]


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
