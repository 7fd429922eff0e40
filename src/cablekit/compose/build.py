"""A checked draft becomes a record: ``compose(draft, serial=..., dtg=...) -> Cable``.

What a drafter does not write is computed here, by the format's rules: the
routing indicators (ACP 117 tables), the station serial (serial mod 10000) and
the Julian filing time, the security warning matching the classification, the
date-time group, paragraph numbers, sections and their page markers. The
derived fields a reader computes (REF ids, Classified By parts, the summary) are
computed with the reader's own functions, so that the record is the one a
reader gets back from the rendered text.

Numbers that come from an archive (the cable's serial, per-addressee serials)
are passed in: ``Numbering``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace

from ..errors import DraftError
from ..model import (
    Addressee,
    Cable,
    ClassifiedBy,
    Originator,
    Paragraph,
    Reference,
    Relay,
    SecurityWarning,
    Source,
    Station,
)
from ..parser.body import find_summary
from ..parser.classified import parse_classified_by
from ..parser.refs import parse_references
from . import rules, vocab
from .draft import Draft, DraftAddressee
from .envelope import PROSIGNS
from .sections import split_sections

__all__ = ["Numbering", "compose", "parse_dtg"]

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
CHANNEL = "XRO"  # the relay copy's channel designator (spec 2.2)


@dataclass(frozen=True, slots=True)
class Numbering:
    """Numbers an archive allocates; without one, the draft's own (or 1).

    :param serial: the cable's serial (message reference number) at its post.
    :param addressees: per-addressee serials by plain-language address.
    :param channel_sequence: the transmission sequence of FL1; the serial's last
        four digits when None.
    """

    serial: int | None = None
    addressees: dict[str, int] = field(default_factory=dict)
    channel_sequence: int | None = None


def compose(draft: Draft, numbering: Numbering | None = None, dtg: str | None = None) -> Cable:
    """The record of a draft, checked first (``DraftInvalid`` lists every problem)."""
    numbering = numbering or Numbering()
    written = dtg or draft.dtg
    moment = parse_dtg(written) if written else _now()
    rules.check(draft, moment.date())
    serial = numbering.serial or draft.serial or 1
    origin = rules.resolve_origin(draft)
    assert origin is not None  # checked
    token, pla, ri = origin
    post = "STATE" if token == "STATE" else pla.split(" ", 1)[-1]
    year = f"{moment.year % 100:02d}"
    cable = Cable(
        id=f"{year}{token}{serial}",
        source=Source(format="draft", path=draft.path),
        station=Station(ri, f"{serial % 10000:04d}", None, _julian(moment), _iso(moment)),
        security_warning=_security_warning(draft.classification),
        precedence=draft.precedence,
        dtg=_iso(moment),
        dtg_text=_dtg_text(moment),
        date=moment.date().isoformat(),
        from_=Originator(pla, ri),
        classification=draft.classification,
        post=post,
        serial=serial,
        caveats=draft.caveats,
        executive_order=draft.executive_order or _order(moment),
        tags=draft.tags,
        subject=draft.subject,
        references=_references(draft, f"{year}{token}{serial}", moment.year),
        classified_by=_classified_by(draft),
        paragraphs=_paragraphs(draft),
        signature=draft.signature,
    )
    cable = _declassification(cable, draft.declassify)
    cable = replace(cable, summary=find_summary(cable.paragraphs))
    cable = split_sections(cable)
    return _address(cable, draft, numbering, channel=numbering.channel_sequence or serial)


# --------------------------------------------------------------------------- time


def parse_dtg(text: str) -> datetime.datetime:
    """``072102Z APR 09``, ``2009-04-07T21:02Z`` or ``2009-04-07 21:02`` as a UTC time."""
    m = _DTG.match(text.strip().upper())
    if m:
        day, hour, minute, month, year = m.groups()
        full = int(year) if len(year) == 4 else (1900 if int(year) >= 66 else 2000) + int(year)
        try:
            return datetime.datetime(
                full, MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=datetime.UTC
            )
        except ValueError:
            pass
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise DraftError(
            f"dtg: {text} is not a date-time group (072102Z APR 09 or 2009-04-07T21:02Z)"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


_DTG = re.compile(r"^(\d{2})(\d{2})(\d{2})Z\s+([A-Z]{3})\s+(\d{2}|\d{4})$")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


def _dtg_text(moment: datetime.datetime) -> str:
    return f"{moment:%d%H%M}Z {MONTHS[moment.month - 1]} {moment:%y}"


def _julian(moment: datetime.datetime) -> str:
    return f"{moment.timetuple().tm_yday:03d}{moment:%H%M}"


def _order(moment: datetime.datetime) -> str:
    since = datetime.datetime(2010, 6, 27, tzinfo=datetime.UTC)
    return vocab.ORDER_SINCE_2010 if moment >= since else vocab.ORDER_BEFORE_2010


# --------------------------------------------------------------------------- parts


def _security_warning(classification: str) -> SecurityWarning:
    if vocab.LEVELS[classification] >= vocab.CLASSIFIED:
        return SecurityWarning("ZNY", classification, None, ("ZZH",))
    if classification == "LIMITED OFFICIAL USE":
        return SecurityWarning("ZNY", "UNCLASSIFIED", None, ("ZZH",))
    return SecurityWarning("ZNR", "UNCLASSIFIED", None, ("ZZH",))


def _declassification(cable: Cable, value: str | None) -> Cable:
    if value is None:
        note = "N/A" if vocab.LEVELS[cable.classification or ""] < vocab.CLASSIFIED else None
        return replace(cable, declassify_note=note)
    if value[:4].isdigit():
        return replace(cable, declassify_on=value)
    return replace(cable, declassify_note=value)


def _references(draft: Draft, citing: str, year: int) -> tuple[Reference, ...]:
    """Each reference as a reader reads it (kind, resolved id) from its text."""
    out: list[Reference] = []
    lettered = len(draft.references) > 1
    for n, ref in enumerate(draft.references):
        letter = ref.letter or (chr(ord("A") + n) if lettered else None)
        text = ref.text or _citation(ref.id or "", year)
        read = parse_references(text, citing, year)
        kind, ident = (read[0].kind, read[0].id) if len(read) == 1 else ("other", None)
        inferred = read[0].year_inferred if len(read) == 1 else False
        out.append(Reference(letter, text, kind, ident, inferred))
    return tuple(out)


def _citation(ident: str, year: int) -> str:
    """``08OTTAWA1140`` as a REF line writes it: ``08 OTTAWA 1140``."""
    parts = rules.split_id(ident)
    assert parts is not None  # checked
    yy, token, serial = parts
    return f"{yy} {token} {serial}"


def _classified_by(draft: Draft) -> ClassifiedBy | None:
    by = draft.classified_by
    if by is None:
        return None
    who = " ".join(part for part in (by.title, by.name) if part)
    letters = " and ".join(f"({r})" for r in by.reasons)
    text = f"Classified By: {who}, reasons 1.4 {letters}" if letters else f"Classified By: {who}"
    return parse_classified_by(text)


def _paragraphs(draft: Draft) -> tuple[Paragraph, ...]:
    """Numbered from 1; a single paragraph is not numbered (5 FAH-1 H-246.2)."""
    single = len(draft.paragraphs) == 1
    return tuple(
        Paragraph(None if single else n, p.marking, p.heading, p.text)
        for n, p in enumerate(draft.paragraphs, 1)
    )


# --------------------------------------------------------------------------- envelope


def _address(cable: Cable, draft: Draft, numbering: Numbering, channel: int) -> Cable:
    sections = cable.sections.total if cable.sections else 1
    to = tuple(_addressee(a, draft, numbering, sections) for a in draft.to)
    info = tuple(_addressee(a, draft, numbering, sections) for a in draft.info)
    ris = [a.routing_indicator for a in (*to, *info) if a.routing_indicator]
    relay = Relay(
        PROSIGNS[draft.precedence] * 2, tuple(dict.fromkeys(r for r in ris if r != "ZEN"))
    )
    station = cable.station
    assert station is not None
    if sections > 1:
        station = replace(station, section=1)
    return replace(
        cable,
        transmission_id=f"{CHANNEL}{channel % 10000:04d}",
        relay=relay,
        station=station,
        to=to,
        info=info,
    )


def _addressee(
    addressee: DraftAddressee, draft: Draft, numbering: Numbering, sections: int
) -> Addressee:
    ri = rules.resolve_addressee(addressee)
    precedence = addressee.precedence or draft.precedence
    first = numbering.addressees.get(addressee.name) or addressee.serial
    serial = None
    if first is not None:
        last = (first + sections - 1 - 1) % 9999 + 1
        serial = f"{first % 10000:04d}" + (f"-{last:04d}" if sections > 1 else "")
    collective = addressee.name.endswith("COLLECTIVE")
    return Addressee(
        name=addressee.name,
        routing_indicator=ri,
        precedence=None if precedence == "ROUTINE" else precedence,  # omitted (spec 11)
        serial=serial,
        collective=collective or _is_collective(ri),
    )


def _is_collective(ri: str | None) -> bool:
    from .. import tables

    return bool(ri) and ri != "ZEN" and tables.is_collective_ri(ri or "")
