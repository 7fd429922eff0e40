"""The cable record: plain, typed, immutable data with one JSON form.

Every class here is a frozen dataclass. ``Cable.to_json()`` gives the one JSON
form documented in ``docs/record.md`` (and as a JSON Schema by
``cablekit schema``); ``Cable.from_json()`` reads it back exactly.

Field names follow the JSON keys, except ``from_`` (JSON ``from``), which is a
Python keyword.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Union

import orjson

SCHEMA_VERSION = 1

CLASSIFICATIONS = (
    "UNCLASSIFIED",
    "SENSITIVE BUT UNCLASSIFIED",
    "LIMITED OFFICIAL USE",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
)
PRECEDENCES = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")
# A REF item's kind, or "mention": a cable cited in a paragraph (Cable.mentions).
REFERENCE_KINDS = ("cable", "email", "telcon", "memo", "other", "mention")


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something the parser could not read, or read and had to repair."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Source:
    """Where the record came from."""

    format: str
    path: str | None = None
    row: int | None = None
    original_id: str | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    """What the publisher's wrapper said (a WikiLeaks page table, a cables.csv row)."""

    reference_id: str | None = None
    created: str | None = None
    released: str | None = None
    classification: str | None = None
    origin: str | None = None
    references: tuple[str, ...] = ()
    record_number: int | None = None


@dataclass(frozen=True, slots=True)
class Relay:
    """FL2: precedence prosigns and the routing indicators of the relay line."""

    precedence: str
    routing_indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Station:
    """FL3, the DE line: originating station, station serial, section, filing time."""

    routing_indicator: str
    serial: str
    section: int | None
    filed: str | None
    filed_utc: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityWarning:
    """FL4: ZNR/ZNY, the class letters and the operating signals."""

    code: str
    classification: str | None
    specat: str | None = None
    signals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Originator:
    """FM: the plain-language address of the originator (and its RI when known)."""

    name: str
    routing_indicator: str | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    """One TO or INFO line (or an XMT exclusion)."""

    name: str
    routing_indicator: str | None = None
    precedence: str | None = None
    serial: str | None = None
    collective: bool = False
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class Sections:
    number: int
    total: int


@dataclass(frozen=True, slots=True)
class Reference:
    """One REF item: as written, its kind, and the cable id it resolves to; or a
    mention of a cable in the text (kind ``mention``), with ``paragraph`` the place of
    the paragraph unit it is in (1 for the first of ``Cable.paragraphs``) and
    ``letter`` the REF letter it names ("REFTEL B"), if any."""

    letter: str | None
    text: str
    kind: str
    id: str | None = None
    year_inferred: bool = False
    paragraph: int | None = None


@dataclass(frozen=True, slots=True)
class ClassifiedBy:
    title: str | None
    name: str | None
    reasons: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph, or a bullet, sub-paragraph or sentence of one that carries a marking
    of its own (then ``label`` is its bullet or letter, ``--``, ``A.``, ``1)``, or "" for
    a marked sentence, and ``number`` that of the paragraph it stands in): each is a
    unit of access."""

    number: int | None
    marking: str | None
    heading: str | None
    text: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class PageMarker:
    """A section/page marker removed from the text, and where it was."""

    text: str
    page: int
    total: int | None
    sub: int | None = None
    paragraph: int | None = None


@dataclass(frozen=True, slots=True)
class Cable:
    id: str | None
    source: Source
    publication: Publication | None = None
    transmission_id: str | None = None
    relay: Relay | None = None
    station: Station | None = None
    security_warning: SecurityWarning | None = None
    precedence: str | None = None
    info_precedence: str | None = None
    dtg: str | None = None
    dtg_text: str | None = None
    date: str | None = None
    from_: Originator | None = field(default=None, metadata={"json": "from"})
    to: tuple[Addressee, ...] = ()
    info: tuple[Addressee, ...] = ()
    classification: str | None = None
    post: str | None = None
    serial: int | None = None
    sections: Sections | None = None
    caveats: tuple[str, ...] = ()
    handling: tuple[str, ...] = ()
    executive_order: str | None = None
    declassify_on: str | None = None
    declassify_note: str | None = None
    tags: tuple[str, ...] = ()
    subject: str | None = None
    references: tuple[Reference, ...] = ()
    mentions: tuple[Reference, ...] = ()
    classified_by: ClassifiedBy | None = None
    summary: str | None = None
    paragraphs: tuple[Paragraph, ...] = ()
    page_markers: tuple[PageMarker, ...] = ()
    trailer: tuple[str, ...] = ()
    signature: str | None = None
    partial: bool = False
    warnings: tuple[ParseWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (dicts, lists, str, int, bool, None)."""
        data = to_data(self)
        assert isinstance(data, dict)
        return data

    def to_json_without(self, leave_out: Collection[str]) -> dict[str, Any]:
        """:meth:`to_json` without the keys ``leave_out``, which are never worked out."""
        return {
            key: to_data(getattr(self, attr)) for key, attr in _names(Cable) if key not in leave_out
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cable:
        """Read a record written by :meth:`to_json`."""
        cable: Cable = from_data(cls, data)
        return cable


# --- one generic JSON mapping for every dataclass above -------------------


def compact_json(data: Any, sort_keys: bool = False) -> bytes:
    """``data`` as compact UTF-8 JSON: the bytes of ``json.dumps(data, ensure_ascii=False,
    separators=(",", ":"), sort_keys=sort_keys)``, made by orjson at six times the speed
    (records are written by the million). What orjson refuses (an integer past 64 bits)
    is written by ``json``: the bytes are the same either way."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
        return text.encode("utf-8")


def json_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("json", f.name))


_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _names(cls: type) -> tuple[tuple[str, str], ...]:
    """(JSON key, attribute) of each field of a dataclass, cached: records are written
    by the million, and ``dataclasses.fields`` is slow."""
    names = _NAMES.get(cls)
    if names is None:
        names = tuple((json_name(f), f.name) for f in dataclasses.fields(cls))
        _NAMES[cls] = names
    return names


def to_data(value: Any) -> Any:
    cls = type(value)
    if cls is str or value is None or cls is int or cls is bool:
        return value
    if cls is tuple or cls is list:
        return [to_data(v) for v in value]
    convert = _CONVERTERS.get(cls)
    if convert is None and dataclasses.is_dataclass(cls):
        convert = _CONVERTERS[cls] = _converter(cls)
    return convert(value) if convert else value


_CONVERTERS: dict[type, Callable[[Any], dict[str, Any]]] = {}
_PLAIN = (str, int, bool, type(None))


def _converter(cls: type) -> Callable[[Any], dict[str, Any]]:
    """A function from an instance of the dataclass ``cls`` to its JSON data, written out
    field by field as ``dataclasses`` writes its methods: fields typed str, int or bool
    are taken as they are, the others through ``to_data`` (half the time of a record)."""
    hints = field_types(cls)
    items = ", ".join(
        f"{key!r}: v.{attr}" if _plain(hints[attr]) else f"{key!r}: to_data(v.{attr})"
        for key, attr in _names(cls)
    )
    convert: Callable[[Any], dict[str, Any]] = eval(f"lambda v: {{{items}}}", {"to_data": to_data})
    return convert


def _plain(hint: Any) -> bool:
    """Whether the values of a field typed ``hint`` are their own JSON data."""
    union = typing.get_origin(hint) in (Union, types.UnionType)
    return all(arg in _PLAIN for arg in (typing.get_args(hint) if union else (hint,)))


_HINTS: dict[type, dict[str, Any]] = {}


def field_types(cls: type) -> dict[str, Any]:
    """Resolved type hints of a dataclass, cached."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)
        _HINTS[cls] = hints
    return hints


def from_data(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_data(inner[0], value)
    if origin is tuple:
        (item,) = typing.get_args(tp)[:1]
        return tuple(from_data(item, v) for v in value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = field_types(tp)
        kwargs = {
            f.name: from_data(hints[f.name], value[json_name(f)])
            for f in dataclasses.fields(tp)
            if json_name(f) in value
        }
        return tp(**kwargs)
    return value


def first_mistyped(data: Any, tp: Any = None, at: str = "") -> str | None:
    """Where JSON ``data`` for a record (``Cable`` when ``tp`` is None) holds a value of
    another type than its field's (``paragraphs[2].text``), or None. ``from_json``
    trusts what it reads (a string where a list belongs becomes its characters); a
    record from a file must be checked first. Missing fields take their defaults."""
    tp = Cable if tp is None else tp
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return first_mistyped(data, inner[0], at)
    if origin is tuple:
        if not isinstance(data, list):
            return at or "record"
        item = typing.get_args(tp)[0]
        for n, v in enumerate(data):
            if (wrong := first_mistyped(v, item, f"{at}[{n}]")) is not None:
                return wrong
        return None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            return at or "record"
        hints = field_types(tp)
        for f in dataclasses.fields(tp):
            key = json_name(f)
            if key in data:
                where = f"{at}.{key}" if at else key
                if (wrong := first_mistyped(data[key], hints[f.name], where)) is not None:
                    return wrong
        return None
    if tp is Any:
        return None
    if (tp is int and isinstance(data, bool)) or not isinstance(data, tp):
        return at or "record"
    return None
