#!/usr/bin/env python3
"""Ingest benchmark: cables/s, archive size per cable, peak memory.

Ingests an input (by default the 6,712-page corpus ``corpus/cablegate-2011-04/
cable.tar.xz``; ``bench/out/synth-250k.jsonl`` from ``bench/synth.py`` for the
large archive) into a fresh archive, as ``cablekit ingest`` does, and prints:

* throughput: cables/s against the wall clock, and CPU seconds (parent + workers);
* archive size: bytes on disk (database and WAL) per cable;
* memory: resident size of the parent sampled as the ingest goes (first, middle,
  last quarter and peak), and the peak of the largest worker. Flat memory means
  the samples stay about equal while the archive grows.

Then it runs the same ingest again (idempotence: nothing is added) unless
``--once``.

Where the time goes: the writing process's SQL is timed statement by statement
during the ingest (grouped by what it writes: the full-text index, the units, the
commit ...), and ``--stages N`` times each stage of a worker on the first N inputs, in
this process, one after the other: reading (decompression and JSON), parsing,
flattening into rows (of which compression), and packing the result for the writer
and unpacking it there. Nothing is asserted: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/ingest_bench.py                      # the corpus, --jobs 2
    .venv/bin/python bench/ingest_bench.py bench/out/synth-250k.jsonl --db bench/out/250k.db --once
"""

from __future__ import annotations

import argparse
import itertools
import marshal
import os
import platform
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cablekit.parser import parse_raw
from cablekit.sources import iter_inputs
from cablekit.store import rows
from cablekit.store.ingest import ingest
from cablekit.store.sqlite import BatchReport, SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def archive_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def fresh(path: Path) -> None:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()


class TimedConnection:
    """The writer's connection, with the wall time of each statement added up by the
    words it starts with (``INSERT INTO unit_fts``, ``COMMIT`` ...)."""

    def __init__(self, db: Any, spent: defaultdict[str, float]) -> None:
        self._db = db
        self.spent = spent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def _timed(self, call: Callable[..., Any], sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(sql, *args)
        finally:
            words = sql.split()
            self.spent[" ".join(words[:3] if words[0] == "INSERT" else words[:1])] += (
                time.perf_counter() - started
            )

    def execute(self, sql: str, *args: Any) -> Any:
        return self._timed(self._db.execute, sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return self._timed(self._db.executemany, sql, *args)


def run(
    path: Path, inputs: list[str], jobs: int, spent: defaultdict[str, float] | None = None
) -> tuple[BatchReport, float, float, list[float]]:
    samples: list[float] = []
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        samples.append(rss_mib())

    cpu = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with SQLiteStore(path, create=True) as store:
        if spent is not None:
            store.db = TimedConnection(store.db, spent)  # type: ignore[assignment]
        report = ingest(store, inputs, release="bench", jobs=jobs, progress=progress)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = time.process_time() - cpu + (after.ru_utime + after.ru_stime)
    used -= children.ru_utime + children.ru_stime
    return report, wall, used, samples


def stages(inputs: list[str], count: int) -> None:
    """Each stage of a worker, timed alone (CPU) on the first ``count`` inputs."""
    started = time.process_time()
    items = list(itertools.islice(iter_inputs(inputs, None), count))
    timings = {"read (decompress, JSON, unwrap)": time.process_time() - started}
    cables = timed(timings, "parse", lambda: [parse_raw(item) for item in items])  # type: ignore[arg-type]
    pairs = list(zip(cables, items, strict=True))
    prepared = timed(timings, "rows", lambda: [rows.prepare(c, i) for c, i in pairs])  # type: ignore[arg-type]
    blobs = [p.record for p in prepared] + [p.text for p in prepared]
    plain = [rows_data(b) for b in blobs]
    timed(timings, "  of which compression", lambda: [rows.compress(b) for b in plain])
    packed = timed(timings, "pack", lambda: [rows.pack(p) for p in prepared])
    timed(
        timings, "unpack (in the writer)", lambda: [rows.unpack(marshal.loads(b)) for b in packed]
    )
    print(f"stages of a worker, one core, CPU on the first {len(items):,} inputs:")
    for name, seconds in timings.items():
        print(f"  {name:32} {seconds / len(items) * 1e6:8.0f} us a cable")


def rows_data(blob: bytes) -> bytes:
    import zlib

    return zlib.decompress(blob)


def timed(timings: dict[str, float], name: str, work: Callable[[], Iterable[Any]]) -> Any:
    started = time.process_time()
    result = list(work())
    timings[name] = time.process_time() - started
    return result


def quarters(samples: list[float]) -> str:
    if not samples:
        return "-"
    n = len(samples)
    picks = [samples[min(n - 1, n * q // 4)] for q in (1, 2, 3)]
    return " / ".join(f"{v:.0f}" for v in picks) + f" MiB (peak {max(samples):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="*", default=[str(CORPUS)])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "ingest-bench.db")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--once", action="store_true", help="Skip the second (idempotent) run.")
    parser.add_argument(
        "--stages",
        type=int,
        default=0,
        metavar="N",
        help="Also time a worker's stages on N inputs.",
    )
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    fresh(args.db)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"jobs {args.jobs}, input {', '.join(args.inputs)}"
    )
    spent: defaultdict[str, float] = defaultdict(float)
    report, wall, cpu, samples = run(args.db, args.inputs, args.jobs, spent)
    n = report.ingested + report.unchanged + report.new_versions
    size = archive_bytes(args.db)
    print(
        f"first ingest: {report.ingested:,} ingested, {report.new_versions:,} new versions, "
        f"{report.failed:,} failed in {wall:.1f} s: {n / wall:,.0f} cables/s "
        f"(CPU {cpu:.1f} s, {cpu / max(n, 1) * 1000:.2f} ms/cable)"
    )
    print(f"archive: {size / 1e6:,.1f} MB, {size / max(n, 1) / 1024:.1f} KiB per cable")
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"parent RSS at 1/4, 1/2, 3/4: {quarters(samples)}; largest worker {worker_peak:.0f} MiB")
    print(f"the writer's SQL, wall seconds (of {wall:.0f} s):")
    for statement, seconds in sorted(spent.items(), key=lambda item: -item[1])[:10]:
        print(f"  {seconds:7.1f}  {statement}")
    if args.stages:
        stages(args.inputs, args.stages)
    if not args.once:
        again, wall, _, _ = run(args.db, args.inputs, args.jobs)
        print(
            f"second ingest: {again.ingested:,} ingested, {again.unchanged:,} unchanged, "
            f"{again.new_versions:,} new versions in {wall:.1f} s"
        )


if __name__ == "__main__":
    main()
