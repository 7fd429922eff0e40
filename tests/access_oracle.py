"""What a reader may see, decided plainly from what the generator meant: the test's oracle.

It shares nothing with ``cablekit.access`` or ``cablekit.markings``: the generator in
``test_access_property`` draws each portion's meaning (level, NOFORN, REL TO countries,
special accesses, exemption, or a marking written so that it cannot be read) as data,
writes it as telegram text in one of the forms the corpus holds, and this module decides
from the data alone, by the rules of ``docs/access.md``:

- a unit (paragraph, bullet, sub-paragraph, marked sentence) asks for the most restrictive
  of its own marking (the header's when unmarked) and of every marking inside it; a
  marking with no level takes the header's; one that cannot be read asks for a US reader
  holding every special access;
- a unit, or a version's header, is released by the latest review decision in force on
  its text (as a paragraph first, then as part of a whole version), else by its
  version's own declassification day (the DECL date, else 25 years, unless exempt);
- a version is visible when the reader holds a grant on its collection and its header is
  released or cleared; a cable is visible when its current version (latest release) is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cablekit.model import Cable, Paragraph, Reference, Source

RANKS = {"U": 0, "SBU": 1, "LOU": 2, "C": 3, "S": 4, "TS": 5}
CLASS_NAMES = {
    "U": "UNCLASSIFIED",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "LOU": "LIMITED OFFICIAL USE",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "TS": "TOP SECRET",
}
NATO_HERE = {"CAN", "GBR", "FRA", "USA"}  # of the citizenships the tests draw (AUS is not)
FIVE_EYES = {"USA", "GBR", "CAN", "AUS", "NZL"}
DISTRIBUTION = ("NODIS", "EXDIS", "LIMDIS", "ORCON")
EVERY_ACCESS = frozenset({*DISTRIBUTION, "STADIS", "WNINTEL", "NOCONTRACT", "PROPIN", "CHEROKEE"})


@dataclass(frozen=True)
class Portion:
    """A marking as meant: level (None: none written, the header's), NOFORN, REL TO
    countries (trigraphs; NATO and FVEY already expanded; an unknown name is nobody),
    special accesses, a 25X exemption, or a marking cablekit cannot read in full."""

    level: str | None
    noforn: bool = False
    rel: frozenset[str] | None = None
    access: frozenset[str] = frozenset()
    exempt: bool = False
    unreadable: bool = False


@dataclass(frozen=True)
class Unit:
    """A unit of access as the generator wrote it."""

    number: int
    text: str  # as the reader must get it back
    written: str | None  # its marking as written (None: unmarked)
    own: Portion | None  # what that marking means
    inner: tuple[Portion, ...] = ()  # markings inside its text
    place: str = "paragraph"  # where it stands (for the test's statistics only)
    inner_places: tuple[str, ...] = ()  # where those inside stand, and how written


@dataclass
class Version:
    released: str  # the publisher's release date: unique per cable, decides the current
    collection: str
    header: Portion
    header_text: str  # the text of everything before the paragraphs: its identity
    classification: str | None
    caveats: tuple[str, ...]
    declassify_on: str | None
    note: str | None
    subject: str
    units: list[Unit]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    version: int  # index in the cable's versions
    paragraph: int | None  # None: the whole version
    release: bool
    day: date
    order: int  # the order in which decisions were taken


@dataclass(frozen=True)
class User:
    name: str
    clearance: str  # U C S TS
    citizenship: str | None
    access: frozenset[str]
    collections: frozenset[str]  # may hold "*"


@dataclass
class Synthetic:
    """A generated cable: its id, date, versions and review decisions."""

    id: str
    date: str
    post: str
    references: tuple[str, ...]
    versions: list[Version]
    reviews: list[Review] = field(default_factory=list)

    @property
    def current(self) -> Version:
        return max(self.versions, key=lambda v: v.released)


# --- what a unit asks ------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    level: int
    noforn: bool
    rel: frozenset[str] | None
    access: frozenset[str]
    exempt: bool
    strict: bool  # a marking could not be read: only a US reader with every access


def need_of(portions: list[Portion], header: Portion) -> Need:
    """The most restrictive reading of all ``portions`` (each without a level taking the
    header's)."""
    level = max(RANKS[p.level] if p.level else header_rank(header) for p in portions)
    rels = [p.rel for p in portions if p.rel is not None]
    rel = frozenset.intersection(*rels) if rels else None
    return Need(
        level,
        any(p.noforn for p in portions),
        rel,
        frozenset().union(*(p.access for p in portions)),
        any(p.exempt for p in portions),
        any(p.unreadable for p in portions),
    )


def header_rank(header: Portion) -> int:
    return RANKS[header.level] if header.level else RANKS["TS"]  # unreadable: TOP SECRET


def unit_need(unit: Unit, header: Portion) -> Need:
    if unit.own is None:
        base = header
    else:
        distribution = frozenset(a for a in header.access if a in DISTRIBUTION)
        base = Portion(
            unit.own.level,
            unit.own.noforn,
            unit.own.rel,
            unit.own.access | distribution,
            unit.own.exempt,
            unit.own.unreadable,
        )
    return need_of([base, *unit.inner], header)


def unclear(unit: Unit, header: Portion) -> bool:
    """Whether a marking of the unit (or, unmarked, the header's) is not understood: it
    cannot be read in full or names no level."""
    return any(p.unreadable or p.level is None for p in [unit.own or header, *unit.inner])


def cleared(user: User, need: Need) -> bool:
    if RANKS[user.clearance] < need.level:
        return False
    us = user.citizenship == "USA"
    if need.strict:
        return us and user.access >= EVERY_ACCESS
    if need.noforn and not us:
        return False
    if need.rel is not None and not us and user.citizenship not in need.rel:
        return False
    return need.access <= user.access


# --- when it is released ---------------------------------------------------------------


def automatic_day(s: Synthetic, v: Version) -> date | None:
    if v.declassify_on:
        return date.fromisoformat(v.declassify_on)
    if v.note and any(x in v.note for x in ("25X", "50X", "75X")):
        return None
    return date(int(s.date[:4]) + 25, 12, 31)


def group(v: Version, number: int) -> set[str]:
    return {u.text for u in v.units if u.number == number}


def covered(s: Synthetic, r: Review) -> set[str]:
    """The texts a decision names: a paragraph's (with its bullets), or a whole
    version's, its header too."""
    v = s.versions[r.version]
    if r.paragraph is not None:
        return group(v, r.paragraph)
    return {u.text for u in v.units} | {"header:" + v.header_text}


def released(s: Synthetic, text: str, auto: date | None, exempt: bool, today: date) -> bool:
    for on_paragraph in (True, False):
        decided = [
            r
            for r in s.reviews
            if (r.paragraph is not None) == on_paragraph
            and text in covered(s, r)
            and r.day <= today
        ]
        if decided:
            return max(decided, key=lambda r: (r.day, r.order)).release
    return auto is not None and auto <= today and not exempt


# --- what the reader sees --------------------------------------------------------------


def granted(user: User, v: Version) -> bool:
    return "*" in user.collections or v.collection in user.collections


def version_visible(user: User, s: Synthetic, v: Version, today: date) -> bool:
    if not granted(user, v):
        return False
    header = need_of([v.header], v.header)
    return released(s, "header:" + v.header_text, automatic_day(s, v), False, today) or cleared(
        user, header
    )


def cable_visible(user: User, s: Synthetic, today: date) -> bool:
    return version_visible(user, s, s.current, today)


def unit_visible(user: User, s: Synthetic, v: Version, unit: Unit, today: date) -> bool:
    need = unit_need(unit, v.header)
    return released(s, unit.text, automatic_day(s, v), need.exempt, today) or cleared(user, need)


def view(user: User, s: Synthetic, v: Version, today: date) -> Cable:
    """The reader's version with withheld units dropped (for matching words)."""
    keep = tuple(
        Paragraph(u.number, None, None, u.text)
        for u in v.units
        if unit_visible(user, s, v, u, today)
    )
    return Cable(
        id=s.id,
        source=Source("jsonl"),
        date=s.date,
        classification=v.classification,
        caveats=v.caveats,
        tags=v.tags,
        post=s.post if v.header.level else None,  # the post is read off the class line
        subject=v.subject,
        references=tuple(
            Reference(chr(65 + n), target, "cable", target) for n, target in enumerate(s.references)
        ),
        paragraphs=keep,
    )
