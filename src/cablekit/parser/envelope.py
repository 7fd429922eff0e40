"""Stage 3: the transmission envelope, format lines FL1-FL9 (spec section 2).

A small line-by-line machine: each line is matched against the format-line
patterns in turn; after ``TO``/``INFO``/``XMT`` every line that is not another
keyword is one more addressee. Routing indicators are checked against the
packaged tables and unknown or malformed ones are warned about, never fixed.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence

from .. import tables
from ..model import Addressee, Originator, Relay, SecurityWarning, Station
from .dates import dtg_to_iso, julian_to_iso
from .state import ParseState

FL1 = re.compile(r"VZCZC([A-Z]{3})(\d{2,5})\b")
FL2 = re.compile(r"^([ZOPRY]{2})((?:\s+R[A-Z]{3,7})+)\s*$")
RI_CONTINUATION = re.compile(r"^R[A-Z]{3,7}(?:\s+R[A-Z]{3,7})*$")
FL3 = re.compile(r"^DE\s+(R[A-Z]{3,7})\s*#\s*(\d{1,5})(?:/(\d{1,3}))?\s+(\d{3})(\d{4})\b")
FL4 = re.compile(
    r"^(ZN[RY])\s+(?P<cls>(?P<c>[UECSTR])(?P=c){4})(?:/(?P<specat>(?P<s>[A-Z])(?P=s){4}))?(?P<ops>.*)$"
)
FL5 = re.compile(
    r"^(?:([ZOPRY])(?:\s+([ZOPRY]))?\s+)?(\d{2})(\d{4})\s?Z\s+([A-Za-z]{3})\s+(\d{4}|\d{2})\b(.*)$"
)
# A DTG known to the day only (``10 MAY 05``): what cablekit's render writes for a cable
# whose publisher gave the day and no DTG, so that the text alone keeps its date and year.
FL5_DAY = re.compile(r"^(\d{2}) ([A-Z]{3}) (\d{2})$")
KEYWORD = re.compile(r"^(FM|TO|INFO|XMT|BT)(?:\s+|/|$)(.*)$")
OLD_PAGE_HEADER = re.compile(r"^(?:[A-Z ]*\s)?PAGE\s+\d{2}\b")
DISTRIBUTION = re.compile(
    r"^(?:(?:ORIGIN|ACTION|INFO)\s+)?(?:[A-Z][A-Z/]*-\d{2}\s*)*(?:/\d{3}\s*[A-Z]?)?\s*$"
    r"|^-{5,}|^(?:ORIGIN|ACTION)\s+[A-Z/]+-\d{2}|^(?:DRAFTED|APPROVED|CLEARED)\s+BY\b"
)
# The name ends before a space or at the end: "(?=\s|$)" says so early, which spares the
# engine trying the optional groups after every character of the name. It is ".+?" (the
# shortest name the rest of the line allows) written word by word: one character, the
# non-space characters after it, then one more space and word at a time, each taken
# whole ("*+"), so that the engine stops only where a name may end.
ADDRESSEE = re.compile(
    r"^(?:(?P<ri>R[A-Z]{3,7}|ZEN|[A-Z]{4,7}(?=\s?/))\s?/\s?)?"
    r"(?P<name>.\S*+(?:[^\S\n]\S*+)*?)(?=\s|$)"
    r"(?:\s+(?P<prec>FLASH|NIACT\s+IMMEDIATE|IMMEDIATE|IMMEDIAT|PRIORITY|PIORITY|PRIORTY|ROUTINE))?"
    r"(?:\s+(?P<serial>\d{3,5}(?:\s?-\s?\d{3,5})?))?\s*$"
)
# Lines inside an address list that may be something else than an addressee.
_NOT_ADDRESSEES = (
    "TO ",
    "INFO",
    "XMT",
    "FM ",
    "BT",
    "PAGE",
    "ORIGIN",
    "ACTION",
    "DE ",
    "ZN",
    "VZCZC",
    "-----",
    "DRAFTED",
    "APPROVED",
    "CLEARED",
)
SIGNALS = re.compile(r"\([^)]*\)|\S+")

# Y (emergency command precedence, DoD only, never seen) ranks above FLASH; kept as FLASH.
PROSIGNS = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE", "Y": "FLASH"}
PRECEDENCE_WORDS = {
    "FLASH": "FLASH",
    "NIACT IMMEDIATE": "NIACT IMMEDIATE",
    "IMMEDIATE": "IMMEDIATE",
    "IMMEDIAT": "IMMEDIATE",
    "PRIORITY": "PRIORITY",
    "PIORITY": "PRIORITY",
    "PRIORTY": "PRIORITY",
    "ROUTINE": "ROUTINE",
}
CLASS_LETTERS = {
    "U": "UNCLASSIFIED",
    "E": "UNCLASSIFIED",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "T": "TOP SECRET",
    "R": "RESTRICTED",
}
NAMED_COLLECTIVES = ("SPECIAL EMBASSY PROGRAM", "SOUTHERN AFRICAN DEVELOPMENT COMMUNITY")


def looks_like_envelope(line: str) -> bool:
    """True for a line that can only belong to the transmission envelope."""
    return bool(
        FL1.search(line[:40])
        or FL2.match(line)
        or FL3.match(line)
        or FL4.match(line)
        or FL5.match(line)
        or FL5_DAY.match(line)
        or KEYWORD.match(line)
    )


class _Envelope:
    """Walks the header lines once, filling the state."""

    def __init__(self, state: ParseState) -> None:
        self.state = state
        self.to: list[Addressee] = []
        self.info: list[Addressee] = []
        self.target: list[Addressee] | None = None  # list being filled by TO/INFO
        self.excluding = False
        self.relay_open = False
        self.filed: tuple[int, str] | None = None
        self.unread: list[str] = []

    def feed(self, line: str) -> None:
        if not line:
            return
        if ("-0" in line or line[0] in "/-") and DISTRIBUTION.match(line):
            return  # State's internal distribution block, before or inside the address list
        if self.target is not None and not line.startswith(_NOT_ADDRESSEES):
            self.add_addressee(line)  # the common case: one more addressee
            return
        if self.relay_open and RI_CONTINUATION.match(line):
            self.add_relay(line.split())
            return
        self.relay_open = False
        if self.envelope_line(line):
            return
        if OLD_PAGE_HEADER.match(line) or DISTRIBUTION.match(line) or "partial extract" in line:
            return
        if self.target is not None:
            self.add_addressee(line)
        else:
            self.unread.append(line)

    def envelope_line(self, line: str) -> bool:
        fl1 = FL1.search(line[:40]) if "VZCZC" in line[:40] else None
        if fl1:
            self.state.set("transmission_id", fl1[1] + fl1[2])
            return True
        first = line[0]  # each format line has its own first characters: try only its pattern
        if first in "FTIXB":
            m = KEYWORD.match(line)
            if m:
                self.keyword(m[1], m[2].strip())
                return True
        m = FL2.match(line) if first in "ZOPRY" else None
        if m and self.target is None:
            self.state.set("relay", Relay(m[1], ()))
            self.add_relay(m[2].split())
            self.relay_open = True
            return True
        m = FL3.match(line) if first == "D" else None
        if m:
            self.station(m)
            return True
        m = FL4.match(line) if first == "Z" else None
        if m:
            self.security_warning(m)
            return True
        m = FL5.match(line) if first in "ZOPRY" or first.isdigit() else None
        if m and self.target is None:
            self.dtg(m)
            return True
        m = FL5_DAY.match(line) if first.isdigit() and self.target is None else None
        if m and not self.state.get("dtg_text"):
            return self.day(m)
        return False

    def add_relay(self, ris: Sequence[str]) -> None:
        relay = self.state.get("relay")
        for ri in ris:
            check_ri(self.state, ri, "FL2")
        self.state.set("relay", Relay(relay.precedence, relay.routing_indicators + tuple(ris)))

    def station(self, m: re.Match[str]) -> None:
        ri, serial, section, day, hhmm = m.groups()
        check_ri(self.state, ri, "DE line")
        self.filed = (int(day), hhmm)
        self.state.set(
            "station",
            Station(ri, serial, int(section) if section else None, f"{day}{hhmm}"),
        )

    def security_warning(self, m: re.Match[str]) -> None:
        specat = m["specat"]
        self.state.set(
            "security_warning",
            SecurityWarning(
                m[1], CLASS_LETTERS.get(m["c"]), specat, tuple(SIGNALS.findall(m["ops"]))
            ),
        )

    def dtg(self, m: re.Match[str]) -> None:
        prec, info_prec, day, hhmm, month, year, _rest = m.groups()
        iso = dtg_to_iso(day, hhmm, month, year)
        month = month.upper()
        self.state.set("precedence", PROSIGNS[prec] if prec else None)
        self.state.set("info_precedence", PROSIGNS[info_prec] if info_prec else None)
        self.state.set("dtg_text", f"{day}{hhmm}Z {month} {year}")
        if iso is None:
            self.state.warn(
                "dtg-invalid", f"Date-time group {day}{hhmm}Z {month} {year} is not a date"
            )
            return
        self.state.set("dtg", iso)
        self.state.year = int(iso[:4])

    def day(self, m: re.Match[str]) -> bool:
        """``10 MAY 05``: the cable's day without a time; no DTG, no precedence."""
        day, month, year = m.groups()
        iso = dtg_to_iso(day, "0000", month, year)
        if iso is None:
            return False
        self.state.day = iso[:10]
        self.state.year = int(iso[:4])
        return True

    def keyword(self, word: str, rest: str) -> None:
        if word == "FM":
            self.target = None
            self.state.set("from_", originator(rest))
        elif word == "TO":
            self.target, self.excluding = self.to, False
            self.add_addressee(rest)
        elif word == "INFO":
            self.target, self.excluding = self.info, False
            self.add_addressee(rest)
        elif word == "XMT":
            self.target = self.target if self.target is not None else self.info
            self.excluding = True
            self.add_addressee(rest)

    def add_addressee(self, text: str) -> None:
        if len(text) < 3 or self.target is None or ("PAGE" in text and OLD_PAGE_HEADER.match(text)):
            return  # stray letters, a page header inside the address list
        addressee = parse_addressee(text, self.excluding)
        ri = addressee.routing_indicator
        if ri and ri != "ZEN" and not tables.is_known_ri(ri):  # known: no need to say where
            where = "TO" if self.target is self.to else "INFO"
            check_ri(self.state, ri, f"{where} {len(self.target) + 1}")
        self.target.append(addressee)

    def finish(self) -> None:
        if self.unread:
            more = f" and {len(self.unread) - 1} more" if len(self.unread) > 1 else ""
            self.state.warn(
                "header-unread", f"Header line not understood: {self.unread[0][:80]}{more}"
            )
        if self.to or not self.state.get("to"):
            self.state.set("to", tuple(self.to))
        if self.info or not self.state.get("info"):
            self.state.set("info", tuple(self.info))
        station = self.state.get("station")
        sender = self.state.get("from_")
        if sender is not None and station is not None and sender.routing_indicator is None:
            self.state.set("from_", Originator(sender.name, station.routing_indicator))
        if station is not None and self.filed is not None and self.state.year is not None:
            filed_utc = julian_to_iso(self.filed[0], self.filed[1], self.state.year)
            self.state.set(
                "station",
                Station(
                    station.routing_indicator,
                    station.serial,
                    station.section,
                    station.filed,
                    filed_utc,
                ),
            )
            dtg = self.state.get("dtg")
            if filed_utc and dtg and filed_utc[:10] != dtg[:10]:
                self.state.warn(
                    "julian-mismatch",
                    f"DE line filing day {self.filed[0]:03d} is not the DTG's day {dtg[:10]}",
                )


def parse_envelope(lines: Sequence[str], state: ParseState) -> None:
    """Fill the envelope fields of ``state`` from the header lines."""
    machine = _Envelope(state)
    for line in lines:
        machine.feed(line.strip())
    machine.finish()


def originator(text: str) -> Originator:
    m = ADDRESSEE.match(text)
    name = m["name"] if m else text
    ri = m["ri"] if m else None
    return Originator(name=" ".join(name.split()), routing_indicator=ri)


@functools.lru_cache(maxsize=16384)  # address lines repeat from cable to cable
def parse_addressee(text: str, excluded: bool = False) -> Addressee:
    m = ADDRESSEE.match(text.strip())
    if m is None:  # the pattern accepts any non-empty text
        return Addressee(name=text.strip(), excluded=excluded)
    ri = m["ri"]
    name = " ".join(m["name"].split())
    prec = m["prec"]
    serial = m["serial"].replace(" ", "") if m["serial"] else None
    collective = name.endswith("COLLECTIVE") or name in NAMED_COLLECTIVES
    if ri and ri != "ZEN" and tables.is_collective_ri(ri):
        collective = True
    return Addressee(
        name=name,
        routing_indicator=ri,
        precedence=PRECEDENCE_WORDS[" ".join(prec.split())] if prec else None,
        serial=serial,
        collective=collective,
        excluded=excluded,
    )


def check_ri(state: ParseState, ri: str, where: str) -> None:
    """Warn about a routing indicator that is malformed or in no table."""
    if tables.is_known_ri(ri):
        return
    hint = suggest_ri(ri)
    suffix = f"; probably {hint}" if hint else ""
    if len(ri) > 7:
        state.warn(
            "malformed-ri", f"{where}: malformed routing indicator {ri} ({len(ri)} letters{suffix})"
        )
    else:
        state.warn("unknown-ri", f"{where}: unknown routing indicator {ri}{suffix}")


@functools.lru_cache(maxsize=4096)
def suggest_ri(ri: str) -> str | None:
    """The closest known RI, same station prefix first, with its name."""
    for width, cutoff in ((5, 0.6), (4, 0.75)):
        close = difflib.get_close_matches(ri, tables.known_ris_with_prefix(ri[:width]), 1, cutoff)
        if close:
            name = tables.ri_name(close[0])
            return f"{close[0]}, {name}" if name else close[0]
    return None
