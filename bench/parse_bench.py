#!/usr/bin/env python3
"""Parser benchmark on the 6,712-page corpus (``corpus/cablegate-2011-04/cable.tar.xz``).

Runs, each in a fresh child process so that every peak-memory figure is its own:

==================  =====================================================================
parse only          pages read from the archive and unwrapped into ``RawCable`` objects
                    (``cablekit.sources.read_bytes``) before the clock starts; timed:
                    ``cablekit.parser.parse_raw`` over them (one process), or
                    ``cablekit.pipeline.parse_stream`` (``--jobs N``). The one-process run
                    also times every cable: latency percentiles.
end to end          ``cablekit.pipeline.parse_stream(iter_inputs([archive]), jobs)``: reading
                    the file, xz decompression, tar, page unwrapping and parsing, streamed.
memory vs input     end to end, one process, on the first quarter of the pages and on all
                    of them: flat memory means two about equal peak RSS figures.
==================  =====================================================================

Throughput is counted in pages (every page holds one cable) and in MB (10^6 bytes) of
uncompressed page bytes, against the wall clock; the CPU time (process and workers) is
printed too, as the machine may be shared. Peak RSS is ``resource.getrusage(...).ru_maxrss``
of the child (and, with ``--jobs``, of its largest worker). Reading the archive needs the
xz decoder's 64 MiB dictionary (the file was made with ``xz -9``): it is part of the
end-to-end figures, and is resident in full once 64 MiB of pages have been read, so on
small ``--limit`` runs the quarter-corpus figure is lower for that reason alone.
``--tracemalloc`` adds two untimed end-to-end runs under ``tracemalloc`` (it slows Python
3-4x, so it is kept out of the timed runs) and prints the peak of traced allocations.
No figure is asserted anywhere: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/parse_bench.py                 # all runs, --jobs 2
    .venv/bin/python bench/parse_bench.py --repeat 3 --tracemalloc
    .venv/bin/python bench/parse_bench.py --limit 500 --jobs 4
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tarfile
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
MB = 1_000_000
MIB = 1024 * 1024

# --------------------------------------------------------------------------- child side


def rss_mib(who: int) -> float:
    """Peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its waited-for children (workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class Clock:
    """Wall time and CPU time of a block."""

    seconds = 0.0
    cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu = cpu_seconds() - self._cpu


def pages(corpus: str, limit: int | None) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the archive's pages in order, the way cablekit's tar reader sees them."""
    with tarfile.open(corpus, mode="r|*") as tar:
        count = 0
        for info in tar:
            if limit is not None and count >= limit:
                break
            if not info.isfile():
                continue
            member = tar.extractfile(info)
            if member is None:
                continue
            count += 1
            yield info.name, member.read()
            tar.members.clear()  # type: ignore[attr-defined]  # stream mode keeps every header


def tally(outcomes: Iterable[object], counts: dict[str, int]) -> None:
    """Count outcomes without keeping them (a kept Cable would make memory grow)."""
    from cablekit.errors import NotACable
    from cablekit.model import Cable

    for outcome in outcomes:
        if isinstance(outcome, Cable):
            counts["ok"] += 1
        elif isinstance(outcome, NotACable):
            counts["not_a_cable"] += 1
        else:
            counts["failed"] += 1


def percentile(ordered: list[int], q: float) -> float:
    """The q-quantile (0..1) of sorted nanoseconds, in milliseconds (nearest rank)."""
    rank = min(max(1, math.ceil(q * len(ordered))), len(ordered))
    return ordered[rank - 1] / 1e6


def run_parse_only(corpus: str, limit: int | None, jobs: int) -> dict[str, Any]:
    from cablekit.errors import CablekitError, NotACable
    from cablekit.parser import parse_raw
    from cablekit.pipeline import parse_stream
    from cablekit.sources import RawCable, read_bytes

    raws: list[RawCable] = []
    page_bytes = 0
    read_errors = 0
    load_start = time.perf_counter()
    for name, data in pages(corpus, limit):
        page_bytes += len(data)
        try:
            raws.extend(read_bytes(data, name))
        except CablekitError:
            read_errors += 1
    load_seconds = time.perf_counter() - load_start
    counts = {"inputs": len(raws) + read_errors, "ok": 0, "not_a_cable": 0, "failed": 0}
    counts["failed"] += read_errors
    result: dict[str, Any] = {
        "load_seconds": load_seconds,
        "rss_before_mib": rss_mib(resource.RUSAGE_SELF),
    }
    if jobs <= 1:
        latencies: list[int] = []
        slowest = ("", 0)
        clock = time.perf_counter_ns
        with Clock() as timer:
            for raw in raws:
                t0 = clock()
                try:
                    parse_raw(raw)
                    counts["ok"] += 1
                except NotACable:
                    counts["not_a_cable"] += 1
                except Exception:  # a parser failure is counted, the run goes on
                    counts["failed"] += 1
                spent = clock() - t0
                latencies.append(spent)
                if spent > slowest[1]:
                    slowest = (raw.source.path or "?", spent)
        latencies.sort()
        if latencies:
            result["latency_ms"] = {
                "p50": percentile(latencies, 0.50),
                "p95": percentile(latencies, 0.95),
                "p99": percentile(latencies, 0.99),
                "max": latencies[-1] / 1e6,
                "mean": sum(latencies) / len(latencies) / 1e6,
                "slowest": slowest[0],
            }
    else:
        with Clock() as timer:
            tally(parse_stream(raws, jobs), counts)
    result.update(counts=counts, seconds=timer.seconds, cpu=timer.cpu, page_bytes=page_bytes)
    return result


def run_end_to_end(corpus: str, limit: int | None, jobs: int, trace: bool) -> dict[str, Any]:
    from cablekit.pipeline import parse_stream
    from cablekit.sources import iter_inputs

    counts = {"inputs": 0, "ok": 0, "not_a_cable": 0, "failed": 0}
    if trace:
        tracemalloc.start()
    with Clock() as timer:
        items = islice(iter_inputs([corpus]), limit)
        tally(parse_stream(counting(items, counts), jobs), counts)
    result: dict[str, Any] = {"counts": counts, "seconds": timer.seconds, "cpu": timer.cpu}
    if trace:
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    return result


def counting(items: Iterable[object], counts: dict[str, int]) -> Iterator[Any]:
    for item in items:
        counts["inputs"] += 1
        yield item


def child(args: argparse.Namespace) -> int:
    kind, jobs = args.child, args.jobs
    if kind == "sizes":
        print(json.dumps(page_sizes(args.corpus)))
        return 0
    if kind == "baseline":
        import cablekit  # noqa: F401 - the memory of an idle process with cablekit imported

        result: dict[str, Any] = {}
    elif kind == "parse":
        result = run_parse_only(args.corpus, args.limit, jobs)
    else:
        result = run_end_to_end(args.corpus, args.limit, jobs, kind == "trace")
    result["rss_mib"] = rss_mib(resource.RUSAGE_SELF)
    result["workers_rss_mib"] = rss_mib(resource.RUSAGE_CHILDREN) if jobs > 1 else None
    print(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- parent side


def measure(kind: str, corpus: str, limit: int | None, jobs: int, repeat: int) -> Any:
    """The fastest of ``repeat`` runs, with the highest peak RSS seen in any of them."""
    results = [spawn(kind, corpus, limit, jobs) for _ in range(max(1, repeat))]
    best = dict(min(results, key=lambda r: r["seconds"]))
    best["rss_mib"] = max(r["rss_mib"] for r in results)
    return best


def spawn(kind: str, corpus: str, limit: int | None, jobs: int) -> Any:
    """Run one measurement in a fresh process; its last stdout line is JSON.

    On Linux a process inherits the RSS high-water mark of its parent across fork and
    exec, so the parent stays small: even the page sizes are read by a child.
    """
    command = [sys.executable, __file__, "--child", kind, "--corpus", corpus, "--jobs", str(jobs)]
    if limit is not None:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def page_sizes(corpus: str) -> list[int]:
    """Sizes of the archive's pages in order (one untimed pass over the archive)."""
    with tarfile.open(corpus, mode="r|*") as tar:
        sizes = [info.size for info in tar if info.isfile()]
        tar.members.clear()  # type: ignore[attr-defined]
    return sizes


def row(label: str, jobs: int, result: dict[str, Any], page_bytes: int) -> str:
    counts = result["counts"]
    seconds = result["seconds"]
    workers = result.get("workers_rss_mib")
    return (
        f"{label:<24} {jobs:>4} {counts['inputs']:>6} {counts['ok']:>6} "
        f"{counts['not_a_cable'] + counts['failed']:>5} {seconds:>8.2f} {result['cpu']:>7.2f} "
        f"{counts['inputs'] / seconds:>9.1f} {page_bytes / MB / seconds:>7.2f} "
        f"{result['rss_mib']:>9.1f} {f'{workers:.1f}' if workers else '-':>9}"
    )


def parent(args: argparse.Namespace) -> int:
    corpus = str(args.corpus)
    if not Path(corpus).is_file():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    sizes: list[int] = spawn("sizes", corpus, None, 1)
    total = min(len(sizes), args.limit) if args.limit is not None else len(sizes)
    quarter = max(1, total // 4)
    job_counts = [1] if args.jobs <= 1 else [1, args.jobs]
    load = os.getloadavg()
    print(
        f"corpus   {corpus}\n"
        f"         {Path(corpus).stat().st_size / MB:.1f} MB xz, {total:,} pages "
        f"({sum(sizes[:total]) / MB:.1f} MB of pages) of {len(sizes):,}\n"
        f"machine  Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load[0]:.2f} at start\n"
    )
    repeat = args.repeat
    baseline = spawn("baseline", corpus, None, 1)
    runs: list[tuple[str, int, dict[str, Any], int]] = []
    for jobs in job_counts:
        result = measure("parse", corpus, total, jobs, repeat)
        runs.append(("parse only (in memory)", jobs, result, result["page_bytes"]))
    for jobs in job_counts:
        runs.append(("end to end (.tar.xz)", jobs, measure("e2e", corpus, total, jobs, repeat), 0))
    runs.append(
        (f"end to end, first {quarter:,}", 1, measure("e2e", corpus, quarter, 1, repeat), 0)
    )
    header = (
        f"{'run':<24} {'jobs':>4} {'pages':>6} {'cables':>6} {'lost':>5} {'seconds':>8} "
        f"{'cpu s':>7} {'cables/s':>9} {'MB/s':>7} {'peak RSS':>9} {'worker RSS':>9}"
    )
    print(header)
    print("-" * len(header))
    for label, jobs, result, page_bytes in runs:
        size = page_bytes or sum(sizes[: result["counts"]["inputs"]])
        print(row(label, jobs, result, size))
    print(
        "  (pages: inputs; cables: parsed into a Cable; lost: NotACable or failed; seconds: wall "
        "clock;\n   cpu s: CPU time of the process and its workers; MB: 10^6 bytes of pages; "
        "RSS in MiB: the process,\n   and its largest worker with --jobs; an idle process with "
        f"cablekit imported: {baseline['rss_mib']:.1f} MiB; best of {args.repeat} by wall clock)"
    )
    single = runs[0][2]
    print(
        f"\nparse only, pages read and unwrapped before timing in {single['load_seconds']:.1f} s; "
        f"RSS then {single['rss_before_mib']:.1f} MiB"
    )
    latency = single.get("latency_ms")
    if latency:
        print(
            "latency per cable (parse only, one process, ms): "
            f"p50 {latency['p50']:.2f}  p95 {latency['p95']:.2f}  p99 {latency['p99']:.2f}  "
            f"max {latency['max']:.1f}  mean {latency['mean']:.2f}  (max: {latency['slowest']})"
        )
    small, full = runs[-1][2], runs[len(job_counts)][2]
    print(
        f"\nmemory vs input (end to end, one process): first {quarter:,} pages peak RSS "
        f"{small['rss_mib']:.1f} MiB; all {total:,} pages {full['rss_mib']:.1f} MiB "
        f"(x{full['rss_mib'] / small['rss_mib']:.2f} for x{total / quarter:.1f} the input)"
    )
    if args.tracemalloc:
        small_t = spawn("trace", corpus, quarter, 1)
        full_t = spawn("trace", corpus, total, 1)
        print(
            f"tracemalloc peak (untimed runs): first {quarter:,} pages "
            f"{small_t['tracemalloc_peak_mib']:.1f} MiB; all {total:,} pages "
            f"{full_t['tracemalloc_peak_mib']:.1f} MiB\n"
            "  (tracemalloc counts the xz decoder's 64 MiB dictionary, allocated in full at the "
            "start;\n   peak RSS counts only the pages of it touched: all of it past 64 MiB of "
            "pages)"
        )
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", default=str(CORPUS), help="the .tar.xz of pages")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes to compare (2)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement, the fastest kept (1)"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the tracemalloc peak (slow)"
    )
    parser.add_argument(
        "--child", choices=["sizes", "baseline", "parse", "e2e", "trace"], help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
