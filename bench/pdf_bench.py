#!/usr/bin/env python3
"""PDF reading benchmark: pages per second, and memory on a bundle of 1,000 pages.

Runs, each in a fresh child process so that every peak-memory figure is its own:

=====================  ==================================================================
samples                the four sample PDFs (13 pages), read and parsed ``--repeat`` times
bundle N               a PDF of N pages made by concatenating the samples (a FOIA release
                       bundles cables the same way), read page by page and parsed, for N =
                       250 and 1,000: flat memory means two about equal peak RSS figures
=====================  ==================================================================

Pages per second are counted against the wall clock and against the CPU time of the
process (the machine may be shared). Peak RSS is the child's VmHWM (``/proc/self/status``).
No figure is asserted anywhere: this is a measurement, not a test.

Usage::

    .venv/bin/python bench/pdf_bench.py
    .venv/bin/python bench/pdf_bench.py --pages 1000 --repeat 20
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdf_helpers import make_bundle, sample_pdfs  # noqa: E402


def peak_rss() -> float:
    """Peak resident memory of this process in MiB: VmHWM, which starts afresh at exec
    (``ru_maxrss`` keeps the parent's peak across fork and exec, so a child started by
    a big parent would report the parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(paths: list[str], repeat: int) -> dict[str, float]:
    """Read and parse ``paths`` ``repeat`` times in this process; the figures."""
    import pypdfium2

    from cablekit.errors import CablekitError
    from cablekit.parser import parse_raw
    from cablekit.sources import iter_inputs

    pages = sum(len(pypdfium2.PdfDocument(p)) for p in paths) * repeat
    cables = failed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for item in iter_inputs(paths):
            if isinstance(item, CablekitError):
                failed += 1
            else:
                parse_raw(item)
                cables += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = peak_rss()
    return {
        "pages": pages,
        "cables": cables,
        "failed": failed,
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
    }


def child(paths: list[str], repeat: int) -> dict[str, float]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from pdf_bench import measure; "
        "print(json.dumps(measure(json.loads(sys.argv[2]), int(sys.argv[3]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "bench"), json.dumps(paths), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages of the large bundle")
    parser.add_argument("--repeat", type=int, default=10, help="rounds over the samples")
    args = parser.parse_args()
    print(
        f"machine  Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    print()
    header = (
        f"{'run':24} {'pages':>6} {'cables':>6} {'failed':>6} {'seconds':>8} {'cpu s':>7} "
        f"{'pages/s':>8} {'pages/cpu s':>11} {'peak RSS':>9}"
    )
    print(header)
    print("-" * len(header))
    samples = [str(p) for p in sample_pdfs()]
    runs = [(f"samples x{args.repeat}", samples, args.repeat)]
    with tempfile.TemporaryDirectory() as folder:
        for size in sorted({max(1, args.pages // 4), args.pages}):
            bundle = Path(folder) / f"bundle-{size}.pdf"
            made = make_bundle(sample_pdfs(), bundle, min_pages=size)
            runs.append((f"bundle of {made} pages", [str(bundle)], 1))
        for name, paths, repeat in runs:
            r = child(paths, repeat)
            print(
                f"{name:24} {r['pages']:6.0f} {r['cables']:6.0f} {r['failed']:6.0f} "
                f"{r['wall']:8.2f} {r['cpu']:7.2f} {r['pages'] / r['wall']:8.1f} "
                f"{r['pages'] / r['cpu']:11.1f} {r['rss']:8.1f}M"
            )
    print()
    print("(pages/s: wall clock; pages/cpu s: CPU time of the process; peak RSS in MiB)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
