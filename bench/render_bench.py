#!/usr/bin/env python3
"""Renderer benchmark on the 6,712-page corpus (``corpus/cablegate-2011-04/cable.tar.xz``).

Every cable is read and parsed (streamed, not timed), then rendered in the canonical
telegram format (``cablekit.compose.render``), each render timed on its own. Prints
cables rendered per second (render time only), latency percentiles, the share of
output bytes, and the process's peak RSS; ``--reparse`` also times parsing the
rendered text back. No figure is asserted anywhere: this is a measurement.

Usage::

    .venv/bin/python bench/render_bench.py
    .venv/bin/python bench/render_bench.py --limit 1000 --reparse
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))
    return sorted_values[index]


def run(corpus: Path, limit: int | None, reparse: bool) -> str:
    import cablekit
    from cablekit.compose import render
    from cablekit.compose.roundtrip import reread

    latencies: list[float] = []
    reparse_time = 0.0
    chars = 0
    for cable in islice(cablekit.read(corpus), limit):
        start = time.perf_counter()
        text = render(cable)
        latencies.append(time.perf_counter() - start)
        chars += len(text)
        if reparse:
            start = time.perf_counter()
            reread(cable, text)
            reparse_time += time.perf_counter() - start
    total = sum(latencies)
    latencies.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"cables rendered: {len(latencies)}",
        f"render time: {total:.2f} s  ->  {len(latencies) / total:,.0f} cables/s "
        f"({chars / total / 1e6:.1f} M characters/s)",
        "latency: "
        + ", ".join(
            f"p{int(q * 100)} {percentile(latencies, q) * 1000:.3f} ms" for q in (0.5, 0.95, 0.99)
        )
        + f", max {latencies[-1] * 1000:.3f} ms, mean {total / len(latencies) * 1000:.3f} ms",
        f"peak RSS (reading, parsing and rendering, streamed): {peak:.0f} MiB",
    ]
    if reparse:
        lines.append(
            f"re-parse of the rendered text: {len(latencies) / reparse_time:,.0f} cables/s"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--reparse", action="store_true", help="time parsing the text back too")
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus}")
    print(run(args.corpus, args.limit, args.reparse))


if __name__ == "__main__":
    main()
