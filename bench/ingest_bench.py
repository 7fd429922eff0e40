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
``--once``. Nothing is asserted: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/ingest_bench.py                      # the corpus, --jobs 2
    .venv/bin/python bench/ingest_bench.py bench/out/synth-250k.jsonl --db bench/out/250k.db --once
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

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


def run(path: Path, inputs: list[str], jobs: int) -> tuple[BatchReport, float, float, list[float]]:
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
        report = ingest(store, inputs, release="bench", jobs=jobs, progress=progress)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = time.process_time() - cpu + (after.ru_utime + after.ru_stime)
    used -= children.ru_utime + children.ru_stime
    return report, wall, used, samples


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
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    fresh(args.db)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"jobs {args.jobs}, input {', '.join(args.inputs)}"
    )
    report, wall, cpu, samples = run(args.db, args.inputs, args.jobs)
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
    if not args.once:
        again, wall, _, _ = run(args.db, args.inputs, args.jobs)
        print(
            f"second ingest: {again.ingested:,} ingested, {again.unchanged:,} unchanged, "
            f"{again.new_versions:,} new versions in {wall:.1f} s"
        )


if __name__ == "__main__":
    main()
