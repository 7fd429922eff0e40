#!/usr/bin/env python3
"""Synthetic archive input for benchmarks: real cables, recombined, as JSON lines.

Every synthetic cable is a complete raw telegram built from a real one (the *template*,
one of the 6,712 pages of ``corpus/cablegate-2011-04/cable.tar.xz``), so that ``cablekit
ingest`` runs the real parser on realistic text:

* **id** -- same post, a new serial number: the ``DE`` line (``#nnnn``), the classification
  line and the section markers carry it. Serials are counted per (station, year) and skip
  every real Cablegate id (``reference/ids/cablegate-ids-month.csv.gz``), so ids are unique
  in the output and never clash with a real cable.
* **date** -- the DTG moved by up to two years (kept within the Cablegate span, Dec 1966 -
  Feb 2010); the other DTGs of the envelope, the ``DE`` line's julian filing time and the
  ``DECL:`` date move with it. All of these forms carry no weekday; templates with a
  newspaper date line (which has one) are not used.
* **paragraphs** -- the template's text header (classification line, E.O., TAGS, SUBJECT,
  REF, Classified By) and signature, then as many paragraphs as it had, drawn from other real
  cables: renumbered 1..n, portion marks clipped to the cable's classification (a ``(S)``
  paragraph in a CONFIDENTIAL cable becomes ``(C)``; ``NF`` is kept only in NOFORN cables),
  and section markers (``OTTAWA 00000064  002 OF 003``) re-inserted for multi-section cables.
* **references** -- each cable citation of the REF block points, half the time, to an
  earlier synthetic cable, so that the citation graph of the archive has edges.

One JSON object per line, in the shape ``cablekit.sources.jsonl`` reads as a telegram with a
publication table: ``{"reference_id", "date", "classification", "origin", "text"}``.
The output is streamed (memory does not grow with ``--count``); a name ending ``.gz`` is
gzip-compressed. After writing, the file is read back: every id must be unique, and a random
``--verify`` cables are parsed from their text alone (``cablekit.parse``) and compared with
the intended id, date and classification.

Usage::

    .venv/bin/python bench/synth.py --count 250000 -o bench/out/synth-250k.jsonl
    .venv/bin/python bench/synth.py --count 10000 --seed 7 -o bench/out/synth-10k.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import sys
import tarfile
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

import cablekit
from cablekit import tables
from cablekit.markings import PORTION_MARKS
from cablekit.model import Cable
from cablekit.parser.classline import parse_class_line
from cablekit.parser.derive import station_of
from cablekit.parser.markers import INLINE_MARKER, NEW_MARKER, OLD_PAGE
from cablekit.parser.normalise import unwrap
from cablekit.parser.refs import REF_KEY
from cablekit.sources import read_bytes

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
CORPUS = DATA / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
REAL_IDS = DATA / "reference" / "ids" / "cablegate-ids-month.csv.gz"

FIRST = datetime(1966, 12, 1)  # the Cablegate span: 66BUENOSAIRES2481 .. Feb 2010
LAST = datetime(2010, 2, 28, 23, 59)
MAX_SHIFT_DAYS = 730
SYNTH_REF_SHARE = 0.5  # of the cable citations in a REF block
RECENT = 20_000  # synthetic cables a REF may cite (a bounded window: flat memory)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Portion marks by rank; the cable's own level gives the highest mark allowed.
MARK_RANK = {"U": 0, "SBU": 0, "FOUO": 0, "LOU": 1, "C": 2, "S": 3, "TS": 4}
LEVEL_RANK = {
    "UNCLASSIFIED": 0,
    "SENSITIVE BUT UNCLASSIFIED": 0,
    "LIMITED OFFICIAL USE": 1,
    "CONFIDENTIAL": 2,
    "SECRET": 3,
    "TOP SECRET": 4,
}
LEVEL_MARK = PORTION_MARKS
PAGE_LEVEL = {  # the page table's words for a level (as on the WikiLeaks pages)
    "SENSITIVE BUT UNCLASSIFIED": "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
}

PARA = re.compile(r"^(\d{1,2})\.(\s*)(?:\(?(?P<mark>[A-Za-z/ ,\-]{1,40})\)(\s*))?(?P<rest>.*)$")
# A line inside a paragraph that opens with a portion mark: the parser starts a paragraph there.
INNER_MARK = re.compile(r"^\s*\((?:U|C|S|SBU|TS|LOU)(?:\s*/[^)]*)?\)")
REF_ITEM = re.compile(r"^\s*(?:\([A-Z]\)|[A-Z][.)])\s")
INNER_PARA = re.compile(r"^\s*\d{1,3}\s?\.\s*\(")
DTG = re.compile(r"\b(\d{2})(\d{2})(\d{2})Z(\s?)([A-Z]{3})(\s?)(\d{2})\b")
DE_LINE = re.compile(r"^(DE\s+[A-Z]{4,7}\s+#)(\d{4})(\S*\s+)(\d{3})(\d{4})\b")
MDY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
WEEKDAY_LINE = re.compile(r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d{1,2} [A-Z][a-z]+ \d{4}")
HEAD_END = re.compile(r"^\s*(?:Classified|CLASSIFIED|SUBJ|\d{1,2}\.\s)")


# --------------------------------------------------------------------------- the pool


@dataclass(frozen=True, slots=True)
class Donor:
    """A real paragraph: its portion mark, the spacing around it, and its text."""

    mark: str | None
    space: str  # after "N."
    text: str  # after the mark, to the end of the paragraph (lines joined)


@dataclass(frozen=True, slots=True)
class Template:
    """A real telegram cut at its paragraphs, with what recombination needs to know."""

    envelope: tuple[str, ...]
    dated: tuple[int, ...]  # indices of envelope lines with a DE line or a DTG
    head: tuple[str, ...]  # classification line .. the line before paragraph 1
    tail: tuple[str, ...]  # the signature
    class_index: int  # of the classification line within ``head``
    paragraphs: int
    marked: bool  # the template marks its paragraphs
    post: str
    station: str
    level: str
    noforn: bool
    sections: int
    dtg: datetime
    origin: str
    references: tuple[tuple[str, str], ...]  # (text, kind) of each REF item
    refs_at: tuple[int, int] | None  # the REF block's lines in ``head``


def corpus_pages(path: Path) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(path) as archive:
        for member in archive:
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is not None:
                yield member.name, stream.read()


def telegram_of(page: bytes, name: str) -> tuple[list[str], list[str], str] | None:
    """Envelope lines, text lines and origin of a WikiLeaks page, as a raw telegram has them."""
    raw = next(iter(read_bytes(page, name)), None)
    if raw is None or raw.partial or not raw.header:
        return None  # a newspaper extract: no envelope to re-date
    envelope = [line.rstrip() for line in unwrap(raw.header, raw.markup).strip().split("\n")]
    text = [line.rstrip() for line in unwrap(raw.body, raw.markup).strip().split("\n")]
    origin = raw.publication.origin if raw.publication else None
    return envelope, text, origin or ""


def paragraph_starts(lines: Sequence[str], begin: int) -> list[int]:
    """Indices of the lines that open paragraphs 1, 2, 3... (after a blank line, in order)."""
    starts: list[int] = []
    for i in range(begin, len(lines)):
        m = PARA.match(lines[i])
        if m and int(m[1]) == len(starts) + 1 and not lines[i - 1].strip():
            starts.append(i)
    return starts


def clean_block(lines: Sequence[str]) -> list[str] | None:
    """A paragraph's lines without page markers; None when a marker is glued to its text."""
    kept = [line for line in lines if not (NEW_MARKER.match(line) or OLD_PAGE.match(line))]
    inner = (INLINE_MARKER.search, INNER_PARA.match, INNER_MARK.match)
    if any(test(line) for line in kept[1:] for test in inner):
        return None  # a glued marker or a paragraph start the cut missed: not one paragraph
    while kept and not kept[-1].strip():
        kept.pop()
    return kept or None


def donor_of(lines: Sequence[str]) -> Donor | None:
    m = PARA.match(lines[0])
    if m is None or not m["rest"].strip():
        return None
    mark = " ".join(m["mark"].upper().split()) if m["mark"] else None
    if mark is not None and rank_of(mark) is None:
        return None  # "(A)", "(1)": not a portion mark
    return Donor(mark, m[2] or " ", "\n".join([m["rest"], *lines[1:]]))


def rank_of(mark: str) -> int | None:
    """The rank of a portion mark: ``S/NF`` -> 3, ``U//FOUO`` -> 0; None if not a mark."""
    return MARK_RANK.get(mark.replace(" ", "").split("/")[0])


def split_tail(lines: list[str], cable: Cable) -> list[str]:
    """Cut the signature off the end of ``lines`` and return it."""
    while lines and not lines[-1].strip():
        lines.pop()
    signature = cable.signature or ""
    if lines and signature and lines[-1].strip() and lines[-1].strip() in signature:
        return [lines.pop()]
    return []


def load_cable(name: str, page: bytes) -> tuple[Template | None, list[Donor]] | None:
    """The template and donor paragraphs of one page (None when the page does not fit)."""
    found = telegram_of(page, name)
    if found is None:
        return None
    envelope, text, origin = found
    if any(WEEKDAY_LINE.match(line) for line in text[:5]):
        return None
    class_index = next((i for i, line in enumerate(text[:80]) if is_class_line(line)), None)
    if class_index is None:
        return None
    try:
        cable = cablekit.parse("\n".join([*envelope, "", *text]))
    except cablekit.NotACable:
        return None
    starts = paragraph_starts(text, class_index + 1)
    if not starts:
        return None
    tail = split_tail(text, cable)
    donors = donors_of(text, starts)
    template = template_of(name, cable, envelope, text, starts, tail, class_index, origin, donors)
    return template, donors


def is_class_line(line: str) -> bool:
    return bool(line.strip()) and "/" not in line and parse_class_line(line.strip()) is not None


def donors_of(text: Sequence[str], starts: Sequence[int]) -> list[Donor]:
    donors = []
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(text)
        block = clean_block(text[start:stop])
        donor = donor_of(block) if block else None
        if donor is not None:
            donors.append(donor)
    return donors


def template_of(
    name: str,
    cable: Cable,
    envelope: list[str],
    text: list[str],
    starts: list[int],
    tail: list[str],
    class_index: int,
    origin: str,
    donors: list[Donor],
) -> Template | None:
    """A template, if the telegram gives its own id and date (else it cannot be re-dated)."""
    page_id = tables.canonical_id(name.rsplit("/", 1)[-1].split(".")[0])
    ok = cable.id == page_id and cable.dtg and cable.post and cable.classification
    if sum(map(is_class_line, text[: starts[0]])) > 1:
        return None  # an excerpt, then the full copy: a second classification line to re-serial
    if not ok or not any(DE_LINE.match(line) for line in envelope):
        return None
    assert cable.dtg is not None and cable.post is not None and cable.classification is not None
    head = [line for line in text[: starts[0]] if not NEW_MARKER.match(line)]
    return Template(
        envelope=tuple(envelope),
        dated=tuple(
            i for i, line in enumerate(envelope) if DE_LINE.match(line) or DTG.search(line)
        ),
        head=tuple(head),
        tail=tuple(tail),
        class_index=class_index,
        paragraphs=len(starts),
        marked=sum(d.mark is not None for d in donors) * 2 > len(starts),
        post=cable.post,
        station=station_of(cable.post),
        level=cable.classification,
        noforn="NOFORN" in cable.caveats,
        sections=cable.sections.total if cable.sections else 1,
        dtg=datetime.strptime(cable.dtg[:16], "%Y-%m-%dT%H:%M"),
        origin=origin,
        references=tuple((r.text, r.kind) for r in cable.references),
        refs_at=ref_block(head) if cable.references else None,
    )


def ref_block(head: Sequence[str]) -> tuple[int, int] | None:
    """Where the REF block is: from its key to the end of its items, which may be spread
    over lines separated by blank ones (in cables re-typed with a blank line between lines)."""
    start = next((i for i, line in enumerate(head) if REF_KEY.match(line)), None)
    if start is None:
        return None
    stop = start + 1
    while stop < len(head) and not HEAD_END.match(head[stop]):
        if not head[stop].strip():
            after = next((j for j in range(stop, len(head)) if head[j].strip()), len(head))
            if after == len(head) or not REF_ITEM.match(head[after]):
                break
            stop = after
        stop += 1
    return start, stop


@dataclass(slots=True)
class Pool:
    templates: list[Template]
    donors: list[Donor]
    real_ids: frozenset[str]


def load_pool(corpus: Path) -> Pool:
    templates: list[Template] = []
    donors: list[Donor] = []
    for name, page in corpus_pages(corpus):
        found = load_cable(name, page)
        if found is not None:
            template, found_donors = found
            donors.extend(found_donors)
            if template is not None:
                templates.append(template)
    return Pool(templates, donors, real_ids())


def real_ids() -> frozenset[str]:
    """Every Cablegate id (a synthetic id must not be a real one); empty without the file."""
    if not REAL_IDS.exists():
        return frozenset()
    with gzip.open(REAL_IDS, "rt", encoding="ascii") as lines:
        return frozenset(tables.canonical_id(line.split(",")[0]) for line in lines)


# --------------------------------------------------------------------------- recombination


@dataclass(frozen=True, slots=True)
class Citable:
    """An emitted synthetic cable that a later one may cite."""

    dtg: datetime
    text: str  # "09 OTTAWA 64"


class Synthesiser:
    """Makes synthetic cables one at a time; its state is bounded (counters, a window)."""

    def __init__(self, pool: Pool, seed: int) -> None:
        self.pool = pool
        self.rng = random.Random(seed)
        self.serials: dict[tuple[str, int], int] = {}
        self.recent: deque[Citable] = deque(maxlen=RECENT)

    def cable(self) -> dict[str, str]:
        template = self.rng.choice(self.pool.templates)
        dtg = self.new_dtg(template.dtg)
        serial, ident = self.new_serial(template.station, dtg.year)
        text = self.telegram(template, dtg, serial)
        self.recent.append(Citable(dtg, f"{dtg.year % 100:02d} {template.post} {serial}"))
        level = PAGE_LEVEL.get(template.level, template.level)
        return {
            "reference_id": ident,
            "date": dtg.strftime("%Y-%m-%d %H:%M"),
            "classification": level + ("//NOFORN" if template.noforn else ""),
            "origin": template.origin,
            "text": text,
        }

    def new_dtg(self, old: datetime) -> datetime:
        for _ in range(8):
            shift = self.rng.randint(-1440 * MAX_SHIFT_DAYS, 1440 * MAX_SHIFT_DAYS)
            moved = old + timedelta(minutes=shift)
            if FIRST <= moved <= LAST:
                return moved
        return old

    def new_serial(self, station: str, year: int) -> tuple[int, str]:
        """The next free serial of ``station`` in ``year`` (gaps of 1-3, as posts share
        their numbering with cables not released)."""
        key = (station, year)
        serial = self.serials.get(key, 0)
        while True:
            serial += self.rng.randint(1, 3)
            ident = f"{year % 100:02d}{station}{serial}"
            if ident not in self.pool.real_ids:
                self.serials[key] = serial
                return serial, ident

    def telegram(self, template: Template, dtg: datetime, serial: int) -> str:
        delta = dtg - template.dtg
        envelope = list(template.envelope)
        for i in template.dated:  # the lines with a DTG or the DE line's filing time
            envelope[i] = redate_envelope(envelope[i], template.dtg, delta, serial)
        head = self.new_head(template, delta, serial)
        body = self.new_paragraphs(template, serial)
        return "\n".join([*envelope, "", *head, *body, "", *template.tail]) + "\n"

    def new_head(self, template: Template, delta: timedelta, serial: int) -> list[str]:
        head = list(template.head)
        head[template.class_index] = reserial(head[template.class_index], serial)
        head = [shift_decl(line, delta) if "DECL" in line else line for line in head]
        return self.new_refs(head, template)

    def new_refs(self, head: list[str], template: Template) -> list[str]:
        """The REF block rewritten: some cable citations now name earlier synthetic cables."""
        if template.refs_at is None:
            return head
        start, stop = template.refs_at
        items = [self.ref_item(text, kind, template) for text, kind in template.references]
        if len(items) == 1:
            block = [f"REF: {items[0]}"]
        else:
            block = [
                f"{'REF:' if n == 0 else '    '} {chr(65 + n)}. {item}"
                for n, item in enumerate(items)
            ]
        return [*head[:start], *block, *head[stop:]]

    def ref_item(self, text: str, kind: str, template: Template) -> str:
        if kind != "cable" or not self.recent or self.rng.random() >= SYNTH_REF_SHARE:
            return text
        for _ in range(3):  # a citation goes back in time
            cited = self.recent[self.rng.randrange(len(self.recent))]
            if cited.dtg < template.dtg:
                return cited.text
        return text

    def new_paragraphs(self, template: Template, serial: int) -> list[str]:
        count = template.paragraphs
        breaks = {
            round(count * page / template.sections): page for page in range(1, template.sections)
        }
        lines: list[str] = []
        for number in range(1, count + 1):
            if number - 1 in breaks:
                page = breaks[number - 1] + 1
                marker = f"{template.post} {serial:08d}  {page:03d} OF {template.sections:03d}"
                lines += ["", marker]
            donor = self.pool.donors[self.rng.randrange(len(self.pool.donors))]
            lines += ["", paragraph(number, donor, template)]
        return lines


def paragraph(number: int, donor: Donor, template: Template) -> str:
    """A donor paragraph renumbered, its mark fitted to the cable's classification."""
    if not template.marked:
        return f"{number}.{donor.space}{donor.text}"
    mark = fit_mark(donor.mark, template)
    return f"{number}.{donor.space}({mark}){donor.space}{donor.text}"


def fit_mark(mark: str | None, template: Template) -> str:
    """No mark above the cable's level, NF only in a NOFORN cable, a mark on every paragraph."""
    allowed = LEVEL_RANK[template.level]
    rank = rank_of(mark) if mark else None
    if mark is None or rank is None or rank > allowed:
        mark = LEVEL_MARK[template.level]
    base, _, caveat = mark.partition("/")
    if "NF" in caveat and not template.noforn:
        return base
    return mark


def redate_envelope(line: str, old: datetime, delta: timedelta, serial: int) -> str:
    m = DE_LINE.match(line)
    if m:
        filed = filing_time(int(m[4]), m[5], old) + delta
        julian = f"{filed.timetuple().tm_yday:03d}{filed:%H%M}"
        return f"{m[1]}{serial % 10000:04d}{m[3]}{julian}{line[m.end() :]}"
    if "Z" in line:
        return DTG.sub(lambda d: shift_dtg(d, delta), line)
    return line


def filing_time(day: int, hhmm: str, dtg: datetime) -> datetime:
    """The DE line's julian day and time, in the year that puts it next to the DTG."""
    filed = datetime(dtg.year, 1, 1, int(hhmm[:2]) % 24, int(hhmm[2:]) % 60) + timedelta(
        days=day - 1
    )
    if filed - dtg > timedelta(days=180):
        filed = (
            filed.replace(year=dtg.year - 1)
            if not (filed.month == 2 and filed.day == 29)
            else filed
        )
    return filed


def shift_dtg(m: re.Match[str], delta: timedelta) -> str:
    """``221635Z JAN 09`` moved by ``delta``; left alone if it is no valid DTG."""
    try:
        year = int(m[7])
        moment = datetime(
            1900 + year if year >= 66 else 2000 + year,
            MONTHS.index(m[5]) + 1,
            int(m[1]),
            int(m[2]),
            int(m[3]),
        )
    except ValueError:
        return m[0]
    moved = moment + delta
    month = MONTHS[moved.month - 1]
    return f"{moved:%d%H%M}Z{m[4]}{month}{m[6]}{moved.year % 100:02d}"


def shift_decl(line: str, delta: timedelta) -> str:
    """``DECL: 01/22/2019`` moved by ``delta`` (days), keeping the zero-padding as written."""

    def moved(m: re.Match[str]) -> str:
        try:
            when = datetime(int(m[3]), int(m[1]), int(m[2])) + timedelta(days=delta.days)
        except (ValueError, OverflowError):
            return m[0]
        return f"{when.month:0{len(m[1])}d}/{when.day:0{len(m[2])}d}/{when.year}"

    return MDY.sub(moved, line)


def reserial(line: str, serial: int) -> str:
    """The classification line with ``serial`` for the old one, at the old width."""
    m = re.search(r"(\s)(\d{3,7})(\s+[A-Za-z][A-Za-z ,/]*)?\s*$", line)
    if m is None:
        return line
    return f"{line[: m.start(2)]}{serial:0{len(m[2])}d}{line[m.end(2) :]}"


# --------------------------------------------------------------------------- output and checks


def open_output(path: Path, mode: str) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8", compresslevel=1))
    return path.open(mode, encoding="utf-8")


def generate(pool: Pool, count: int, seed: int, path: Path) -> None:
    synth = Synthesiser(pool, seed)
    started = time.perf_counter(), time.process_time()
    written = 0
    with open_output(path, "w") as out:
        for n in range(1, count + 1):
            line = json.dumps(synth.cable(), ensure_ascii=False)
            out.write(line + "\n")
            written += len(line) + 1
            if n % 50_000 == 0:
                report_rate(n, written, started)
    report_rate(count, written, started)


def report_rate(n: int, written: int, started: tuple[float, float]) -> None:
    """Rate by the wall clock, and by this process's CPU time (the machine may be shared)."""
    elapsed = time.perf_counter() - started[0]
    cpu = time.process_time() - started[1]
    print(
        f"  {n:,} cables, {written / 1e6:,.0f} MB of JSON in {elapsed:.1f} s: "
        f"{n / elapsed:,.0f} cables/s ({n / cpu:,.0f}/s of CPU time)",
        flush=True,
    )


@dataclass(slots=True)
class Check:
    """What the read-back found."""

    lines: int = 0
    duplicates: int = 0
    sample: int = 0
    counts: Counter[str] | None = None

    def share(self, key: str) -> str:
        hits = (self.counts or Counter())[key]
        return f"{hits:,}/{self.sample:,} ({100 * hits / max(self.sample, 1):.1f}%)"


def verify(path: Path, size: int, seed: int) -> Check:
    """Every id unique; a random ``size`` of the cables parsed from their text and compared."""
    rng = random.Random(seed)
    seen: set[str] = set()
    sample: list[dict[str, Any]] = []
    check = Check()
    with open_output(path, "r") as lines:
        for n, line in enumerate(lines):
            record = json.loads(line)
            ident = record["reference_id"]
            check.duplicates += ident in seen
            seen.add(ident)
            if len(sample) < size:
                sample.append(record)
            elif (k := rng.randrange(n + 1)) < size:
                sample[k] = record  # reservoir sampling: one pass, bounded memory
            check.lines = n + 1
    check.sample = len(sample)
    check.counts = Counter()
    for record in sample:
        check.counts.update(compare(record, seen))
    return check


def compare(record: dict[str, Any], ids: set[str]) -> list[str]:
    """The checks one sampled cable passes (parsed from its text alone, then as a JSON line)."""
    cable = cablekit.parse(record["text"])
    level = record["classification"].removesuffix("//NOFORN")
    expected = {v: k for k, v in PAGE_LEVEL.items()}.get(level, level)
    passed = {
        "id": cable.id == record["reference_id"],
        "date": cable.date == record["date"][:10],
        "classification": cable.classification == expected,
        "paragraphs": len(cable.paragraphs) > 0,
        "marks": all(mark_fits(p.marking, cable) for p in cable.paragraphs),
        "cites synthetic": any(r.id in ids for r in cable.references),
        "has refs": bool(cable.references),
    }
    as_line = cablekit.parse(json.dumps(record, ensure_ascii=False))
    passed["jsonl id, no mismatch"] = as_line.id == record["reference_id"] and not any(
        w.code == "id-mismatch" for w in as_line.warnings
    )
    return [key for key, ok in passed.items() if ok]


def mark_fits(marking: str | None, cable: Cable) -> bool:
    if marking is None or cable.classification is None:
        return True
    rank = rank_of(marking.upper().replace(" ", ""))
    return rank is None or rank <= LEVEL_RANK[cable.classification]


def summary(check: Check, pool: Pool, args: argparse.Namespace, seconds: float) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nSummary: {args.output}")
    print(f"  pool: {len(pool.templates):,} templates, {len(pool.donors):,} donor paragraphs")
    print(f"  lines {check.lines:,}, duplicate ids {check.duplicates}")
    print(f"  verified on a random {check.sample:,} (cablekit.parse of the text alone):")
    for key in ("id", "date", "classification", "paragraphs", "marks"):
        print(f"    {key:<22} {check.share(key)}")
    print(f"    {'jsonl id, no mismatch':<22} {check.share('jsonl id, no mismatch')}")
    print(f"    {'has refs':<22} {check.share('has refs')}")
    print(f"    {'cites synthetic':<22} {check.share('cites synthetic')}")
    print(f"  total {seconds:.0f} s, peak RSS {rss:,.0f} MiB")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("-o", "--output", type=Path, required=True, help=".jsonl or .jsonl.gz")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verify", type=int, default=2000, help="cables to parse back (0: none)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pool = load_pool(args.corpus)
    print(f"pool loaded in {time.perf_counter() - started:.0f} s", flush=True)
    generate(pool, args.count, args.seed, args.output)
    if args.verify:
        summary(
            verify(args.output, args.verify, args.seed), pool, args, time.perf_counter() - started
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
