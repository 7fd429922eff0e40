"""Classification levels and portion markings: one grammar, read the same way everywhere.

The parser, the access policy, the census of markings and the composer all read a
marking through :func:`read_marking`, and find the markings inside a paragraph's text
through :func:`find_marks`. ``docs/markings.md`` gives the grammar with the counts of
every form in the corpus; in short::

    MARKING  := [LEVEL] (SEP CONTROL)*          at least one of the two
    LEVEL    := U | SBU | LOU | C | S | TS | UNCLAS | UNCLASSIFIED | CONFIDENTIAL
              | SECRET | TOP SECRET | LIMITED OFFICIAL USE | SENSITIVE BUT UNCLASSIFIED
    SEP      := "/" | "//" | "-" | "--" | "," | " " | nothing before NF, NOFORN or REL
    CONTROL  := NF | NOFORN | N (after SBU) | REL [TO] NAMES | ORCON | NODIS | EXDIS
              | LIMDIS | STADIS | WNINTEL | NOCONTRACT | PROPIN | FGI | MR | FOUO | SBU
              | 25X1 | 50X1-HUM | 75X ... | ENTIRE TEXT | ENTIRE PARAGRAPH
    NAMES    := NAME (("/" | "," | "AND") NAME)*     up to the next "//"

A marking with a part the grammar does not know (``C/F``), a REL TO list without a
name, or a control without a level (``NF``) is *not understood*: the policy then
withholds the portion from every reader who could not see its most restrictive
reading (see ``cablekit.access.policy``). Levels are ranks in
:data:`cablekit.model.CLASSIFICATIONS` (UNCLASSIFIED is 0, TOP SECRET 5).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from .model import CLASSIFICATIONS

LEVELS = {name: rank for rank, name in enumerate(CLASSIFICATIONS)}
SBU_LEVEL = LEVELS["SENSITIVE BUT UNCLASSIFIED"]

# The portion mark of each level, as written in markings and on banners.
PORTION_MARKS = {
    "UNCLASSIFIED": "U",
    "SENSITIVE BUT UNCLASSIFIED": "SBU",
    "LIMITED OFFICIAL USE": "LOU",
    "CONFIDENTIAL": "C",
    "SECRET": "S",
    "TOP SECRET": "TS",
}
_LEVEL_WORDS = {
    "U": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "SENSITIVE BUT UNCLASSIFIED": "SENSITIVE BUT UNCLASSIFIED",
    "LOU": "LIMITED OFFICIAL USE",
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "C": "CONFIDENTIAL",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "S": "SECRET",
    "SECRET": "SECRET",
    "TS": "TOP SECRET",
    "TOP SECRET": "TOP SECRET",
}
# Words that spell a level out: a marking made of them is never an abbreviation.
_SPELLED = frozenset(w for w in _LEVEL_WORDS if len(w) > 3 and w != "UNCLAS") | {"UNCLAS"}
# Special accesses a portion may require (the reader must hold them), by every spelling.
ACCESS_WORDS = {
    "NODIS": "NODIS",
    "NODIF": "NODIS",
    "EXDIS": "EXDIS",
    "LIMDIS": "LIMDIS",
    "STADIS": "STADIS",
    "ORCON": "ORCON",
    "OC": "ORCON",
    "WNINTEL": "WNINTEL",
    "WN": "WNINTEL",
    "NOCONTRACT": "NOCONTRACT",
    "NC": "NOCONTRACT",
    "PROPIN": "PROPIN",
    "CHEROKEE": "CHEROKEE",
    "EYES ONLY": "NODIS",  # to the addressees alone: as NODIS, the strictest caption
}
NOFORN_WORDS = frozenset({"NF", "NOFORN"})
# Controls that make a marking without a level (``(NF)``): not the short forms, which
# are everyday abbreviations without one ("Chief of Operations (OC)").
_STANDALONE = frozenset(
    {*NOFORN_WORDS, "FOUO", "SENSITIVE", "NODIS", "NODIF", "EXDIS", "LIMDIS", "STADIS", "ORCON"}
    | {"WNINTEL", "NOCONTRACT", "PROPIN", "CHEROKEE"}
)
# Controls that tell something but ask nothing more of the reader; the first three
# raise a level given with them to SBU at least (U//FOUO).
_SENSITIVE_WORDS = frozenset({"FOUO", "SBU", "SENSITIVE"})
_INFORMATIONAL = frozenset({"FGI", "MR", "SIPDIS", *_SENSITIVE_WORDS})
_EXEMPTION = re.compile(r"(?:25|50|75)X\d{0,2}(?:-[A-Z]+)?")

# The level at the start: the longest word first; run together only before NF,
# NOFORN or REL ("SNF", "CNOFORN").
_LEAD = re.compile(
    r"(TOP SECRET|SENSITIVE BUT UNCLASSIFIED|LIMITED OFFICIAL USE|UNCLASSIFIED|UNCLAS"
    r"|CONFIDENTIAL|SECRET|SBU|LOU|TS|C|S|U)(?=$|[\s/,\-]|NF\b|NOFORN\b|REL\b)"
)
_REL = re.compile(r"REL(?:EASABLE)?(?:\s*TO\b)?(?=$|[\s/,])\s*")
_SEPARATORS = " /,-"
_NAME_SPLIT = re.compile(r"\s*(?:/|,|\bAND\b)\s*")
# Phrases written out, each with a word it cannot match without: the last pattern starts
# with white space, so the engine would try it at every character of every bracket.
_PHRASES = (
    (re.compile(r"NOT RELEASABLE TO FOREIGN NATIONALS"), "NOFORN", "NOT RELEASABLE"),
    (re.compile(r"FOR OFFICIAL USE ONLY"), "FOUO", "FOR OFFICIAL"),
    (re.compile(r"\s*-*\s*ENTIRE (?:TEXT|PARAGRAPH)\.?"), "", "ENTIRE "),
)


@dataclass(frozen=True, slots=True)
class Marking:
    """A marking as read: its level (a rank; None when it names none), its controls,
    and the parts the grammar does not know."""

    text: str  # as read: upper case, one space between words
    level: int | None
    noforn: bool = False
    release: tuple[str, ...] | None = None  # REL TO names as written; () when none given
    access: frozenset[str] = frozenset()  # special accesses required (ACCESS_WORDS values)
    exempt: bool = False  # a 25X/50X/75X exemption from automatic declassification
    unread: tuple[str, ...] = ()  # parts not understood
    spelled: bool = False  # the level written as a word in capitals (SECRET, not S)
    joined: bool = False  # the level run together with a control (SNF)
    controls: int = 0  # how many controls the grammar knew
    double: bool = False  # the level followed by "//", as markings alone write it

    @property
    def understood(self) -> bool:
        """Whether every part was read, a level named and REL TO lists hold a name."""
        return self.level is not None and not self.unread and self.release != ()

    @property
    def controlled(self) -> bool:
        """Whether it carries a control the grammar knows."""
        return self.noforn or self.release is not None or bool(self.access) or self.exempt

    @property
    def strong(self) -> bool:
        """Whether it reads as a marking wherever it stands: a level with a known
        control set apart (``S/NF``, ``U//FOUO``; not ``SNF``, spent nuclear fuel), a
        restrictive control (``NF``, ``REL TO ...``, ``ORCON``; not ``sensitive``), a
        level and "//" (``S//XYZ``; not ``S/P``, an office), or a level spelled out in
        capitals with nothing unknown (``SECRET``; not ``secret police``)."""
        if self.joined:
            return False
        if self.controlled or self.double:
            return True
        return (self.level is not None and self.controls > 0) or (self.spelled and not self.unread)

    @property
    def classification(self) -> str | None:
        return CLASSIFICATIONS[self.level] if self.level is not None else None


@functools.lru_cache(maxsize=4096)  # a few dozen markings cover nearly every portion
def read_marking(written: str | None) -> Marking | None:
    """``written`` (the inside of the brackets) read by the grammar; None when it is not
    marking-like at all: it starts with neither a level nor a known control."""
    return _read(written)


def _read(written: str | None) -> Marking | None:
    # kept apart from the cache so that mutation testing reaches it (``make mutants``)
    if not written:
        return None
    text = " ".join(written.upper().split()).strip(_SEPARATORS)
    for phrase, replacement, needed in _PHRASES:
        if needed in text:
            text = phrase.sub(replacement, text)
    # "ENTIRE TEXT, NF" leaves ", NF": every separator goes, or the NF is not seen
    text = text.strip(_SEPARATORS)
    lead = _LEAD.match(text)
    if lead is None and not _standalone(text):
        return None
    parts = _Parts(LEVELS[_LEVEL_WORDS[lead[1]]] if lead else None)
    parts.read((text[lead.end() :] if lead else text).lstrip(_SEPARATORS))
    return Marking(
        text,
        parts.level,
        parts.noforn,
        tuple(parts.release) if parts.release is not None else None,
        frozenset(parts.access),
        parts.exempt,
        tuple(parts.unread),
        lead is not None and lead[1] in _SPELLED and written.lstrip()[:1].isupper(),
        lead is not None and text[lead.end() : lead.end() + 1].isalpha(),
        parts.controls,
        lead is not None and text[lead.end() : lead.end() + 2] == "//",
    )


def _standalone(text: str) -> bool:
    first = _first_token(text)
    return first in _STANDALONE or bool(_EXEMPTION.fullmatch(first) or _REL.match(text))


def _first_token(text: str) -> str:
    exemption = _EXEMPTION.match(text)
    if exemption:
        return exemption[0]
    word = _TOKEN.match(text)
    return word[0] if word else text[:1]


_TOKEN = re.compile(r"[^\s/,\-]+")
ControlKind = Literal["noforn", "access", "exempt", "sensitive", "informational"]


def _control_kind(token: str, level: int | None = None) -> ControlKind | None:
    """What a control word is, or None when the grammar does not know it."""
    if token in NOFORN_WORDS or (token == "N" and level == SBU_LEVEL):
        return "noforn"
    if token in ACCESS_WORDS:
        return "access"
    if _EXEMPTION.fullmatch(token):
        return "exempt"
    if token in _SENSITIVE_WORDS:
        return "sensitive"
    if token in _INFORMATIONAL:
        return "informational"
    return None


class _Parts:
    """The controls after the level, read left to right."""

    def __init__(self, level: int | None) -> None:
        self.first_level = level
        self.level = level
        self.noforn = False
        self.release: list[str] | None = None
        self.access: set[str] = set()
        self.exempt = False
        self.unread: list[str] = []
        self.controls = 0

    def read(self, rest: str) -> None:
        while rest:
            rel = _REL.match(rest)
            if rel:
                end = rest.find("//", rel.end())
                end = len(rest) if end < 0 else end
                self._names(rest[rel.end() : end])
                self.controls += 1
                rest = rest[end:]
            else:
                token = _first_token(rest)
                if not self._control(token):
                    self.unread.append(token)
                rest = rest[len(token) :]
            rest = rest.lstrip(_SEPARATORS)

    def _control(self, token: str) -> bool:
        """Take one control word; whether the grammar knows it."""
        kind = _control_kind(token, self.first_level)
        if kind == "noforn":
            self.noforn = True
        elif kind == "access":
            self.access.add(ACCESS_WORDS[token])
        elif kind == "exempt":
            self.exempt = True
        elif kind == "sensitive" and self.level is not None:  # U//FOUO: SBU
            self.level = max(self.level, SBU_LEVEL)
        self.controls += kind is not None
        return kind is not None

    def _names(self, listed: str) -> None:
        """A REL TO list: names, or controls written inside it (``REL UK/NF``)."""
        if self.release is None:
            self.release = []
        for name in _NAME_SPLIT.split(listed.strip(" /,")):
            if name and not self._control(name):  # "REL TO GBR, EYES ONLY": a control
                self.release.append(name)


def level(classification: str | None) -> int | None:
    """The rank of a classification name, or None when unknown."""
    return LEVELS.get(classification) if classification else None


def marking_classification(marking: str | None) -> str | None:
    """The classification a portion marking names (``S//NF`` -> SECRET), or None."""
    read = read_marking(marking)
    return read.classification if read else None


# --- markings inside a text -----------------------------------------------------------

Position = Literal["start", "inner", "end"]
# A bracket that may hold a marking: it starts with a level's or a control's first
# character and holds only what markings hold.
_BRACKETED = re.compile(r"\(\s*([UCSTLNRFOEWPucstlnrfoewp257][A-Za-z0-9/ ,.\-]{0,70}?)\s*\)")
# What may stand just before a marking that opens a portion: the end of a sentence, a
# bullet, a sub-paragraph label (A. a) (1) 1) II. Q4. Q:), a run of dashes.
# What may stand just before a marking that opens a portion: the end of a sentence (and a
# paragraph number after it), or a bullet or sub-paragraph label (A. a) (1) 1) II. Q4.).
_AFTER_SENTENCE = re.compile(
    r"(?:(?:[.!?:;]['\"’”)\]]*|^)\s*\d{1,3}[.,]{0,2}|[.!?:;]['\"’”)\]]*)\s*$"
)
_AFTER_LABEL = re.compile(
    r"(?:(?<!\S)(?:-{1,3}|\*|•|·|o|>|Q:?)"
    r"|(?<![A-Za-z0-9])(?:[A-Za-z]|\d{1,3}|[IVXivx]{1,5}|[A-Za-z]\s?\d{1,2}(?:-\d{1,2})?)[.):]"
    r"|\(\w{1,3}\)|-{2,})\s*$"
)
_CLOSES = re.compile(r"[\s.;:,)\]'\"’”]*")
_GLUED = re.compile(r"[A-Za-z0-9]")  # "person(s)": a bracket glued to a word
_CAPITAL = re.compile(r"\s*[\"'“]?[A-Z]")
_WINDOW = 24  # characters before a token that decide where it stands


@dataclass(frozen=True, slots=True)
class Found:
    """A bracketed token of a text that reads as a marking, or was set aside."""

    start: int
    end: int
    marking: Marking
    position: Position
    aside: str | None = None  # why it is not taken as a marking (None: it is one)


def find_marks(text: str) -> list[Found]:
    """Every marking-like bracketed token of ``text``, in order, each with where it
    stands and, for those set aside, why (see ``docs/markings.md``):

    - a level with a control set apart, a restrictive control, a level and "//", or a
      level spelled out in capitals is a marking wherever it is (``Marking.strong``);
    - an abbreviation (``C``, ``S``, ``U``, ``TS`` ...) or a token with unknown parts
      (``S/P``) is one where a portion opens (the start of the text, after a sentence,
      a bullet or a sub-paragraph label) or at the very end; a bare level is one too
      before a capital (``SUMMARY (U) Costa Rica's``); the others are set aside in
      running text (``Technical Secretariat (TS) team``, ``Special Envoy (S/E)
      Gration``) and glued to a word (``person(s)``, ``Janata Dal(U)``);
    - a single letter is set aside as a list letter when the letter before it, in the
      same case, stands bracketed earlier in the text (``(a) ... (b) ... (c)``), unless
      a bullet or label stands just before it (``1) (c) text``).
    """
    if "(" not in text:
        return []
    found: list[Found] = []
    for m in _BRACKETED.finditer(text):
        read = read_marking(m[1])
        if read is not None:
            position = _position(text, m.start(), m.end())
            found.append(Found(m.start(), m.end(), read, position, _aside(read, position, text, m)))
    return found


def _position(text: str, start: int, end: int) -> Position:
    head = text[max(0, start - _WINDOW) : start]
    # only white space before it, however much: the text opens with it
    if (not head.strip() and not text[:start].strip()) or _opens(head):
        return "start"
    return "end" if _CLOSES.fullmatch(text, end) else "inner"


def _opens(head: str) -> bool:
    return bool(_AFTER_SENTENCE.search(head) or _AFTER_LABEL.search(head))


def _list_letter(text: str, m: re.Match[str]) -> bool:
    """Whether the letter before this one, in the same case, is bracketed earlier."""
    return text.rfind(f"({chr(ord(m[1]) - 1)})", 0, m.start()) >= 0


def _aside(read: Marking, position: Position, text: str, m: re.Match[str]) -> str | None:
    """Why a marking-like token is not taken as a marking (None: it is taken)."""
    if read.strong:
        return None
    if _GLUED.match(text, max(0, m.start() - 1), m.start()):
        return "glued to a word"
    inside = m[1]
    if (
        len(inside) == 1
        and _list_letter(text, m)
        and not _AFTER_LABEL.search(text, max(0, m.start() - _WINDOW), m.start())
    ):
        return "a list letter"
    if position != "inner" or (not read.unread and _CAPITAL.match(text, m.end())):
        return None  # a level before a sentence or a title: "SUMMARY (U) Costa Rica's"
    return "in running text"
