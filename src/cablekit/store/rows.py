"""A parsed cable flattened into the archive's rows, ready to write.

This runs in the parsing worker processes, so that the single writer only writes:
JSON, compression, hashing and the row tuples are all made here.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
from dataclasses import dataclass
from typing import Any

from ..access.policy import (
    ALL_BITS,
    UNKNOWN_LEVEL,
    Requirement,
    automatic_release,
    cable_requirement,
    header_hash,
    paragraph_hash,
    paragraph_requirement,
    record_header_hash,
    release_text,
)
from ..model import Cable, compact_json
from ..parser.normalise import unwrap
from ..sources.base import RawCable
from ..tables import tag_kind

try:
    # ISA-L's deflate writes the same zlib format three times as fast as zlib at
    # level 1, and a little smaller; zlib.decompress reads either.
    from isal.isal_zlib import compress as deflate
except ImportError:  # pragma: no cover - a platform without the isal wheel
    from zlib import compress as deflate

Row = tuple[object, ...]
MAX_SEQ = (1 << 16) - 1  # the last paragraph's place: see sqlite.unit_rowid


@dataclass(frozen=True, slots=True)
class SearchRows:
    """What the searchable tables hold of a cable (``cable_key`` is added by the writer)."""

    cable: Row
    units: tuple[Row, ...]
    addressees: tuple[Row, ...]
    tags: tuple[Row, ...]
    caveats: tuple[str, ...]
    references: tuple[Row, ...]
    guards: frozenset[int] = frozenset()  # seqs of the units in ``guard``: see policy


@dataclass(frozen=True, slots=True)
class Prepared:
    """One version of one cable, ready to write."""

    id: str
    content_hash: str
    released: str | None
    source: str
    record: bytes
    text: bytes
    rows: SearchRows
    alias: str | None = None  # the publisher's id, when it is another cable id than ``id``

    @property
    def policy(self) -> Row:
        """The version's own header requirement: ``level, need, rel, declass, hhash``."""
        return version_policy(self.rows)


def pack(p: Prepared) -> bytes:
    """``p`` as bytes for the writing process: ``marshal`` (plain values only, the same
    Python at both ends) is several times faster than pickling the dataclasses."""
    r = p.rows
    values: Any = (p.id, p.content_hash, p.released, p.source, p.record, p.text, p.alias)
    values += (r.cable, r.units, r.addressees, r.tags, r.caveats, r.references, r.guards)
    return marshal.dumps(values)


def unpack(data: Any) -> Prepared:
    """A Prepared from what ``marshal.loads`` made of ``pack``'s bytes."""
    id, content_hash, released, source, record, text, alias, *rows = data
    return Prepared(id, content_hash, released, source, record, text, SearchRows(*rows), alias)


def content_text(raw: RawCable) -> str:
    """The cable's text as published: the publication's artefacts (HTML, Markdown,
    pilcrows) and trailing spaces gone, every other character kept.

    Two copies with the same text are the same version, whatever page or file they
    came in; any edit WikiLeaks made (re-flowed or re-spaced lines, a new REF list,
    a redaction) makes a new one.
    """
    blocks = [raw.header, raw.body] if raw.header else [raw.body]
    return "\n\n".join(
        "\n".join(line.rstrip() for line in unwrap(block, raw.markup).split("\n")).strip("\n")
        for block in blocks
    )


def archive_id(cable: Cable) -> str | None:
    """The id a cable is archived under: its canonical id. A cable id names one cable:
    a copy WikiLeaks published under a malformed id beside the correct one (often one
    section of the cable again) is another publication of that cable, kept as one of
    its versions, or as the same version when the text is the same (``alias``)."""
    return cable.id


def alias(cable: Cable) -> str | None:
    """The id the publisher gave the cable when it is another cable id than the
    cable's own (``08SCTION02OF02SAOPAULO335`` of ``08SAOPAULO335``): kept so that
    ``id:`` finds the cable under it. Anything else a publisher wrote is no id."""
    published = cable.source.original_id
    if not published or cable.id is None:
        return None
    published = published.strip().upper()
    return published if published != cable.id and ALIAS.fullmatch(published) else None


# What a publisher's id must look like to be kept as an alias: a year, then letters and
# digits only (malformed WikiLeaks ids hold digits inside: ``09SECTION02OF03QRIPOLI583``).
# It is searched for, shown and put in URLs: nothing else a page or a JSON line says is.
ALIAS = re.compile(r"\d{2}[A-Z][A-Z0-9]{1,46}", re.ASCII)


def prepare(cable: Cable, raw: RawCable) -> Prepared:
    """The rows of ``cable``, parsed from ``raw``. Needs an archive id."""
    cable_id = archive_id(cable)
    assert cable_id is not None
    text = content_text(raw)
    data = cable.to_json()
    return Prepared(
        id=cable_id,
        content_hash=hashlib.sha1(text.encode("utf-8")).hexdigest(),
        released=cable.publication.released if cable.publication else None,
        source=json.dumps(record_source(cable), separators=(",", ":")),
        record=compress(compact_json(data)),
        text=compress(text.encode("utf-8")),
        rows=search_rows(cable, record_header_hash(data)),
        alias=alias(cable),
    )


def compress(data: bytes) -> bytes:
    """A blob as the archive keeps it: zlib format, fastest level."""
    return deflate(data, 1)


def version_policy(rows: SearchRows) -> Row:
    """``level, need, rel, declass, hhash`` of a version, from its cable row."""
    return (rows.cable[7], *rows.cable[16:20])


def search_rows(cable: Cable, hhash: str | None = None) -> SearchRows:
    """The searchable rows of ``cable`` (``hhash``: its header's hash, when known)."""
    header = cable_requirement(cable)
    needs = unit_requirements(cable, header)
    hhash = hhash or header_hash(cable)
    return SearchRows(
        cable=cable_row(cable, header, hhash),
        units=unit_rows(cable, header, needs, hhash),
        addressees=addressee_rows(cable),
        tags=tuple((code, tag_kind(code)) for code in dict.fromkeys(cable.tags)),
        caveats=tuple(dict.fromkeys(cable.caveats)),
        references=reference_rows(cable),
        guards=guarded(header, needs),
    )


def reference_rows(cable: Cable) -> tuple[Row, ...]:
    """(position, letter, text, kind, target, paragraph): the REF items, then the
    mentions with the seq of their paragraph unit (the last unit holds the rest)."""
    items = [*cable.references, *cable.mentions]
    return tuple(
        (n, r.letter, r.text, r.kind, r.id, min(r.paragraph, MAX_SEQ) if r.paragraph else None)
        for n, r in enumerate(items)
    )


def record_source(cable: Cable) -> dict[str, object]:
    source = cable.source
    return {k: v for k, v in vars_of(source).items() if v is not None}


def vars_of(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def cable_row(cable: Cable, header: Requirement, hhash: str) -> Row:
    """Values for ``cable`` columns ``version`` onwards are set by the writer; these are
    ``date .. warnings`` in table order, then the policy's ``need, rel, declass, hhash``
    (``hhash``: the header's hash)."""
    date = cable.date
    release_day = automatic_release(cable)
    return (
        date,
        int(date[:4]) if date else None,
        cable.dtg,
        cable.post,
        cable.from_.name if cable.from_ else None,
        cable.from_.routing_indicator if cable.from_ else None,
        cable.classification,
        header.level,
        cable.precedence,
        cable.subject,
        " ".join(cable.caveats),
        " ".join(cable.tags),
        cable.sections.total if cable.sections else None,
        int(cable.partial),
        len(cable.paragraphs),
        len(cable.warnings),
        header.bits,
        release_text(header.release),
        release_day.isoformat() if release_day else None,
        hhash,
    )


def unit_rows(
    cable: Cable, header: Requirement, needs: tuple[Requirement, ...], hhash: str
) -> tuple[Row, ...]:
    """(seq, number, marking, level, heading, body, need, rel, hash, exempt): the subject
    (seq 0, with the header's hash), then each paragraph (seq 1, 2 ...) with its text's
    hash; level, need, rel and exempt are the policy's requirement (``needs``, from
    unit_requirements)."""
    units: list[Row] = []
    if cable.subject:
        rel = release_text(header.release)
        units.append((0, None, None, header.level, None, cable.subject, header.bits, rel, hhash, 0))
    for seq, (p, need) in enumerate(zip(cable.paragraphs[:MAX_SEQ], needs, strict=True), start=1):
        body = f"{p.heading}\n{p.text}" if p.heading else p.text
        if seq == MAX_SEQ:  # never seen; the unit's rowid has room for no more
            body = "\n".join([body, *(q.text for q in cable.paragraphs[MAX_SEQ:])])
        rel = release_text(need.release)
        units.append(
            (
                seq,
                p.number,
                p.marking,
                need.level,
                p.heading,
                body,
                need.bits,
                rel,
                paragraph_hash(p),
                int(need.exempt),
            )
        )
    return tuple(units)


def unit_requirements(cable: Cable, header: Requirement) -> tuple[Requirement, ...]:
    """The requirement of each paragraph unit, seq 1 onwards (see unit_requirement),
    worked out once per marking for paragraphs with no bracket inside (then it depends
    on the header's and the marking only)."""
    paragraphs = cable.paragraphs[:MAX_SEQ]
    found: dict[str | None, Requirement] = {}
    needs = []
    for p in paragraphs:
        if "(" in p.text or (p.heading and "(" in p.heading):  # markings inside: its own
            needs.append(paragraph_requirement(header, p))
            continue
        if p.marking not in found:
            found[p.marking] = paragraph_requirement(header, p)
        needs.append(found[p.marking])
    if len(cable.paragraphs) > MAX_SEQ:
        needs[-1] = unit_requirement(cable, header, MAX_SEQ)
    return tuple(needs)


def unit_requirement(cable: Cable, header: Requirement, seq: int) -> Requirement:
    """The requirement of paragraph unit ``seq``; the last unit, which holds every
    paragraph past MAX_SEQ, asks for everything (never seen: fail closed)."""
    if seq == MAX_SEQ and len(cable.paragraphs) > MAX_SEQ:
        return Requirement(UNKNOWN_LEVEL, ALL_BITS, frozenset(), unclear=True, exempt=True)
    return paragraph_requirement(header, cable.paragraphs[seq - 1])


def guarded(header: Requirement, needs: tuple[Requirement, ...]) -> frozenset[int]:
    """The seqs of the paragraphs whose requirement is not implied by the header's: the
    only ones a query must check one by one (see policy)."""
    return frozenset(seq for seq, need in enumerate(needs, start=1) if not need.implied_by(header))


def addressee_rows(cable: Cable) -> tuple[Row, ...]:
    """(role, position, name, routing_indicator, precedence, serial, collective, excluded)."""
    rows: list[Row] = []
    if cable.from_:
        rows.append(("from", 0, cable.from_.name, cable.from_.routing_indicator, None, None, 0, 0))
    for role, addressees in (("to", cable.to), ("info", cable.info)):
        for n, a in enumerate(addressees):
            rows.append(
                (
                    role,
                    n,
                    a.name,
                    a.routing_indicator,
                    a.precedence,
                    a.serial,
                    int(a.collective),
                    int(a.excluded),
                )
            )
    return tuple(rows)
