#!/usr/bin/env python3
"""Search benchmark: latency percentiles of a fixed query mix, with facets and timeline.

Opens an archive (``--db``; made from the 6,712-page corpus when missing) and runs
a fixed mix of queries the way the CLI and the web do: the first page of 20
results with snippets, exact total, all facets and the timeline. Each query is run
once to warm the cache, then ``--repeat`` times; the figures are over every timed
run: p50, p95, p99 and max in milliseconds, and the slowest queries. A deep-paging
run follows a cursor through ``--pages`` pages of one broad query, and an export
of every cable to Parquet is timed when ``--export`` is given.

Nothing is asserted: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/search_bench.py                              # corpus archive
    .venv/bin/python bench/search_bench.py --db bench/out/250k.db --export
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_query(archive: Archive, query: str, sort: str = "relevance") -> tuple[float, int]:
    started = time.perf_counter()
    result = archive.search(query, sort=sort, facets=True, timeline=True)  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000, result.total


def ensure_archive(path: Path) -> None:
    if path.exists():
        return
    print(f"building {path} from the corpus ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    with Archive(path, create=True) as archive:
        archive.ingest([str(CORPUS)], jobs=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "corpus.db")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--export", action="store_true", help="Time an export to Parquet.")
    args = parser.parse_args()
    ensure_archive(args.db)
    with Archive(args.db) as archive:
        (cables,) = archive.store.query("SELECT count(*) FROM cable")[0]
        print(
            f"archive {args.db}: {cables:,} cables; {len(QUERIES)} queries x {args.repeat}, "
            "each with snippets, facets and timeline"
        )
        timings: list[float] = []
        per_query: list[tuple[float, str, int]] = []
        for query in QUERIES:
            for sort in ("relevance", "newest"):
                time_query(archive, query, sort)
                runs = [time_query(archive, query, sort) for _ in range(args.repeat)]
                timings += [ms for ms, _ in runs]
                per_query.append(
                    (statistics.mean(ms for ms, _ in runs), f"{query} [{sort}]", runs[0][1])
                )
        print(
            f"latency ms: p50 {percentile(timings, 0.5):.1f}, p95 {percentile(timings, 0.95):.1f},"
            f" p99 {percentile(timings, 0.99):.1f}, max {max(timings):.1f}"
            f" ({len(timings)} timed searches)"
        )
        print("slowest queries (mean ms, hits):")
        for ms, query, total in sorted(per_query, reverse=True)[:6]:
            print(f"  {ms:8.1f}  {total:>8,}  {query}")
        deep_paging(archive, args.pages)
        if args.export:
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

    started = time.perf_counter()
    count = export(archive.store, parse_query("date:1900.."), archive.scope, "parquet", out)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"export: {count:,} cables to Parquet in {wall:.1f} s ({count / wall:,.0f} cables/s),"
        f" {out.stat().st_size / 1e6:,.1f} MB, peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
