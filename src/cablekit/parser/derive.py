"""Stage 7: derived fields: canonical id, source, classification, date."""

from __future__ import annotations

import re

from .. import tables
from ..model import Source
from ..sources.base import RawCable
from .classline import ClassLine
from .dates import full_year
from .state import ParseState

# Year, station, serial: ASCII only (\d alone would take any script's digits), and
# always with fullmatch ($ would let a trailing newline through).
CABLE_ID = re.compile(r"(\d{2})([A-Z]+?)(\d{1,7})", re.ASCII)
_LEVELS = {
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": "SENSITIVE BUT UNCLASSIFIED",
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOP SECRET": "TOP SECRET",
}

# Captions of UNCLAS cables kept as handling caveats (the cable stays UNCLASSIFIED; the
# access policy reads them: FOUO asks for SBU, LIMITED OFFICIAL USE for LOU).
OFFICIAL_USE = frozenset({"FOR OFFICIAL USE ONLY", "FOUO", "LIMITED OFFICIAL USE"})


def is_cable_id(text: str) -> bool:
    return CABLE_ID.fullmatch(text) is not None


def published_id(raw: RawCable) -> str | None:
    """The publisher's id of the cable, as written (upper-cased)."""
    pub = raw.publication
    if pub is None or not pub.reference_id or not pub.reference_id.strip():
        return None
    return pub.reference_id.strip().upper()


def canonical_from_publication(raw: RawCable) -> str | None:
    """The publisher's id as a canonical cable id (malformed WikiLeaks ids repaired by
    the table); None when there is none, or it is no cable id at all. A publisher's id
    becomes the archive's key, a file name in downloads and a path in URLs: anything
    else a JSON line or a page says is never taken for one."""
    written = published_id(raw)
    if written is None:
        return None
    canonical = tables.canonical_id(written)
    return canonical if is_cable_id(canonical) else None


def station_of(post: str) -> str:
    return tables.station_token(post) or re.sub(r"[^A-Z]", "", post.upper())


def id_from_class_line(
    state: ParseState, class_line: ClassLine | None, raw: RawCable
) -> str | None:
    """``YY`` + station + serial, from the classification line and the cable's year,
    checked against the envelope (``checked_station``, ``checked_serial``)."""
    if class_line is None:
        return None
    year = state.year or publication_year(raw)
    if year is None:
        return None
    station = checked_station(state, class_line.post)
    return f"{year % 100:02d}{station}{checked_serial(state, class_line.serial)}"


# The office words before a post in a plain-language address (``AMEMBASSY CAIRO``).
_OFFICE = re.compile(r"^(?:AMEMBASSY|AMCONSUL|USMISSION|USINT|USLO|AIT|REO|US MISSION)\s+")


def checked_station(state: ParseState, post: str) -> str:
    """The station of ``post``; when it is no station (a garbled ``LCAIRO``, a redacted
    ``XXXXXXXXXXXX``), the FM line's post, if that is one."""
    station = station_of(post)
    sender = state.get("from_")
    if tables.is_station(station) or sender is None:
        return station
    fm = tables.station_token(_OFFICE.sub("", sender.name))
    return fm if fm is not None else station


def checked_serial(state: ParseState, serial: int) -> int:
    """``serial``, or the DE line's station serial where the classification line lost its
    last digit (``TRIPOLI 00011`` with ``#0112``): the station serial is the cable's
    serial for serials below 10,000, and the longer one is the cable's."""
    station = state.get("station")
    ssn = station.serial.lstrip("0") if station is not None else ""
    if ssn.isdigit() and len(ssn) == len(str(serial)) + 1 and ssn.startswith(str(serial)):
        return int(ssn)
    return serial


def publication_year(raw: RawCable) -> int | None:
    created = raw.publication.created if raw.publication else None
    if created and created[:4].isdigit():
        return int(created[:4])
    return None


def fallback_year(raw: RawCable) -> int | None:
    """The cable's year without a DTG: the publisher's date, else its id."""
    year = publication_year(raw)
    if year is None and raw.publication and raw.publication.reference_id:
        yy = raw.publication.reference_id[:2]
        year = full_year(int(yy)) if yy.isdigit() else None
    return year


def id_from_path(raw: RawCable) -> str | None:
    path = raw.source.path or ""
    stem = re.split(r"[/!\\]", path)[-1].split(".")[0].upper()
    return stem if is_cable_id(stem) else None


def derive(raw: RawCable, state: ParseState, class_line: ClassLine | None, partial: bool) -> None:
    """Set id, source, publication, classification, date and partial."""
    published = canonical_from_publication(raw)
    written = published_id(raw)
    if published is None and written is not None:
        state.warn(
            "publication-id-invalid",
            f"The publisher's id {written[:40]!a} is not a cable id; it is not used",
        )
    from_text = id_from_class_line(state, class_line, raw)
    ident = published or from_text or id_from_path(raw)
    if (
        published
        and from_text
        and published != from_text
        and tables.is_station(station_of(class_line.post if class_line else ""))
    ):
        state.warn(
            "id-mismatch",
            f"The page says {published} but the classification line says {from_text}",
        )
    original = raw.source.original_id
    source = raw.source
    if original is not None and original == ident:
        source = Source(source.format, source.path, source.row)  # the id needs no repair
    state.set("id", ident)
    state.set("source", source)
    state.set("publication", raw.publication)
    state.set("partial", partial)
    if state.year is None and ident and ident[:2].isdigit():
        state.year = full_year(int(ident[:2]))
    set_classification(raw, state, class_line)
    set_date(raw, state)


def set_classification(raw: RawCable, state: ParseState, class_line: ClassLine | None) -> None:
    level = class_line.classification if class_line else None
    if level is None and state.get("security_warning") is not None:
        level = state.get("security_warning").classification
    published = raw.publication.classification if raw.publication else None
    if level is None and published:
        level = _LEVELS.get(published.upper().split("//")[0])
    caveats = list(state.get("caveats") or ())
    if published and "NOFORN" in published.upper() and "NOFORN" not in caveats:
        caveats.append("NOFORN")
    official = [c for c in caveats if c in OFFICIAL_USE]
    if level == "UNCLASSIFIED" and (
        "SBU" in caveats
        or (not official and (published or "").upper().endswith("FOR OFFICIAL USE ONLY"))
    ):
        level = "SENSITIVE BUT UNCLASSIFIED"
    if level is None and "LIMITED OFFICIAL USE" in caveats:
        level = "LIMITED OFFICIAL USE"  # the caption is the only classification written
        caveats.remove("LIMITED OFFICIAL USE")
    state.set("caveats", tuple(c for c in caveats if c != "SBU"))
    state.set("classification", level)


def set_date(raw: RawCable, state: ParseState) -> None:
    dtg = state.get("dtg")
    if dtg:
        state.set("date", dtg[:10])
        return
    if state.day:
        state.set("date", state.day)
        return
    created = raw.publication.created if raw.publication else None
    if created and re.match(r"^\d{4}-\d{2}-\d{2}", created):
        # The day of a page's Created cell is right; its minutes are not (spec 9.2).
        state.set("date", created[:10])
