"""Drafts: a cable as a person writes it, in YAML (or JSON), read into ``Draft``.

A draft names things the way a drafter thinks of them (the post, addressees by
plain-language address, reasons as letters, the declassification date or an
exemption); ``build`` turns it into a record and ``rules`` checks it. Every value
keeps where it was written (``Draft.where``): a YAML draft's problems are reported
with their line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import DraftError

Position = tuple[int, int]  # 1-based line and column


@dataclass(frozen=True, slots=True)
class DraftAddressee:
    name: str
    routing_indicator: str | None = None
    precedence: str | None = None
    serial: int | None = None


@dataclass(frozen=True, slots=True)
class DraftReference:
    letter: str | None = None
    text: str | None = None  # as written: "08 OTTAWA 1140", "EMAIL 05/11/07"
    id: str | None = None  # a cable id: "08OTTAWA1140"


@dataclass(frozen=True, slots=True)
class DraftClassifiedBy:
    title: str | None
    name: str | None
    reasons: tuple[str, ...]  # letters of section 1.4: ("b", "d")


@dataclass(frozen=True, slots=True)
class DraftParagraph:
    text: str
    marking: str | None = None
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    origin: str
    classification: str
    subject: str
    paragraphs: tuple[DraftParagraph, ...]
    to: tuple[DraftAddressee, ...] = ()
    info: tuple[DraftAddressee, ...] = ()
    precedence: str = "ROUTINE"
    caveats: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    references: tuple[DraftReference, ...] = ()
    classified_by: DraftClassifiedBy | None = None
    declassify: str | None = None  # ISO date, or an exemption (25X1, 50X1-HUM)
    executive_order: str | None = None
    signature: str | None = None
    serial: int | None = None
    dtg: str | None = None
    path: str | None = None
    positions: Mapping[str, Position] = field(default_factory=dict)

    def at(self, key: str) -> str:
        """``draft.yaml, line 12: to[1].name``: where a field was written, and its name."""
        probe = key
        while probe and probe not in self.positions:
            parent = _PARENT.sub("", probe)
            probe = parent if parent != probe else ""
        position = self.positions.get(probe) if probe else None  # not the whole file's
        line = f", line {position[0]}" if position else ""
        return f"{self.path or 'draft'}{line}: {key}"


_PARENT = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")


# --------------------------------------------------------------------------- loading


def load_draft(text: str, path: str | None = None) -> Draft:
    """A draft from YAML (or JSON, a ``.json`` path) text.

    :raises DraftError: malformed YAML/JSON (with line and column) or a field of the
        wrong shape (with the field).
    """
    positions: dict[str, Position] = {}
    if path is not None and path.lower().endswith(".json"):
        data = _load_json(text, path)
    else:
        data, positions = _load_yaml(text, path)
    if not isinstance(data, dict):
        raise DraftError(f"{path or 'draft'}: a draft is a mapping of fields (from, to, ...)")
    return from_data(data, positions, path)


def _load_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DraftError(
            f"{path}, line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}"
        ) from error


def _load_yaml(text: str, path: str | None) -> tuple[Any, dict[str, Position]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "malformed YAML"
        raise DraftError(f"{path or 'draft'}{where}: malformed YAML: {problem}") from error
    except yaml.YAMLError as error:
        raise DraftError(f"{path or 'draft'}: malformed YAML: {error}") from error
    finally:
        loader.dispose()
    positions: dict[str, Position] = {}
    if node is not None:
        _positions(node, "", positions)
    return data, positions


def _positions(node: yaml.Node, key: str, positions: dict[str, Position]) -> None:
    """Every field's line and column, keyed by its path (``to[1].name``): where its key
    is written, for a field of a mapping; where it starts, for an item of a list."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            name = f"{key}.{k.value}" if key else str(k.value)
            positions[name] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _positions(v, name, positions)
    elif isinstance(node, yaml.SequenceNode):
        for n, v in enumerate(node.value):
            positions[f"{key}[{n}]"] = (v.start_mark.line + 1, v.start_mark.column + 1)
            _positions(v, f"{key}[{n}]", positions)


# --------------------------------------------------------------------------- shape


class _Reader:
    """Typed access to the loaded data; shape errors name the field and its line."""

    def __init__(
        self, data: Mapping[str, Any], positions: Mapping[str, Position], path: str | None
    ):
        self.data = data
        self.positions = positions
        self.path = path

    def fail(self, key: str, message: str) -> DraftError:
        position = self.positions.get(key)
        line = f", line {position[0]}" if position else ""
        return DraftError(f"{self.path or 'draft'}{line}: {key}: {message}")

    def text(self, key: str, value: Any, required: bool = False) -> str | None:
        if value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, "must be text")
        return " ".join(str(value).split())

    def items(self, key: str, value: Any) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def integer(self, key: str, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, "must be a whole number above 0")
        return value


def from_data(
    data: Mapping[str, Any], positions: Mapping[str, Position], path: str | None = None
) -> Draft:
    """A ``Draft`` from loaded YAML/JSON data (see ``template.TEMPLATE`` for the fields)."""
    r = _Reader(data, positions, path)
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise r.fail(unknown[0], f"unknown field (the fields are {', '.join(sorted(_FIELDS))})")
    get = data.get
    return Draft(
        origin=_req(r, "from", get("from")),
        classification=(_req(r, "classification", get("classification"))).upper(),
        subject=_req(r, "subject", get("subject")),
        paragraphs=tuple(_paragraphs(r, get("paragraphs"))),
        to=tuple(_addressees(r, "to", get("to"))),
        info=tuple(_addressees(r, "info", get("info"))),
        precedence=(r.text("precedence", get("precedence")) or "ROUTINE").upper(),
        caveats=tuple(_upper_list(r, "caveats", get("caveats"))),
        tags=tuple(_upper_list(r, "tags", get("tags"))),
        references=tuple(_references(r, get("references"))),
        classified_by=_classified_by(r, get("classified_by")),
        declassify=_declassify(r, get("declassify")),
        executive_order=r.text("executive_order", get("executive_order")),
        signature=r.text("signature", get("signature")),
        serial=r.integer("serial", get("serial")),
        dtg=r.text("dtg", get("dtg")),
        path=path,
        positions=dict(positions),
    )


_FIELDS = frozenset(
    [
        "from",
        "to",
        "info",
        "precedence",
        "classification",
        "caveats",
        "tags",
        "subject",
        "references",
        "classified_by",
        "declassify",
        "executive_order",
        "paragraphs",
        "signature",
        "serial",
        "dtg",
    ]
)


def _req(r: _Reader, key: str, value: Any) -> str:
    text = r.text(key, value, required=True)
    assert text is not None
    return text


def _upper_list(r: _Reader, key: str, value: Any) -> list[str]:
    out = []
    for n, item in enumerate(r.items(key, value)):
        text = r.text(f"{key}[{n}]", item, required=True)
        assert text is not None
        out.append(text.upper())
    return out


def _addressees(r: _Reader, key: str, value: Any) -> list[DraftAddressee]:
    out = []
    for n, item in enumerate(r.items(key, value)):
        at = f"{key}[{n}]"
        if not isinstance(item, dict):
            item = {"name": item}
        name = _req(r, f"{at}.name", item.get("name")).upper()
        ri = None
        if "/" in name:  # "RUEHC/SECSTATE WASHDC", as on an address line
            ri, name = (part.strip() for part in name.split("/", 1))
        explicit = r.text(f"{at}.routing_indicator", item.get("routing_indicator"))
        precedence = r.text(f"{at}.precedence", item.get("precedence"))
        out.append(
            DraftAddressee(
                name=name,
                routing_indicator=(explicit or ri or "").upper() or None,
                precedence=precedence.upper() if precedence else None,
                serial=r.integer(f"{at}.serial", item.get("serial")),
            )
        )
    return out


def _references(r: _Reader, value: Any) -> list[DraftReference]:
    out = []
    for n, item in enumerate(r.items("references", value)):
        at = f"references[{n}]"
        if not isinstance(item, dict):
            item = {"text": item}
        letter = r.text(f"{at}.letter", item.get("letter"))
        text = r.text(f"{at}.text", item.get("text"))
        ident = r.text(f"{at}.id", item.get("id"))
        if not (text or ident):
            raise r.fail(at, "needs a text (OTTAWA 8, EMAIL 05/11/07) or a cable id")
        out.append(DraftReference(letter.upper() if letter else None, text, ident))
    return out


def _classified_by(r: _Reader, value: Any) -> DraftClassifiedBy | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise r.fail("classified_by", "must be a mapping with title, name and reasons")
    reasons = []
    for n, item in enumerate(r.items("classified_by.reasons", value.get("reasons"))):
        reason = r.text(f"classified_by.reasons[{n}]", item, required=True)
        assert reason is not None
        reasons.append(reason.lower().replace("1.4", "").strip(" ()"))
    return DraftClassifiedBy(
        title=r.text("classified_by.title", value.get("title")),
        name=r.text("classified_by.name", value.get("name")),
        reasons=tuple(reasons),
    )


def _declassify(r: _Reader, value: Any) -> str | None:
    if hasattr(value, "isoformat"):  # YAML reads 2019-04-07 as a date
        return str(value.isoformat())
    text = r.text("declassify", value)
    return text.upper() if text and not text[:4].isdigit() else text


def _paragraphs(r: _Reader, value: Any) -> list[DraftParagraph]:
    out = []
    for n, item in enumerate(r.items("paragraphs", value)):
        at = f"paragraphs[{n}]"
        if not isinstance(item, dict):
            item = {"text": item}
        marking = r.text(f"{at}.marking", item.get("marking"))
        out.append(
            DraftParagraph(
                text=_req(r, f"{at}.text", item.get("text")),
                marking=marking.upper().strip("()") if marking else None,
                heading=r.text(f"{at}.heading", item.get("heading")),
            )
        )
    if not out:
        raise r.fail("paragraphs", "is required: a cable has at least one paragraph")
    return out
