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


if __name__ == "__main__":
    main()
