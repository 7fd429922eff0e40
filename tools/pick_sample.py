"""Pick the sample archive shipped for ``make run``: ``src/cablekit/samples/archive/``.

Reads the 6,712 WikiLeaks pages of ``../shared/data/corpus/cablegate-2011-04/cable.tar.xz``
(parsed with cablekit) and the content versions of ``corpus/versions/cables.jsonl.xz``, and
writes, deterministically (same inputs, same bytes):

* ``cables.tar.xz``     the picked pages, byte-identical, under their mirror paths
                        (``cable/YYYY/MM/<ID>.html``); a solid xz archive, because the ~70 KB
                        of navigation every page repeats compresses away across pages;
* ``versions.jsonl.xz`` the older content versions of a few changed cables, as the unchanged
                        lines of ``corpus/versions/cables.jsonl.xz`` (the pages in
                        ``cables.tar.xz`` are their latest version);
* ``README.md``         origin, licence, how the cables were picked and what the sample holds.

The picks, in order, each taking only cables not already taken (up to ``--count``):

1. the changed cables of ``VERSIONED`` (different kinds of change, see there);
2. the neighbourhood of the reference cable 09OTTAWA278 (which is not in the corpus): cables
   of the corpus that cite it or what it cites, and the cables those cite;
3. citation clusters: connected groups of corpus cables citing each other, largest first
   (a large group gives its most connected cable and that cable's neighbours);
4. every caveat of the corpus (NOFORN, EFTO...) on at least ``PER_CAVEAT`` cables (no corpus
   cable is EXDIS, NODIS or LIMDIS: eight only cite one);
5. one cable of every year of the corpus, so that pre-2000 cables are in;
6. the cables with the most sections;
7. at least ``PER_CLASSIFICATION`` cables of every page classification;
8. one cable of every origin not yet in, until the count is reached; cables with and
   without references alternate, so both kinds are well represented.

Ties are broken by a hash of the id (a fixed pseudo-random order), never by chance.

Usage: ``.venv/bin/python tools/pick_sample.py [--data DIR] [--out DIR] [--count N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import lzma
import sys
import tarfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cablekit
from cablekit.parser import parse_raw
from cablekit.sources import read_bytes

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "src" / "cablekit" / "samples" / "archive"
PAGES = Path("corpus/cablegate-2011-04/cable.tar.xz")
VERSIONS = Path("corpus/versions/cables.jsonl.xz")

REFERENCE_CABLE = "09OTTAWA278"
REFERENCE_POST = "OTTAWA"
REFERENCE_REFS = ("09OTTAWA8", "08OTTAWA1140", "08OTTAWA1137", "09MOSCOW833")
# Changed cables whose page in the archive is their latest version; each shows another change.
VERSIONED = {
    "06TUNIS55": "REF list and subject changed",
    "08KYIV2414": "REF list and subject changed",
    "08PARIS1698": "a 4-paragraph extract replaced by the 37-paragraph cable",
    "08TRIPOLI574": "one run-on paragraph re-split into 7",
    "09CAIRO746": "3 versions: the subject changed twice",
}
CLUSTER_BUDGET = 70
CLUSTER_MAX = 8  # cables taken from one citation group
SECTION_PICKS = 5
PER_CLASSIFICATION = 10
PER_CAVEAT = 3
DEFAULT_COUNT = 199  # with the reference cable (shipped apart), 200 cables


@dataclass(frozen=True, slots=True)
class Page:
    """What the picks need to know of one corpus page."""

    id: str
    path: str
    classification: str  # as the page table says: "SECRET//NOFORN"
    year: int
    origin: str
    sections: int
    caveats: tuple[str, ...]
    cites: tuple[str, ...]


def order(ident: str) -> str:
    """A fixed pseudo-random order of ids (so that a pick is not biased to early names)."""
    return hashlib.sha1(ident.encode()).hexdigest()


# --------------------------------------------------------------------------- reading


def corpus_members(path: Path) -> Iterator[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as archive:
        for member in archive:
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is not None:
                yield member, stream.read()


def page_of(name: str, data: bytes) -> Page | None:
    cable = parse_raw(next(iter(read_bytes(data, name))))
    publication = cable.publication
    if cable.id is None or publication is None or not cable.date:
        return None
    return Page(
        id=cable.id,
        path=name,
        classification=publication.classification or "",
        year=int(cable.date[:4]),
        origin=publication.origin or "",
        sections=cable.sections.total if cable.sections else 1,
        caveats=cable.caveats,
        cites=tuple(sorted({r.id for r in cable.references if r.id and r.id != cable.id})),
    )


def read_pages(data: Path) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for member, page in corpus_members(data / PAGES):
        found = page_of(member.name, page)
        if found is not None:
            pages[found.id] = found
    return pages


# --------------------------------------------------------------------------- picking


class Picker:
    """The picked ids in order, each with why it was picked."""

    def __init__(self, pages: dict[str, Page], count: int) -> None:
        self.pages = pages
        self.count = count
        self.why: dict[str, str] = {}
        self.ordered = sorted(pages, key=order)

    def take(self, ids: Iterable[str], why: str, limit: int | None = None) -> int:
        """Take ``ids`` (those in the corpus, not yet taken), at most ``limit``."""
        taken = 0
        for ident in ids:
            if len(self.why) >= self.count or (limit is not None and taken >= limit):
                break
            if ident in self.pages and ident not in self.why:
                self.why[ident] = why
                taken += 1
        return taken

    def by_order(self, keep: Callable[[Page], bool]) -> list[str]:
        return [i for i in self.ordered if keep(self.pages[i])]


def citation_graph(pages: dict[str, Page]) -> dict[str, set[str]]:
    """Undirected edges between corpus cables where one cites the other."""
    graph: dict[str, set[str]] = defaultdict(set)
    for page in pages.values():
        for cited in page.cites:
            if cited in pages:
                graph[page.id].add(cited)
                graph[cited].add(page.id)
    return graph


def groups(graph: dict[str, set[str]]) -> list[list[str]]:
    """Connected groups, largest first (ties by their first id)."""
    seen: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            node = todo.pop()
            group.append(node)
            todo.extend(n for n in sorted(graph[node]) if n not in seen)
            seen.update(graph[node])
        found.append(sorted(group))
    return sorted(found, key=lambda g: (-len(g), g[0]))


def group_picks(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A small group whole; of a large one its most connected cable and that cable's neighbours."""
    if len(group) <= CLUSTER_MAX:
        return group
    hub = max(group, key=lambda n: (len(graph[n]), order(n)))
    neighbours = sorted(graph[hub], key=lambda n: (-len(graph[n]), order(n)))
    return [hub, *neighbours[: CLUSTER_MAX - 1]]


def pick_reference(picker: Picker) -> None:
    """The reference cable's neighbourhood: what cites it or its references (none in the
    corpus of 2011-04, but a newer corpus may have some), then every cable of its post and
    every cable citing one of them, so that Ottawa's citations show next to it."""
    targets = {REFERENCE_CABLE, *REFERENCE_REFS}
    picker.take(picker.by_order(lambda p: bool(targets & set(p.cites))), "cites 09OTTAWA278")
    ottawa = picker.by_order(lambda p: p.id[2:].rstrip("0123456789") == REFERENCE_POST)
    picker.take(ottawa, "post of 09OTTAWA278")
    cited = set(ottawa) | targets
    citing = picker.by_order(lambda p: bool(cited & set(p.cites)))
    picker.take(citing, "cites an Ottawa cable")


def pick_clusters(picker: Picker) -> None:
    graph = citation_graph(picker.pages)
    budget = CLUSTER_BUDGET
    for group in groups(graph):
        if budget <= 0:
            break
        budget -= picker.take(group_picks(group, graph), f"citation group of {len(group)}")


def at_least(picker: Picker, key: Callable[[Page], Iterable[str]], count: int, what: str) -> None:
    """Every value of ``key`` in the corpus on at least ``count`` picked cables."""
    pages = picker.pages
    for value in sorted({v for p in pages.values() for v in key(p)}):
        have = sum(value in key(pages[i]) for i in picker.why)
        ids = [i for i in picker.ordered if value in key(pages[i])]
        picker.take(ids, f"{what} {value}", limit=max(0, count - have))


def pick_variety(picker: Picker) -> None:
    at_least(picker, lambda p: p.caveats, PER_CAVEAT, "caveat")
    at_least(picker, lambda p: (str(p.year),), 1, "year")
    most = sorted(picker.pages.values(), key=lambda p: (-p.sections, order(p.id)))
    picker.take((p.id for p in most), "many sections", limit=SECTION_PICKS)
    at_least(picker, lambda p: (p.classification,), PER_CLASSIFICATION, "classification")


def pick_origins(picker: Picker) -> None:
    """One cable per origin not yet in, alternating cables with and without references."""
    ordered = [picker.pages[i] for i in picker.ordered]
    while len(picker.why) < picker.count:
        have = {picker.pages[i].origin for i in picker.why}
        refs = sum(bool(picker.pages[i].cites) for i in picker.why) * 2 < len(picker.why)
        new = [p.id for p in ordered if p.origin not in have and bool(p.cites) == refs]
        new = new or [p.id for p in ordered if p.origin not in have]
        ids = new or [p.id for p in ordered if bool(p.cites) == refs]
        if not picker.take(ids, "new origin" if new else "with/without references", limit=1):
            break


def pick(pages: dict[str, Page], count: int) -> dict[str, str]:
    picker = Picker(pages, count)
    picker.take(sorted(VERSIONED), "several versions (older ones in versions.jsonl.xz)")
    pick_reference(picker)
    pick_clusters(picker)
    pick_variety(picker)
    pick_origins(picker)
    return picker.why


# --------------------------------------------------------------------------- writing


def write_pages(data: Path, out: Path, picked: dict[str, str], pages: dict[str, Page]) -> None:
    """The picked pages, byte-identical, in path order, with neutral owners (reproducible)."""
    wanted = {pages[i].path for i in picked}
    found: dict[str, tuple[tarfile.TarInfo, bytes]] = {}
    for member, page in corpus_members(data / PAGES):
        if member.name in wanted:
            found[member.name] = (member, page)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name in sorted(found):
            member, page = found[name]
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(page), member.mtime, 0o644
            archive.addfile(info, io.BytesIO(page))
    (out / "cables.tar.xz").write_bytes(compress(buffer.getvalue()))


def compress(data: bytes) -> bytes:
    return lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)


def write_versions(data: Path, out: Path) -> list[tuple[str, int]]:
    """The older versions of the VERSIONED cables, as their unchanged corpus lines."""
    lines: list[bytes] = []
    kept: list[tuple[str, int]] = []
    with lzma.open(data / VERSIONS) as source:
        for line in source:
            record = json.loads(line)
            if record["id"] in VERSIONED and record["version"] < record["n_versions"]:
                lines.append(line)
                kept.append((record["id"], record["version"]))
    (out / "versions.jsonl.xz").write_bytes(compress(b"".join(lines)))
    return kept


def check_outputs(out: Path, count: int) -> None:
    """Both files read back with cablekit: every page a cable, every changed cable in both."""
    latest = [c.id for c in cablekit.read(out / "cables.tar.xz")]
    older = {c.id for c in cablekit.read(out / "versions.jsonl.xz")}
    if len(set(latest)) != count or not set(VERSIONED) <= set(latest) or older != set(VERSIONED):
        raise SystemExit(f"read back: {len(set(latest))} cables, older versions of {older}")


# --------------------------------------------------------------------------- the README

README_HEAD = """\
# Sample archive input

Ingested by `make run` with the reference cable (`../09OTTAWA278.scraped.md`), so that the
archive, search, `citedby:` and version diffs have something to show without `../shared/data`.
Regenerate with `.venv/bin/python tools/pick_sample.py` (deterministic: same bytes again).

| File | What |
|---|---|
| `cables.tar.xz` | {pages} WikiLeaks cable pages, byte-identical, as `cable/YYYY/MM/<ID>.html` |
| `versions.jsonl.xz` | {versions} older content versions of {versioned} of those cables |

**Origin.** The pages are from `../shared/data/corpus/cablegate-2011-04/cable.tar.xz`:
byte-identical copies of the public GitHub mirror `avilaroman/Wikileaks-Mirror` as of
25 Apr 2011 (licence: none stated). The older versions are lines of
`../shared/data/corpus/versions/cables.jsonl.xz`, built for cablekit from every commit of eight
public mirrors (Nov 2010 - Apr 2011; `provenance` in each line names the repositories, paths,
blobs and commits). The cable texts are US government telegrams as published by WikiLeaks in
2010-2011; they carry no licence of their own.

**How they were picked** (`tools/pick_sample.py`, in this order, ties broken by a hash of the
id): changed cables with their older versions; the reference cable's neighbourhood (09OTTAWA278
and its four references are not in the corpus and no corpus cable cites them, so: every Ottawa
cable of the corpus, and the cables citing one); citation groups of the corpus, largest first;
every caveat on at least {per_caveat} cables (no corpus cable is EXDIS, NODIS or LIMDIS); one
cable per year; the cables with the most sections; at least {per_class} cables per page
classification; then one cable per origin not yet in, alternating cables with and without
references.
"""


def readme(picked: dict[str, str], pages: dict[str, Page], kept: Sequence[tuple[str, int]]) -> str:
    chosen = [pages[i] for i in picked]
    text = README_HEAD.format(
        pages=len(chosen),
        versions=len(kept),
        versioned=len(VERSIONED),
        per_class=PER_CLASSIFICATION,
        per_caveat=PER_CAVEAT,
    )
    return text + "\n## What the sample holds\n\n" + "\n".join(composition(chosen, kept)) + "\n"


def composition(chosen: Sequence[Page], kept: Sequence[tuple[str, int]]) -> list[str]:
    ids = {p.id for p in chosen}
    cites = {p.id: [c for c in p.cites if c in ids] for p in sorted(chosen, key=lambda p: p.id)}
    pairs = sum(len(c) for c in cites.values())
    caveats = Counter(c for p in chosen for c in p.caveats)
    years = [p.year for p in chosen]
    classes = Counter(p.classification for p in chosen)
    versions = Counter(i for i, _ in kept)
    return [
        "* Page classification: " + ", ".join(f"{k} {n}" for k, n in classes.most_common()) + ".",
        "* Caveats: " + ", ".join(f"{k} {n}" for k, n in caveats.most_common()) + ".",
        f"* Years {min(years)}-{max(years)}: {len(set(years))} years, "
        f"{sum(y < 2000 for y in years)} cables before 2000.",
        f"* {len({p.origin for p in chosen})} origins; {sum(p.sections > 1 for p in chosen)} "
        f"cables in several sections (up to {max(p.sections for p in chosen)}).",
        f"* {sum(bool(p.cites) for p in chosen)} cables cite other cables; "
        f"{pairs} citations between cables of the sample (citing: cited):",
        *(f"  * {a}: {', '.join(c)}" for a, c in cites.items() if c),
        "* Older versions: "
        + ", ".join(f"{i} ({versions[i]})" for i in sorted(versions))
        + ". Why each: "
        + "; ".join(f"{i}: {why}" for i, why in sorted(VERSIONED.items()))
        + ".",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args(argv)
    pages = read_pages(args.data)
    picked = pick(pages, args.count)
    args.out.mkdir(parents=True, exist_ok=True)
    write_pages(args.data, args.out, picked, pages)
    kept = write_versions(args.data, args.out)
    check_outputs(args.out, len(picked))
    (args.out / "README.md").write_text(readme(picked, pages, kept), encoding="utf-8")
    for why, n in Counter(w.split(" of ")[0] for w in picked.values()).most_common():
        print(f"{n:4} {why}")
    for name in ("cables.tar.xz", "versions.jsonl.xz", "README.md"):
        print(f"{(args.out / name).stat().st_size:>9,} bytes  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
