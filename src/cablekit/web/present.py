"""Cable fields as a reader understands them: plain times, post and routing names,
tag descriptions, banner colours, snippets with their highlights, citations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from .. import tables
from ..markings import PORTION_MARKS
from ..model import Addressee, Cable
from ..search.engine import HIGHLIGHT
from ..store.sqlite import VersionInfo

# Banner colours by convention (background, text): the class names are in style.css.
BANNERS = {
    "UNCLASSIFIED": "banner-u",
    "SENSITIVE BUT UNCLASSIFIED": "banner-sbu",
    "LIMITED OFFICIAL USE": "banner-lou",
    "CONFIDENTIAL": "banner-c",
    "SECRET": "banner-s",
    "TOP SECRET": "banner-ts",
}


def banner_class(classification: str | None) -> str:
    return BANNERS.get(classification or "", "banner-unknown")


def short_class(classification: str | None) -> str:
    return PORTION_MARKS.get(classification or "", "?")


def plain_time(dtg: str | None) -> str | None:
    """``2009-04-07T21:02:00Z`` as ``Tuesday 7 April 2009, 21:02 UTC``."""
    if not dtg:
        return None
    try:
        moment = datetime.fromisoformat(dtg.replace("Z", "+00:00"))
    except ValueError:
        return dtg
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def plain_date(day: str | None) -> str:
    if not day:
        return "undated"
    try:
        moment = datetime.fromisoformat(day)
    except ValueError:
        return day
    return f"{moment.day} {moment:%B %Y}"


@dataclass(frozen=True, slots=True)
class Address:
    """An addressee with what the routing tables say of it."""

    name: str
    routing_indicator: str | None
    known_as: str | None  # the routing table's name, when it differs from ``name``
    precedence: str | None
    serial: str | None
    collective: bool
    excluded: bool


def address(a: Addressee) -> Address:
    known = tables.ri_name(a.routing_indicator) if a.routing_indicator else None
    if known and " ".join(known.split()).upper() == " ".join(a.name.split()).upper():
        known = None
    collective = a.collective or bool(
        a.routing_indicator and tables.is_collective_ri(a.routing_indicator)
    )
    return Address(
        a.name, a.routing_indicator, known, a.precedence, a.serial, collective, a.excluded
    )


@dataclass(frozen=True, slots=True)
class Tag:
    code: str
    kind: str | None
    description: str | None


def tag(code: str) -> Tag:
    return Tag(code, tables.tag_kind(code), tables.tag_description(code))


_MARKS = re.compile(re.escape(HIGHLIGHT[0]) + "(.*?)" + re.escape(HIGHLIGHT[1]), re.S)


def snippet_html(snippet: str) -> Markup:
    """The snippet escaped, its «highlights» as <mark>: the text is untrusted, the
    marks are the engine's."""
    escaped = str(escape(snippet))
    return Markup(_MARKS.sub(lambda m: f"<mark>{m[1]}</mark>", escaped))


def marking_line(cable: Cable) -> str:
    return " // ".join([cable.classification or "UNMARKED", *cable.caveats])


def citation(cable: Cable, version: VersionInfo, url: str) -> str:
    """A citation a historian can paste: origin, subject, id, date, marking, source."""
    origin = cable.from_.name if cable.from_ else (cable.post or "Unknown origin")
    subject = f'"{cable.subject}", ' if cable.subject else ""
    release = f", WikiLeaks release {version.release}" if version.release else ""
    return (
        f"{origin}, {subject}cable {cable.id}, {plain_date(cable.date)}, "
        f"{marking_line(cable)}. Version {version.number}{release}. {url}"
    )
