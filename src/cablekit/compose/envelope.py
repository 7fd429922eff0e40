"""The transmission envelope, format lines 1-9, and the end marks (spec 2, 11).

Every line is rebuilt from the record's parts in the spec's canonical layout:
single spaces, first addressee on the ``TO``/``INFO`` line and one addressee a
line after it, ``XMT`` before exempted addressees. Values are emitted as the
record holds them (routing indicators as written, ``ZEN`` included), so that a
re-read gives the same record.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Addressee, Cable
from .layout import WIDTH, wrap

PROSIGNS = {"FLASH": "Z", "NIACT IMMEDIATE": "O", "IMMEDIATE": "O", "PRIORITY": "P", "ROUTINE": "R"}
CLASS_LETTERS = {
    "CONFIDENTIAL": "C",
    "SECRET": "S",
    "TOP SECRET": "T",
    "RESTRICTED": "R",
    "UNCLASSIFIED": "U",
    "SENSITIVE BUT UNCLASSIFIED": "U",
    "LIMITED OFFICIAL USE": "E",  # encrypted for transmission, like EFTO (spec 12.1, INF)
}
WEB_RELAY = "RUEHWEB"  # the XYZ copy for the web archive has a blank line after FL2 (spec 2.10)


def envelope_lines(cable: Cable) -> list[str]:
    """FL1-FL9 of ``cable``, empty when the record has no envelope."""
    lines: list[str] = []
    if cable.transmission_id:
        lines.append(f"VZCZC{cable.transmission_id}")
    lines.extend(relay_lines(cable))
    if cable.station is not None:
        lines.append(de_line(cable))
    if cable.security_warning is not None:
        lines.append(security_line(cable))
    if cable.dtg_text:
        lines.append(dtg_line(cable))
    elif cable.date:
        lines.append(day_line(cable.date))
    if cable.from_ is not None:
        lines.append(f"FM {originator(cable)}")
    lines.extend(address_lines("TO", cable.to))
    lines.extend(address_lines("INFO", cable.info))
    return lines


def relay_lines(cable: Cable) -> list[str]:
    relay = cable.relay
    if relay is None:
        return []
    lines = wrap(" ".join(relay.routing_indicators), WIDTH, first=f"{relay.precedence} ")
    if relay.routing_indicators == (WEB_RELAY,):
        lines.append("")
    return lines


def de_line(cable: Cable) -> str:
    station = cable.station
    assert station is not None
    section = f"/{station.section:02d}" if station.section is not None else ""
    filed = f" {station.filed}" if station.filed else ""
    return f"DE {station.routing_indicator} #{station.serial}{section}{filed}"


def security_line(cable: Cable) -> str:
    warning = cable.security_warning
    assert warning is not None
    letter = CLASS_LETTERS.get(warning.classification or "", "U")
    if letter == "U" and warning.code == "ZNY":
        letter = "E"  # unclassified, yet encrypted: EFTO (spec 2.5)
    specat = f"/{warning.specat}" if warning.specat else ""
    return " ".join([warning.code, letter * 5 + specat, *warning.signals])


def dtg_line(cable: Cable) -> str:
    prosigns = [PROSIGNS[p] for p in (cable.precedence, cable.info_precedence) if p]
    return " ".join([*prosigns, cable.dtg_text or ""])


MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def day_line(date: str) -> str:
    """``10 MAY 05``: the cable's day when the record has no DTG (its publisher gave the
    day only). No time and no precedence are made up; the parser reads the line as the
    day, so the telegram alone keeps its date, and with it the year of its id."""
    year, month, day = date.split("-")
    return f"{day} {MONTHS[int(month) - 1]} {year[2:]}"


def originator(cable: Cable) -> str:
    sender = cable.from_
    assert sender is not None
    station = cable.station.routing_indicator if cable.station else None
    if sender.routing_indicator and sender.routing_indicator != station:
        return f"{sender.routing_indicator}/{sender.name}"
    return sender.name  # the DE line gives the RI (spec 2.8: FM has none)


def address_lines(keyword: str, addressees: Sequence[Addressee]) -> list[str]:
    """``TO``/``INFO`` with one addressee a line; ``XMT`` before exempted ones."""
    lines: list[str] = []
    excluding = False
    for n, addressee in enumerate(addressees):
        text = address(addressee)
        if n == 0 or addressee.excluded != excluding:
            text = f"{'XMT' if addressee.excluded else keyword} {text}"
        excluding = addressee.excluded
        lines.append(text)
    return lines


def address(addressee: Addressee) -> str:
    """``RUEHC/SECSTATE WASHDC PRIORITY 9314``: RI, PLA, precedence word, serial."""
    parts = [addressee.name]
    if addressee.routing_indicator:
        parts[0] = f"{addressee.routing_indicator}/{addressee.name}"
    if addressee.precedence:
        parts.append(addressee.precedence)
    if addressee.serial:
        parts.append(addressee.serial)
    return " ".join(parts)


def end_lines(cable: Cable) -> list[str]:
    """FL13, FL15 and FL16: ``BT``, ``#`` + station serial, ``NNNN`` (spec 2.9)."""
    ssn = f"#{cable.station.serial}" if cable.station is not None else None
    return ["BT", *([ssn] if ssn else []), "NNNN"]
