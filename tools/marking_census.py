"""The census of markings: every portion mark and caveat in the corpus, its versions, the
samples and the PDF edition, as cablekit's grammar reads it, and the check that each one
is applied.

For every cable it parses, the census takes each marking-like token where it stands (a
paragraph's own marking, a bullet's or sub-paragraph's, one inside a paragraph, a caveat,
a control on a handling line, the publisher's classification) and counts it by form
(``C/REL <names>``: REL TO lists are shown as ``<names>``), place and reading:
understood, not understood (then applied at its strictest reading), or set aside as no
marking (a list letter, an abbreviation in running text, glued to a word). Every token
that is not set aside must be *applied*: the requirement the archive stores for its unit
(``cablekit.store.rows``, exactly what ingest writes) must be at least as strict as the
token's own reading. The number of tokens that are not is the census' verdict: it must
be 0. A wider net (any bracket holding a level or control word, read or not) shows what
the grammar takes for no marking at all.

Usage: ``.venv/bin/python tools/marking_census.py [--data DIR] [--sources corpus,versions,
samples,pdf] [--examples N] [--json]``;
PDFs are read with ``pdftotext`` (poppler-utils) when it is installed. The figures are
quoted in ``docs/markings.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cablekit.access.countries import release_list, unknown_names
from cablekit.access.policy import (
    Requirement,
    cable_requirement,
    marking_requirement,
)
from cablekit.errors import NotACable
from cablekit.markings import Marking, find_marks, read_marking
from cablekit.model import Cable
from cablekit.parser import parse_raw
from cablekit.sources import iter_inputs
from cablekit.sources.base import RawCable
from cablekit.store.rows import search_rows

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SOURCES = {
    "corpus": ("corpus/cablegate-2011-04/cable.tar.xz",),
    "versions": ("corpus/versions/cables.jsonl.xz",),
    "samples": (
        "samples/seed",
        "samples/raw-telegram",
        "samples/cables-csv/cables-first-5-rows.csv",
        "samples/cables-json-flattened",
        "samples/page-2010-11",
        "samples/page-2011-08",
    ),
}
# Any bracket holding a level or control word: the wider net.
_NET = re.compile(r"\(([^()\n]{1,60})\)")
_NET_WORDS = re.compile(
    r"\b(?:U|C|S|TS|SBU|LOU|NF|NOFORN|REL|ORCON|FOUO|NODIS|EXDIS|LIMDIS|SECRET|CONFIDENTIAL"
    r"|UNCLASSIFIED|UNCLAS)\b|^(?:S|C|TS|SBU)NF$",
    re.I,
)
_NAMES = re.compile(r"(\bREL(?:EASABLE)?(?:\s+TO)?\s+)([^/]+(?:/[^/]+)*?)(?=//|$)", re.I)


def shape(written: str) -> str:
    """A marking's form: as written, REL TO lists as ``<names>``."""
    text = " ".join(written.split())
    return _NAMES.sub(lambda m: m[1] + "<names>", text)


@dataclass
class Census:
    cables: int = 0
    units: int = 0
    forms: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # place, form, reading
    examples: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    not_applied: list[str] = field(default_factory=list)
    unknown_names: Counter[str] = field(default_factory=Counter)
    unread_net: Counter[str] = field(default_factory=Counter)
    unread_examples: dict[str, list[str]] = field(default_factory=dict)
    split_units: int = 0
    per_source: Counter[str] = field(default_factory=Counter)

    def count(self, place: str, written: str, reading: str, where: str, keep: int) -> None:
        key = (place, shape(written), reading)
        self.forms[key] += 1
        seen = self.examples.setdefault(key, [])
        if len(seen) < keep:
            seen.append(where)


def reading_of(marking: Marking, aside: str | None, caveat: bool = False) -> str:
    if aside is not None:
        return f"set aside: {aside}"
    if marking_requirement(marking, 0, caveat=caveat).unclear:
        return "not understood: strictest reading"
    return "understood"


def stored_units(cable: Cable) -> tuple[Requirement, list[Requirement]]:
    """The header's and each paragraph unit's requirement exactly as ingest stores them."""
    rows = search_rows(cable)
    header = _requirement(rows.cable[7], rows.cable[16], rows.cable[17], 0)
    units = [_requirement(u[3], u[6], u[7], u[9]) for u in rows.units if u[0] != 0]
    return header, units


def _requirement(level: object, need: object, rel: object, exempt: object) -> Requirement:
    release = frozenset(str(rel).split()) if rel is not None else None
    return Requirement(int(str(level)), int(str(need)), release, exempt=bool(exempt))


def check(census: Census, token: Requirement, stored: Requirement, where: str) -> None:
    """The token's reading must be implied by what is stored for its unit."""
    if not token.implied_by(stored):
        census.not_applied.append(where)


def take(census: Census, cable: Cable, source: str, keep: int) -> None:
    census.cables += 1
    census.per_source[source] += 1
    header = cable_requirement(cable)
    stored_header, stored = stored_units(cable)
    name = cable.id or "?"
    for caveat in cable.caveats:
        read = read_marking(caveat)
        if read is not None:
            census.count("header: caveat", caveat, reading_of(read, None, True), name, keep)
            check(census, marking_requirement(read, header.level, caveat=True), stored_header, name)
    for line in cable.handling:
        for found in re.finditer(
            r"\b(?:NOFORN|REL(?:EASABLE)?\s+TO\s+[A-Z ,/]+|NODIS|EXDIS"
            r"|LIMDIS|STADIS|ORCON)\b",
            line.upper(),
        ):
            read = read_marking(found[0])
            if read is not None:
                reading = reading_of(read, None, True)
                census.count("header: handling line", found[0], reading, name, keep)
                need = marking_requirement(read, header.level, caveat=True)
                check(census, need, stored_header, name)
    if cable.publication and cable.publication.classification:
        read = read_marking(cable.publication.classification)
        if read is not None and read.controlled:
            census.count(
                "header: publisher", cable.publication.classification, "understood", name, keep
            )
    for n, p in enumerate(cable.paragraphs):
        census.units += 1
        where = f"{name} ¶{p.number if p.number is not None else '-'}"
        need = stored[n] if n < len(stored) else stored[-1]
        if p.label is not None:
            census.split_units += 1
        own = read_marking(p.marking)
        if own is not None:
            place = "bullet or sub-paragraph" if p.label is not None else "paragraph start"
            census.count(place, p.marking or "", reading_of(own, None), where, keep)
            check(census, marking_requirement(own, header.level), need, where)
            _names(census, own)
        for text in (p.heading, p.text):
            for found in find_marks(text or ""):
                written = (text or "")[found.start + 1 : found.end - 1]
                place = f"inside a paragraph ({found.position})"
                census.count(place, written, reading_of(found.marking, found.aside), where, keep)
                if found.aside is None:
                    check(census, marking_requirement(found.marking, header.level), need, where)
                    _names(census, found.marking)
            _net(census, text or "", where, keep)


def _names(census: Census, marking: Marking) -> None:
    if marking.release:
        for name in unknown_names(release_list(marking.release)):
            census.unknown_names[name] += 1


def _net(census: Census, text: str, where: str, keep: int) -> None:
    """Brackets holding a level or control word that the grammar reads as no marking."""
    for m in _NET.finditer(text):
        inside = m[1].strip()
        if _NET_WORDS.search(inside) and read_marking(inside) is None:
            census.unread_net[shape(inside)] += 1
            seen = census.unread_examples.setdefault(shape(inside), [])
            if len(seen) < keep:
                seen.append(where)


def raw_cables(data: Path, sources: list[str]) -> Iterator[tuple[str, RawCable]]:
    for source, paths in SOURCES.items():
        if source in sources:
            for item in iter_inputs([data / p for p in paths]):
                if not isinstance(item, Exception):
                    yield source, item
    if "pdf" in sources:
        yield from pdf_cables(data / "samples" / "pdf")


def pdf_cables(folder: Path) -> Iterator[tuple[str, RawCable]]:
    """The PDF edition, as text (``pdftotext -layout``), when poppler-utils is there."""
    if shutil.which("pdftotext") is None:
        print("pdftotext not found: the PDF edition is left out", file=sys.stderr)
        return
    for pdf in sorted(folder.glob("*.pdf")):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
        ).stdout
        for item in iter_inputs([_saved(pdf, text)], "telegram"):
            if not isinstance(item, Exception):
                yield "pdf edition", item


def _saved(pdf: Path, text: bytes) -> Path:
    out = Path("/tmp") / f"census-{pdf.stem}.txt"
    out.write_bytes(text)
    return out


def run(data: Path, keep: int, sources: list[str]) -> Census:
    census = Census()
    for source, raw in raw_cables(data, sources):
        try:
            cable = parse_raw(raw)
        except NotACable:  # a page that holds no cable
            continue
        take(census, cable, source, keep)
    return census


def report(census: Census, examples: int) -> str:
    sources = ", ".join(f"{s} {n:,}" for s, n in census.per_source.items())
    lines = [
        f"{census.cables:,} cables ({sources}),"
        f" {census.units:,} paragraph units, of which {census.split_units:,} bullets or"
        " sub-paragraphs with a marking of their own",
        "",
        "| place | form | reading | count | example |",
        "|---|---|---|---:|---|",
    ]
    by_place: dict[str, list[tuple[tuple[str, str, str], int]]] = defaultdict(list)
    for key, n in census.forms.items():
        by_place[key[0]].append((key, n))
    for place in sorted(by_place):
        for key, n in sorted(by_place[place], key=lambda kv: (-kv[1], kv[0])):
            example = ", ".join(census.examples[key][:examples])
            lines.append(f"| {place} | `{key[1]}` | {key[2]} | {n:,} | {example} |")
    total = sum(census.forms.values())
    aside = sum(n for k, n in census.forms.items() if k[2].startswith("set aside"))
    unclear = sum(n for k, n in census.forms.items() if k[2].startswith("not understood"))
    lines += [
        "",
        f"marking-like tokens: {total:,}; taken as markings: {total - aside:,} (of which not"
        f" understood, applied at their strictest reading: {unclear:,}); set aside: {aside:,}",
        f"tokens taken as markings and NOT applied: {len(census.not_applied)}"
        + (f" ({', '.join(census.not_applied[:10])})" if census.not_applied else ""),
        "",
        "REL TO names read as no country (release to nobody): "
        + ", ".join(f"{n} {c}" for n, c in census.unknown_names.most_common()),
        "",
        "Brackets with a level or control word that the grammar reads as no marking:",
    ]
    for form, n in census.unread_net.most_common(40):
        lines.append(f"  {n:>5}  ({form})  {', '.join(census.unread_examples[form][:examples])}")
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--examples", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument(
        "--sources",
        default=",".join([*SOURCES, "pdf"]),
        help="which: corpus, versions, samples, pdf (comma-separated) [all]",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    census = run(args.data, args.examples, args.sources.split(","))
    if args.json:
        print(
            json.dumps(
                {
                    "cables": census.cables,
                    "units": census.units,
                    "not_applied": census.not_applied,
                    "forms": [[*k, n] for k, n in census.forms.most_common()],
                }
            )
        )
    else:
        print(report(census, args.examples))
    return 1 if census.not_applied else 0


if __name__ == "__main__":
    sys.exit(main())
