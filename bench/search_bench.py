#!/usr/bin/env python3
"""Search benchmark: latency percentiles of a fixed query mix, with facets and timeline.

Opens an archive (``--db``; made from the 6,712-page corpus when missing) and runs
a fixed mix of queries the way the CLI and the web do: the first page of 20
results with snippets, exact total, all facets and the timeline, sorted by
relevance and by date. Each query is run once to warm the cache, then ``--repeat``
times; the figures are over every timed run: p50, p95, p99 and max in
milliseconds (wall clock, and the CPU time of this process), and the slowest
queries.

The same mix is then run as restricted readers (``--users``, on by default): a copy
of the archive (``NAME-users.db`` next to it, made once and again when the archive
is newer) gets two users through ``cablekit.access.principals``, a SECRET-cleared
French reader with grants on every collection by name and a CONFIDENTIAL US reader
with the ``*`` grant, and each runs the mix through ``Archive(path, user=...,
today=--today)``; the ratio of their p95 to the unrestricted p95 is printed. Access
is enforced inside the SQL of every query, as in real use, and every search is
written to the audit log of the copy.

A deep-paging run follows a cursor through ``--pages`` pages of one broad query,
and an export of every cable to Parquet is timed when ``--export`` is given.

Nothing is asserted: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/search_bench.py                              # corpus archive
    .venv/bin/python bench/search_bench.py --db bench/out/250k.db --export
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cablekit.access import principals
from cablekit.archive import Archive

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"

QUERIES = [
    "iran",
    "nuclear",
    '"prime minister"',
    '"human rights" AND tag:PHUM',
    "nuclea*",
    "embassy AND NOT tag:PREL",
    "(iran OR iraq) AND class:SECRET",
    "tag:PREL",
    "tag:PREL AND tag:IR",
    "from:MOSCOW",
    "to:SECSTATE date:2009-01..2009-06",
    "caveat:NOFORN",
    "class:CONFIDENTIAL date:2008",
    "subject:visit",
    "date:2009-04",
    "terrorism tag:PTER from:ISLAMABAD",
    '"arms control" OR disarmament',
    "oil AND gas AND pipeline",
    "citedby:09STATE15113",
    "ref:09STATE15113",
    "ambassador -caveat:SIPDIS",
    "corruption date:2005..2007",
]
SORTS = ("relevance", "newest")


@dataclass(frozen=True, slots=True)
class User:
    """A restricted reader made in the copy of the archive."""

    name: str
    clearance: str
    citizenship: str
    every_collection_by_name: bool  # else the "*" grant

    def describe(self) -> str:
        grants = "grants on every collection by name" if self.every_collection_by_name else "*"
        return f"{self.name} ({self.clearance}, {self.citizenship}, {grants})"


USERS = (
    User("bench-secret-fra", "SECRET", "FRA", True),
    User("bench-confidential-usa", "CONFIDENTIAL", "USA", False),
)


@dataclass(slots=True)
class Mix:
    """Timings of one run of the query mix: wall and CPU ms per search."""

    wall: list[float]
    cpu: list[float]
    per_query: list[tuple[float, str, int]]  # mean wall ms, query [sort], hits


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_query(archive: Archive, query: str, sort: str = "relevance") -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    result = archive.search(query, sort=sort, facets=True, timeline=True)  # type: ignore[arg-type]
    return (
        (time.perf_counter() - started) * 1000,
        (time.process_time() - cpu) * 1000,
        result.total,
    )


def run_mix(archive: Archive, repeat: int) -> Mix:
    mix = Mix([], [], [])
    for query in QUERIES:
        for sort in SORTS:
            time_query(archive, query, sort)
            runs = [time_query(archive, query, sort) for _ in range(repeat)]
            mix.wall += [ms for ms, _, _ in runs]
            mix.cpu += [cpu for _, cpu, _ in runs]
            mix.per_query.append(
                (statistics.mean(ms for ms, _, _ in runs), f"{query} [{sort}]", runs[0][2])
            )
    return mix


def report(mix: Mix, slowest: int = 6) -> None:
    w, c = mix.wall, mix.cpu
    print(
        f"  latency ms: p50 {percentile(w, 0.5):.1f}, p95 {percentile(w, 0.95):.1f},"
        f" p99 {percentile(w, 0.99):.1f}, max {max(w):.1f} ({len(w)} timed searches)"
    )
    print(
        f"  CPU ms:     p50 {percentile(c, 0.5):.1f}, p95 {percentile(c, 0.95):.1f},"
        f" p99 {percentile(c, 0.99):.1f}, total {sum(c) / 1000:.1f} s"
    )
    print("  slowest queries (mean ms, hits):")
    for ms, query, total in sorted(mix.per_query, reverse=True)[:slowest]:
        print(f"    {ms:8.1f}  {total:>8,}  {query}")


def ensure_archive(path: Path) -> None:
    if path.exists():
        return
    print(f"building {path} from the corpus ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    with Archive(path, create=True) as archive:
        archive.ingest([str(CORPUS)], jobs=2)


def bench_copy(path: Path, suffix: str, purpose: str) -> Path:
    """A copy of the archive beside it, ``<name>-<suffix>.db`` (made again when the
    archive is newer): the benches add their readers there, never to the archive."""
    copy = path.with_name(f"{path.stem}-{suffix}.db")
    if not copy.exists() or copy.stat().st_mtime < path.stat().st_mtime:
        print(f"copying {path} to {copy} for {purpose} ...")
        copy.unlink(missing_ok=True)
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        source.close()
        target.close()
    return copy


def users_copy(path: Path) -> Path:
    """A copy of the archive with the bench users."""
    copy = bench_copy(path, "users", "the restricted readers")
    with Archive(copy) as archive:
        store = archive.store
        made = {p.name for p in principals.principals(store)}
        names = [name for name, _ in principals.collections(store)]
        for user in USERS:
            if user.name in made:
                continue
            principals.add(store, user.name, clearance=user.clearance, citizenship=user.citizenship)
            grants = names if user.every_collection_by_name else ["*"]
            principals.grant(store, user.name, collections=grants)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "corpus.db")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--export", action="store_true", help="Time an export to Parquet.")
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="Only run the side-by-side mix against a plain FTS5 table (built beside the"
        " archive once).",
    )
    parser.add_argument(
        "--users",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Also run the mix as restricted readers (in a copy of the archive).",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date(2011, 6, 1),
        help="The day whose declassification state applies to the restricted readers"
        " (default 2011-06-01, when most cables were still classified).",
    )
    args = parser.parse_args()
    ensure_archive(args.db)
    if args.side_by_side:
        side_by_side(args.db, args.repeat)
        return
    with Archive(args.db) as archive:
        (cables,) = archive.store.query("SELECT count(*) FROM cable")[0]
        print(
            f"archive {args.db}: {cables:,} cables; {len(QUERIES)} queries x {len(SORTS)} sorts"
            f" x {args.repeat}, each with snippets, facets and timeline"
        )
        print("unrestricted (public archive):")
        public = run_mix(archive, args.repeat)
        report(public)
        deep_paging(archive, args.pages)
    if args.users:
        copy = users_copy(args.db)
        base = percentile(public.wall, 0.95)
        for user in USERS:
            with Archive(copy, user=user.name, today=args.today) as archive:
                (seen,) = archive.store.query(
                    f"SELECT count(*) FROM cable c WHERE {archive.scope.cables}",
                    archive.scope.cable_params,
                )[0]
                print(
                    f"restricted: {user.describe()} on {args.today}, sees {seen:,} of"
                    f" {cables:,} cables:"
                )
                mix = run_mix(archive, args.repeat)
                report(mix, slowest=3)
                print(f"  p95 ratio to unrestricted: {percentile(mix.wall, 0.95) / base:.2f}")
    if args.export:
        with Archive(args.db) as archive:
            export_parquet(archive, args.db.with_suffix(".parquet"))


def deep_paging(archive: Archive, pages: int) -> None:
    cursor = None
    timings = []
    for _ in range(pages):
        started = time.perf_counter()
        result = archive.search("to:SECSTATE OR embassy", sort="newest", cursor=cursor)
        timings.append((time.perf_counter() - started) * 1000)
        cursor = result.next_cursor
        if cursor is None:
            break
    print(
        f"deep paging: {len(timings)} pages of 20 by cursor: p50 {percentile(timings, 0.5):.1f}"
        f" ms, last page {timings[-1]:.1f} ms"
    )


def export_parquet(archive: Archive, out: Path) -> None:
    from cablekit.search.export import export
    from cablekit.search.query import parse_query

    started, cpu = time.perf_counter(), time.process_time()
    count = export(archive.store, parse_query("date:1900.."), archive.scope, "parquet", out)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"export: {count:,} cables to Parquet in {wall:.1f} s, CPU {cpu:.1f} s"
        f" ({count / wall:,.0f} cables/s), {out.stat().st_size / 1e6:,.1f} MB,"
        f" peak RSS {peak:.0f} MiB"
    )


# --- side by side with a plain FTS5 table ------------------------------------------


@dataclass(frozen=True, slots=True)
class Plain:
    """A query of the mix as a plain FTS5 table answers it: an FTS5 expression over
    subject and text (None: no words) and SQL conditions on the table's row ``c``."""

    match: str | None
    where: str = ""
    params: tuple[str, ...] = ()


def _tagged(tag: str) -> str:
    return f"c.rowid IN (SELECT cable FROM plain_tag WHERE tag = '{tag}')"


def _marked(caveat: str) -> str:
    return f"c.rowid IN (SELECT cable FROM plain_caveat WHERE caveat = '{caveat}')"


CITING = "c.rowid IN (SELECT cable FROM plain_ref WHERE target = ?)"
CITED_BY = (
    "c.id IN (SELECT target FROM plain_ref WHERE cable = (SELECT rowid FROM plain WHERE id = ?))"
)
# Each query of the cablekit language, and the same request written for the plain
# table: words in FTS5's syntax, fields as SQL over its indexed columns and side tables.
# ``{id}`` and ``{cited}`` are filled in from the archive (a cable in its middle, and
# the cable cited most), so that the id queries find something in any archive.
SIDE_BY_SIDE: list[tuple[str, Plain]] = [
    ("iran", Plain("iran")),
    ("nuclear", Plain("nuclear")),
    ('"prime minister"', Plain('"prime minister"')),
    ('"human rights" AND tag:PHUM', Plain('"human rights"', _tagged("PHUM"))),
    ("nuclea*", Plain("nuclea*")),
    ("embassy AND NOT tag:PREL", Plain("embassy", "NOT " + _tagged("PREL"))),
    ("(iran OR iraq) AND class:SECRET", Plain("iran OR iraq", "c.classification = 'SECRET'")),
    ("tag:PREL", Plain(None, _tagged("PREL"))),
    ("tag:PREL AND tag:IR", Plain(None, f"{_tagged('PREL')} AND {_tagged('IR')}")),
    ("from:MOSCOW", Plain(None, "c.origin = 'MOSCOW'")),
    (
        "to:SECSTATE date:2009-01..2009-06",
        Plain(
            None,
            "c.rowid IN (SELECT cable FROM plain_to WHERE name = 'SECSTATE WASHDC')"
            " AND c.date BETWEEN '2009-01-01' AND '2009-06-30'",
        ),
    ),
    ("caveat:NOFORN", Plain(None, _marked("NOFORN"))),
    (
        "class:CONFIDENTIAL date:2008",
        Plain(
            None,
            "c.classification = 'CONFIDENTIAL' AND c.date BETWEEN '2008-01-01' AND '2008-12-31'",
        ),
    ),
    ("subject:visit", Plain("subject : visit")),
    ("date:2009-04", Plain(None, "c.date BETWEEN '2009-04-01' AND '2009-04-30'")),
    (
        "terrorism tag:PTER from:ISLAMABAD",
        Plain("terrorism", f"{_tagged('PTER')} AND c.origin = 'ISLAMABAD'"),
    ),
    ('"arms control" OR disarmament', Plain('"arms control" OR disarmament')),
    ("oil AND gas AND pipeline", Plain("oil AND gas AND pipeline")),
    ("citedby:09STATE15113", Plain(None, CITED_BY, ("09STATE15113",))),
    ("ref:09STATE15113", Plain(None, CITING, ("09STATE15113",))),
    ("ambassador -caveat:SIPDIS", Plain("ambassador", "NOT " + _marked("SIPDIS"))),
    (
        "corruption date:2005..2007",
        Plain("corruption", "c.date BETWEEN '2005-01-01' AND '2007-12-31'"),
    ),
    # narrow ANDs, rare words, single ids, very common words
    ("visa AND fraud AND passport", Plain("visa AND fraud AND passport")),
    ("uranium AND enrichment AND centrifuges", Plain("uranium AND enrichment AND centrifuges")),
    ("election AND opposition AND fraud", Plain("election AND opposition AND fraud")),
    ("{rare}", Plain("{rare}")),
    ("{rarer}", Plain("{rarer}")),
    ("id:{id}", Plain(None, "c.id = ?", ("{id}",))),
    ("ref:{cited}", Plain(None, CITING, ("{cited}",))),
    ("the", Plain("the")),
    ("government", Plain("government")),
    ("minister AND said", Plain("minister AND said")),
]


def plain_copy(path: Path) -> Path:
    """The plain FTS5 table made from the archive's current versions, in a database of
    its own beside it (``NAME-plain.db``, made once and again when the archive is
    newer): one row per cable with its subject and text (every paragraph, joined), its
    facet columns indexed, and side tables of tags, caveats, addressees and references."""
    plain = path.with_name(f"{path.stem}-plain.db")
    if plain.exists() and plain.stat().st_mtime >= path.stat().st_mtime:
        return plain
    print(f"building the plain FTS5 table {plain} ...")
    started = time.perf_counter()
    building = plain.with_suffix(".building")
    building.unlink(missing_ok=True)
    db = sqlite3.connect(building)
    db.execute("ATTACH DATABASE ? AS archive", [str(path)])
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE plain (
            rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, date TEXT, origin TEXT,
            classification TEXT, dtg TEXT, subject TEXT, text TEXT
        );
        INSERT INTO plain
            SELECT c.key, c.id, c.date, c.origin, c.classification, c.dtg, c.subject,
                (SELECT group_concat(body, char(10) || char(10)) FROM
                    (SELECT body FROM archive.unit u
                     WHERE u.cable_key = c.key AND u.seq > 0 ORDER BY u.seq))
            FROM archive.cable c ORDER BY c.key;
        CREATE INDEX plain_date ON plain(date);
        CREATE INDEX plain_origin ON plain(origin);
        CREATE INDEX plain_classification ON plain(classification);
        CREATE TABLE plain_tag AS SELECT cable_key AS cable, code AS tag, kind FROM archive.tag;
        CREATE INDEX plain_tag_tag ON plain_tag(tag, cable);
        CREATE INDEX plain_tag_cable ON plain_tag(cable);
        CREATE TABLE plain_caveat AS
            SELECT cable_key AS cable, caveat FROM archive.caveat;
        CREATE INDEX plain_caveat_caveat ON plain_caveat(caveat, cable);
        CREATE INDEX plain_caveat_cable ON plain_caveat(cable);
        CREATE TABLE plain_to AS SELECT cable_key AS cable, name FROM archive.addressee
            WHERE role != 'from';
        CREATE INDEX plain_to_name ON plain_to(name, cable);
        CREATE TABLE plain_ref AS
            SELECT cable_key AS cable, target FROM archive.reference WHERE target IS NOT NULL;
        CREATE INDEX plain_ref_target ON plain_ref(target, cable);
        CREATE INDEX plain_ref_cable ON plain_ref(cable);
        CREATE VIRTUAL TABLE plain_fts USING fts5(
            subject, text, content='plain', content_rowid='rowid', tokenize='unicode61'
        );
        INSERT INTO plain_fts(plain_fts) VALUES ('rebuild');
        INSERT INTO plain_fts(plain_fts) VALUES ('optimize');
        ANALYZE;
        """
    )
    db.execute("DETACH DATABASE archive")
    db.close()
    building.replace(plain)
    print(f"  made in {time.perf_counter() - started:.0f} s, {plain.stat().st_size / 1e9:.2f} GB")
    return plain


def plain_page(db: sqlite3.Connection, plain: Plain, sort: str) -> int:
    """One page as a plain FTS5 table gives it (what cablekit's page holds): the exact
    total, the first 20 by bm25 (or date) with snippets, the top 10 of every facet and
    the timeline. The hits are gathered once into a temporary table that the counts
    then read (faster than repeating the match in every facet's query)."""
    words, where, params = plain.match, plain.where, list(plain.params)
    if words is None:
        source, args = f"SELECT c.rowid FROM plain c WHERE {where}", params
    elif where:
        source = (
            "SELECT c.rowid FROM plain c WHERE c.rowid IN"
            f" (SELECT rowid FROM plain_fts WHERE plain_fts MATCH ?) AND {where}"
        )
        args = [words, *params]
    else:
        source, args = "SELECT rowid FROM plain_fts WHERE plain_fts MATCH ?", [words]
    db.execute("BEGIN")
    db.execute("CREATE TEMP TABLE hits (rowid INTEGER PRIMARY KEY)")
    db.execute(f"INSERT INTO temp.hits {source}", args)
    (total,) = db.execute("SELECT count(*) FROM temp.hits").fetchone()
    fields = "c.rowid, c.id, c.dtg, c.date, c.origin, c.classification, c.subject"
    if words is not None and sort == "relevance":
        within = " AND +f.rowid IN temp.hits" if where else ""  # walk the match once
        page = db.execute(
            f"SELECT {fields}, snippet(plain_fts, 1, '«', '»', '…', 24), f.rank"
            " FROM plain_fts f JOIN plain c ON c.rowid = f.rowid"
            f" WHERE plain_fts MATCH ?{within} ORDER BY f.rank LIMIT 21",
            [words],
        ).fetchall()
    else:
        page = db.execute(
            f"SELECT {fields} FROM plain c WHERE c.rowid IN temp.hits"
            " ORDER BY c.date DESC, c.rowid LIMIT 21"
        ).fetchall()
        if words is not None:
            keys = ",".join(str(row[0]) for row in page)
            db.execute(
                "SELECT rowid, snippet(plain_fts, 1, '«', '»', '…', 24) FROM plain_fts"
                f" WHERE plain_fts MATCH ? AND rowid IN ({keys})",
                [words],
            ).fetchall()
    for column in ("origin", "classification", "substr(date, 1, 4)"):
        db.execute(
            f"SELECT {column}, count(*) FROM plain c WHERE c.rowid IN temp.hits"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
        ).fetchall()
    db.execute(
        "SELECT kind, tag, n FROM (SELECT kind, tag, n, row_number() OVER"
        " (PARTITION BY kind ORDER BY n DESC, tag) AS place FROM (SELECT kind, tag,"
        " count(*) AS n FROM plain_tag WHERE cable IN temp.hits GROUP BY 1, 2))"
        " WHERE place <= 10"
    ).fetchall()
    db.execute(
        "SELECT caveat, count(*) FROM plain_caveat WHERE cable IN temp.hits"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
    ).fetchall()
    first, last = db.execute(
        "SELECT min(c.date), max(c.date) FROM plain c WHERE c.rowid IN temp.hits"
    ).fetchone()
    if first:
        span = (date.fromisoformat(last) - date.fromisoformat(first)).days
        width = 10 if span <= 92 else 7 if span <= 3 * 366 else 4
        db.execute(
            f"SELECT substr(c.date, 1, {width}), count(*) FROM plain c"
            " WHERE c.rowid IN temp.hits AND c.date IS NOT NULL GROUP BY 1"
        ).fetchall()
    db.execute("DROP TABLE temp.hits")
    db.execute("COMMIT")
    return int(total)


SMALL_PAGE_MS = 200.0


def side_by_side(path: Path, repeat: int) -> None:
    """The mix of ``SIDE_BY_SIDE`` on cablekit and on the plain table, interleaved
    query by query (each warmed once), sorted by relevance and by date: per query the
    p50 of both, their ratio and both totals; then p50 and p95 over the mix."""
    plain_path = plain_copy(path)
    plain_db = sqlite3.connect(plain_path, isolation_level=None)
    values = placeholders(path, plain_db)
    print(
        f"side by side with a plain FTS5 table ({len(SIDE_BY_SIDE)} queries x {len(SORTS)}"
        f" sorts x {repeat}; the fields filled in: {values}):"
    )
    print(f"  {'cablekit':>9} {'plain':>9} {'ratio':>6} {'hits':>9} {'plain hits':>10}  query")
    ours: list[float] = []
    theirs: list[float] = []
    slower = 0
    with Archive(path) as archive:
        for query, plain in SIDE_BY_SIDE:
            query, plain = filled(query, plain, values)
            for sort in SORTS:
                time_query(archive, query, sort)
                plain_page(plain_db, plain, sort)
                mine, other = [], []
                # A page of a millisecond or less is asked until SMALL_PAGE_MS have passed:
                # three medians of a sub-millisecond page measure the machine, not it.
                while len(mine) < repeat or sum(mine) + sum(other) < SMALL_PAGE_MS:
                    ms, _, hits = time_query(archive, query, sort)
                    mine.append(ms)
                    started = time.perf_counter()
                    found = plain_page(plain_db, plain, sort)
                    other.append((time.perf_counter() - started) * 1000)
                a, b = statistics.median(mine), statistics.median(other)
                slower += a > b
                ours += mine[:repeat]  # the mix weighs every query alike
                theirs += other[:repeat]
                print(f"  {a:9.2f} {b:9.2f} {a / b:6.2f} {hits:9,} {found:10,}  {query} [{sort}]")
    print(
        f"  over the mix: cablekit p50 {percentile(ours, 0.5):.1f} ms, p95"
        f" {percentile(ours, 0.95):.1f} ms; plain FTS5 p50 {percentile(theirs, 0.5):.1f} ms,"
        f" p95 {percentile(theirs, 0.95):.1f} ms; cablekit slower on {slower} of"
        f" {len(SIDE_BY_SIDE) * len(SORTS)}"
    )


def placeholders(path: Path, plain: sqlite3.Connection) -> dict[str, str]:
    """What the id and rare-word queries name, taken from the archive: a cable in the
    middle of it, the cable cited most, and the first words (of 7 letters or more, in
    alphabetical order) in the fewest cables but at least 100, and at least 3."""
    with Archive(path) as archive:
        ((middle,),) = archive.store.query(
            "SELECT id FROM cable WHERE key >= (SELECT max(key) / 2 FROM cable)"
            " ORDER BY key LIMIT 1"
        )
        ((cited,),) = archive.store.query(
            "SELECT target FROM reference WHERE target IS NOT NULL"
            " GROUP BY target ORDER BY count(*) DESC, target LIMIT 1"
        )
    plain.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5vocab(main, plain_fts, row)"
    )

    def word(fewest: int) -> str:
        """The word in the fewest cables, at least ``fewest`` (the first of them in
        alphabetical order), of 7 letters or more."""
        ((found,),) = plain.execute(
            "SELECT term FROM temp.words WHERE doc >= ? AND length(term) >= 7"
            " AND term NOT GLOB '*[^a-z]*' ORDER BY doc, term LIMIT 1",
            [fewest],
        ).fetchall()
        return str(found)

    return {"id": middle, "cited": cited, "rare": word(100), "rarer": word(3)}


def filled(query: str, plain: Plain, values: dict[str, str]) -> tuple[str, Plain]:
    def fill(text: str) -> str:
        return text.format(**values) if "{" in text else text

    return fill(query), Plain(
        None if plain.match is None else fill(plain.match),
        plain.where,
        tuple(fill(p) for p in plain.params),
    )


if __name__ == "__main__":
    main()
