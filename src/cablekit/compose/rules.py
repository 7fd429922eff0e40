"""The rules a draft must follow before it becomes a cable (5 FAH-1, 5 FAH-2, E.O. 13526).

``problems(draft, day)`` lists every broken rule as one sentence that names the
field and, for a YAML draft, its line; ``check(draft, day)`` raises them as
``DraftInvalid``. Each rule is a small function; the order of ``RULES`` is the
order of the messages.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterator

from .. import tables
from ..errors import DraftInvalid
from . import vocab
from .draft import Draft, DraftAddressee

__all__ = ["RULES", "check", "problems", "resolve_addressee", "resolve_origin", "split_id"]


def problems(draft: Draft, day: datetime.date) -> list[str]:
    """Every problem of ``draft`` (to be sent on ``day``), in the order of ``RULES``."""
    return [message for rule in RULES for message in rule(draft, day)]


def check(draft: Draft, day: datetime.date) -> None:
    """Raise ``DraftInvalid`` listing every problem, if there is one."""
    found = problems(draft, day)
    if found:
        raise DraftInvalid(found)


Rule = Callable[[Draft, datetime.date], Iterator[str]]


def _suggest(word: str, known: frozenset[str] | list[str], n: int = 3) -> str:
    close = difflib.get_close_matches(word, sorted(known), n, 0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


# --------------------------------------------------------------------------- addresses


def resolve_origin(draft: Draft) -> tuple[str, str, str] | None:
    """(station token, PLA, RI) of the origin post (``OTTAWA``, ``AMEMBASSY OTTAWA``)."""
    name = draft.origin.upper()
    token = tables.station_token(name)
    if token is None and " " in name:
        token = tables.station_token(name.split(" ", 1)[1])  # "AMEMBASSY OTTAWA"
    if token is None and name in ("SECSTATE WASHDC", "SECSTATE"):
        token = "STATE"
    address = tables.station_address(token) if token else None
    return (token, *address) if token and address else None


def resolve_addressee(addressee: DraftAddressee) -> str | None:
    """The addressee's routing indicator: as given if known, else from its address."""
    if addressee.routing_indicator:
        ri = addressee.routing_indicator
        return ri if ri == "ZEN" or tables.is_known_ri(ri) else None
    return tables.address_ri(addressee.name)


def origin_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    if resolve_origin(draft) is None:
        posts = [name for name in tables.known_stations()]
        yield f"{draft.at('from')}: unknown post {draft.origin}{_suggest(draft.origin, posts)}"


def addressee_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    if not draft.to:
        yield f"{draft.at('to')}: a cable needs at least one action (TO) addressee"
    for key, addressees in (("to", draft.to), ("info", draft.info)):
        for n, addressee in enumerate(addressees):
            if resolve_addressee(addressee) is not None:
                continue
            at = draft.at(f"{key}[{n}]")
            if addressee.routing_indicator:
                near = _near_ri(addressee.routing_indicator)
                yield f"{at}: unknown routing indicator {addressee.routing_indicator}{near}"
            else:
                near = _suggest(addressee.name, tables.known_addresses())
                yield f"{at}: no routing indicator for {addressee.name}{near}"


def _near_ri(ri: str) -> str:
    """Known RIs of the same relay and post prefix first (``RUEHM...``), then of the relay."""
    for width in (5, 4):
        near = _suggest(ri, list(tables.known_ris_with_prefix(ri[:width])))
        if near:
            return near
    return ""


def precedence_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    words = ", ".join(vocab.PRECEDENCES)
    if draft.precedence not in vocab.PRECEDENCES:
        yield f"{draft.at('precedence')}: {draft.precedence} is not a precedence ({words})"
    for key, addressees in (("to", draft.to), ("info", draft.info)):
        for n, addressee in enumerate(addressees):
            if addressee.precedence and addressee.precedence not in vocab.PRECEDENCES:
                at = draft.at(f"{key}[{n}].precedence")
                yield f"{at}: {addressee.precedence} is not a precedence ({words})"


# --------------------------------------------------------------------------- markings


def classification_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    if draft.classification not in vocab.LEVELS:
        levels = ", ".join(vocab.LEVELS)
        yield f"{draft.at('classification')}: {draft.classification} is not a level ({levels})"


def marking_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    """Every paragraph of a classified cable is marked; no mark above the cable's level."""
    level = vocab.LEVELS.get(draft.classification)
    for n, paragraph in enumerate(draft.paragraphs):
        at = draft.at(f"paragraphs[{n}].marking")
        if paragraph.marking is None:
            if level is not None and level >= vocab.CLASSIFIED:
                yield f"{at}: every paragraph of a {draft.classification} cable needs a marking"
            continue
        m = vocab.MARK.match(paragraph.marking)
        if m is None:
            yield f"{at}: ({paragraph.marking}) is not a portion marking (U, SBU, C, S, TS, C/NF)"
        elif level is not None and vocab.MARK_LEVELS[m["level"]] > level:
            yield (
                f"{at}: ({paragraph.marking}) is above the cable's classification "
                f"{draft.classification}"
            )


def caveat_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    caveats = draft.caveats
    for n, caveat in enumerate(caveats):
        if caveat not in vocab.CAVEATS and not vocab.REL_TO.match(caveat):
            near = _suggest(caveat, list(vocab.CAVEATS))
            yield f"{draft.at(f'caveats[{n}]')}: unknown caveat {caveat}{near}"
    releasable = [c for c in caveats if c.startswith("REL TO")]
    if "NOFORN" in caveats and releasable:
        yield f"{draft.at('caveats')}: NOFORN and {releasable[0]} contradict each other"
    for other in vocab.NOT_WITH_SIPDIS:
        if "SIPDIS" in caveats and other in caveats:
            yield f"{draft.at('caveats')}: SIPDIS cannot go with {other}"


# --------------------------------------------------------------------------- classification


def classified_by_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    if vocab.LEVELS.get(draft.classification, 0) < vocab.CLASSIFIED:
        return
    by = draft.classified_by
    if by is None or not (by.name or by.title):
        yield f"{draft.at('classified_by')}: a {draft.classification} cable needs a Classified By"
        return
    if not by.reasons:
        yield f"{draft.at('classified_by.reasons')}: give the reasons, 1.4 (a) to (h)"
    for n, reason in enumerate(by.reasons):
        if len(reason) != 1 or reason not in vocab.REASONS:
            at = draft.at(f"classified_by.reasons[{n}]")
            yield f"{at}: {reason} is not a reason of E.O. 13526 1.4 (a) to (h)"


def declassify_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    if vocab.LEVELS.get(draft.classification, 0) < vocab.CLASSIFIED:
        return
    at = draft.at("declassify")
    value = draft.declassify
    if value is None:
        yield f"{at}: a {draft.classification} cable needs a declassification date or exemption"
        return
    if value in vocab.EXEMPTIONS:
        return
    try:
        when = datetime.date.fromisoformat(value)
    except ValueError:
        yield f"{at}: {value} is neither a date (YYYY-MM-DD) nor an exemption (25X1, 50X1-HUM)"
        return
    limit = _years_after(day, vocab.MAX_YEARS)
    if when > limit:
        yield f"{at}: {value} is more than 25 years after {day.isoformat()}; use an exemption"
    elif when <= day:
        yield f"{at}: {value} is not after the cable's date {day.isoformat()}"


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --------------------------------------------------------------------------- TAGS, references


def tags_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    known = tables.known_tags()
    for n, tag in enumerate(draft.tags):
        if tag not in known:
            yield f"{draft.at(f'tags[{n}]')}: unknown TAGS code {tag}{_close_tags(tag)}"
    places = [t for t in draft.tags if tables.tag_kind(t) in ("geographic", "organization")]
    if not places:
        yield f"{draft.at('tags')}: TAGS need a country or organization code (CA, RS, NATO)"


def _close_tags(tag: str) -> str:
    return _suggest(tag, tables.known_tags())


def reference_rule(draft: Draft, day: datetime.date) -> Iterator[str]:
    letters = [r.letter for r in draft.references if r.letter]
    if letters and len(letters) != len(draft.references):
        yield f"{draft.at('references')}: give every reference a letter, or none"
        return
    for n, letter in enumerate(letters):
        expected = chr(ord("A") + n)
        if letter != expected:
            at = draft.at(f"references[{n}].letter")
            yield f"{at}: letter {letter} out of order; expected {expected}"
            return
    for n, ref in enumerate(draft.references):
        if ref.id is not None and not _is_cable_id(ref.id):
            yield f"{draft.at(f'references[{n}].id')}: {ref.id} is not a cable id (09OTTAWA8)"


def _is_cable_id(ident: str) -> bool:
    return split_id(ident) is not None


_CABLE_ID = re.compile(r"^(\d{2})([A-Z]+?)([1-9]\d{0,6})$")


def split_id(ident: str) -> tuple[str, str, int] | None:
    """``08OTTAWA1140`` -> (``08``, ``OTTAWA``, 1140); None unless the station is known."""
    m = _CABLE_ID.match(ident.upper())
    if m is None or not tables.is_station(m[2]):
        return None
    return m[1], m[2], int(m[3])


RULES: tuple[Rule, ...] = (
    origin_rule,
    addressee_rule,
    precedence_rule,
    classification_rule,
    marking_rule,
    caveat_rule,
    classified_by_rule,
    declassify_rule,
    tags_rule,
    reference_rule,
)
