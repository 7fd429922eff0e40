#!/usr/bin/env python3
"""Timing bench: does the time of a search tell a reader anything about hidden material?

Issue 10, finding 10: a reader who saw nothing got 0 hits for every query, yet ``the``
took 21 ms, ``t*`` 115 ms and a word that is nowhere 6 ms: the time measured how
common a word is in what they may not see. This bench times, for readers who see
little, queries whose words occur only in material hidden from them against a word
that occurs nowhere, and prints the median and p95 of each (wall clock and CPU time
of this process; the machine is shared, so CPU time is the steadier figure).

Readers, made in a copy of the archive (``NAME-timing.db`` beside it, made once):

* ``bench-nothing``: TOP SECRET and US, but granted only a collection with no cables:
  sees no cable at all;
* ``bench-few``: granted a collection of ``--few`` cables drawn at random (seed 1):
  sees a small part. The words timed for this reader are chosen from the archive's
  vocabulary among those that occur in none of its cables: the most common such
  words, and the most common two-letter prefixes none of whose words it holds.

The same queries are also timed for the public reader, to show the differences a
reader who sees everything may (and does) observe. Each query runs once to warm up,
then ``--repeat`` times, the queries interleaved so that a burst of load on the
machine spreads over all of them. Nothing is asserted: this is a measurement.

Usage::

    .venv/bin/python bench/timing_bench.py --db /work/bench-data/250k.db
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from cablekit.access import principals
from cablekit.archive import Archive
from cablekit.search.text import tokens
from search_bench import bench_copy  # the copy the search benchmark makes too

ROOT = Path(__file__).resolve().parents[1]
NON_WORD = "qzxqvjw"
EMPTY_COLLECTION = "bench-timing-empty"
FEW_COLLECTION = "bench-timing-few"


@dataclass(slots=True)
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    hits: int = 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timing_copy(path: Path, few: int) -> Path:
    """A copy of the archive with the two bench readers and their collections."""
    copy = bench_copy(path, "timing", "the bench readers")
    with Archive(copy) as archive:
        store = archive.store
        if "bench-few" in {p.name for p in principals.principals(store)}:
            return copy
        (count,) = store.query("SELECT count(*) FROM cable")[0]
        current = store.query("SELECT key, version FROM cable")
        chosen = random.Random(1).sample(current, min(few, count))
        # A bench fixture: collections are otherwise made by ingest.
        with store.transaction():
            for name in (EMPTY_COLLECTION, FEW_COLLECTION):
                store.db.execute(
                    "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, '2011-06-01')",
                    (name,),
                )
            (few_key,) = store.db.execute(
                "SELECT key FROM collection WHERE name = ?", (FEW_COLLECTION,)
            ).fetchone()
            store.db.executemany(
                "INSERT OR IGNORE INTO version_collection VALUES (?, ?, ?)",
                [(key, number, few_key) for key, number in chosen],
            )
        for name, collection in (
            ("bench-nothing", EMPTY_COLLECTION),
            ("bench-few", FEW_COLLECTION),
        ):
            principals.add(store, name, clearance="TOP SECRET", citizenship="USA")
            principals.grant(store, name, collections=[collection])
    return copy


def absent_words(archive: Archive, reader: str, count: int) -> list[str]:
    """Common words and two-letter prefixes of the archive that ``reader`` never sees."""
    store = archive.store
    with Archive(archive.store.path, user=reader) as mine:
        seen_keys = [
            k
            for (k,) in store.query(
                f"SELECT c.key FROM cable c WHERE {mine.scope.cables}", mine.scope.cable_params
            )
        ]
    marks = ",".join("?" * len(seen_keys)) or "NULL"
    bodies = store.query(f"SELECT body FROM unit WHERE cable_key IN ({marks})", seen_keys)
    vocabulary = {w for (body,) in bodies for w in tokens(body)}
    store.query(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, unit_fts, row)"
    )
    common = store.query("SELECT term, doc FROM temp.bench_vocab ORDER BY doc DESC LIMIT 20000")
    words = [term for term, _ in common if term not in vocabulary and term.isalpha()][:count]
    prefixes: dict[str, int] = {}
    for term, docs in common:
        if len(term) >= 2 and term[:2].isalpha():
            prefixes[term[:2]] = prefixes.get(term[:2], 0) + docs
    held = {w[:2] for w in vocabulary}
    free = [p for p, _ in sorted(prefixes.items(), key=lambda kv: -kv[1]) if p not in held]
    return (
        words
        + [f"{p}*" for p in free[:2]]
        + ([f'"{words[0]} {words[1]}"'] if len(words) > 1 else [])
    )


def time_queries(archive: Archive, queries: list[str], repeat: int) -> dict[str, Timings]:
    found = {q: Timings() for q in queries}
    for query in queries:  # warm-up: the reader's sets, the columns, the reader's index
        found[query].hits = archive.search(query, facets=True, timeline=True).total
    for _ in range(repeat):
        for query in queries:
            started, cpu = time.perf_counter(), time.process_time()
            archive.search(query, facets=True, timeline=True)
            found[query].wall.append((time.perf_counter() - started) * 1000)
            found[query].cpu.append((time.process_time() - cpu) * 1000)
    return found


def report(title: str, found: dict[str, Timings]) -> None:
    print(title)
    print(f"    {'query':<26} {'hits':>8}  {'wall p50':>8} {'p95':>7}   {'CPU p50':>8} {'p95':>7}")
    for query, t in found.items():
        wall = f"{statistics.median(t.wall):8.2f} {percentile(t.wall, 0.95):7.2f}"
        cpu = f"{statistics.median(t.cpu):8.2f} {percentile(t.cpu, 0.95):7.2f}"
        print(f"    {query:<26} {t.hits:>8,}  {wall}   {cpu}")
    medians = [statistics.median(t.cpu) for t in found.values()]
    print(f"    CPU medians span {min(medians):.2f}-{max(medians):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "corpus.db")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--few", type=int, default=50, help="cables bench-few sees")
    args = parser.parse_args()
    copy = timing_copy(args.db, args.few)
    common = ["the", "t*", "of", "embassy", "government", '"prime minister"', NON_WORD]
    with Archive(copy, user="bench-nothing") as archive:
        report(
            "bench-nothing (sees no cable): words hidden from it vs a non-word",
            time_queries(archive, common, args.repeat),
        )
    with Archive(copy, user="bench-few") as archive:
        hidden = absent_words(archive, "bench-few", 4)
        (seen,) = archive.store.query(
            f"SELECT count(*) FROM cable c WHERE {archive.scope.cables}", archive.scope.cable_params
        )[0]
        report(
            f"bench-few (sees {seen:,} cables): words it never sees vs a non-word",
            time_queries(archive, [*hidden, NON_WORD], args.repeat),
        )
    with Archive(args.db) as archive:
        report(
            "public (sees everything), for contrast",
            time_queries(archive, [*common, *hidden], max(5, args.repeat // 8)),
        )


if __name__ == "__main__":
    main()
